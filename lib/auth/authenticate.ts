// Checks an email and password; null for an unknown user or a wrong password alike.
// Throttled per (email, IP) and per IP before any Argon2 work.
import { getDb } from "../db/client";
import { getLoginThrottle } from "./login-throttle";
import { verifyPassword } from "./password";
import { signInSchema } from "./schema";
import { tooManyAttemptsCode } from "./sign-in-errors";

/** Thrown to next-auth, which carries its message to the sign-in page as ?error=TooManyAttempts:<seconds>. */
export class TooManyAttemptsError extends Error {
  constructor(public readonly retryAfter: number) {
    super(tooManyAttemptsCode(retryAfter));
    this.name = "TooManyAttemptsError";
  }
}

/** Carried to the sign-in page as ?error=AccountDisabled. */
export class AccountDisabledError extends Error {
  constructor() {
    super("AccountDisabled");
    this.name = "AccountDisabledError";
  }
}

export async function authenticate(credentials: unknown, ip: string) {
  const parsed = signInSchema.safeParse(credentials);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const throttle = getLoginThrottle();
  const wait = await throttle.retryAfter(email, ip);
  if (wait !== null) throw new TooManyAttemptsError(wait);
  const user = await getDb().user.findUnique({ where: { email } });
  const ok = await verifyPassword(user?.passwordHash, password);
  if (ok && user) {
    await throttle.succeeded(email, ip);
    // Said only after the right password, so it reveals nothing to a guesser.
    if (user.disabledAt) throw new AccountDisabledError();
    return { id: user.id, email: user.email, name: user.name };
  }
  const locked = await throttle.failed(email, ip);
  if (locked !== null) throw new TooManyAttemptsError(locked);
  return null;
}
