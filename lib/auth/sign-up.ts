// Creates an email + password account. From the web it is throttled like
// sign-in: a taken email counts as a failure (it is how accounts are probed),
// checked before any hashing.
import { getDb } from "../db/client";
import { isUniqueViolation } from "../db/unique-violation";
import { ApiError } from "../http/errors";
import { getLoginThrottle } from "./login-throttle";
import { hashPassword } from "./password";
import type { SignUpInput } from "./schema";
import { tooManyAttemptsMessage } from "./sign-in-errors";

export const tooManyAttempts = (seconds: number) =>
  new ApiError(429, "too_many_attempts", tooManyAttemptsMessage(seconds), undefined, { "Retry-After": String(seconds) });

export const emailTaken = () =>
  new ApiError(409, "email_taken", "An account with this email already exists", { email: "An account with this email already exists" });

/** Sign-up from the web, for a client at ip. */
export async function signUp(input: SignUpInput, ip: string) {
  const throttle = getLoginThrottle();
  const wait = await throttle.retryAfter(input.email, ip);
  if (wait !== null) throw tooManyAttempts(wait);
  try {
    const user = await createPasswordUser(input);
    await throttle.succeeded(input.email, ip);
    return user;
  } catch (err) {
    if (err instanceof ApiError && err.code === "email_taken") {
      const locked = await throttle.failed(input.email, ip);
      if (locked !== null) throw tooManyAttempts(locked);
    }
    throw err;
  }
}

/** The account itself (also `npm run admin -- create-user`, which is not throttled). */
export async function createPasswordUser(input: SignUpInput) {
  const passwordHash = await hashPassword(input.password);
  try {
    return await getDb().user.create({
      data: { email: input.email, name: input.name || null, passwordHash },
      select: { id: true, email: true, name: true, createdAt: true },
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
}
