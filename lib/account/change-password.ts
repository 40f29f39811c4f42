// Changes (or, for an account made with GitHub or Google only, sets) the
// password. The current password is checked under the sign-in throttle, so this
// form cannot be used to guess it faster than the sign-in page; the change moves
// the session version on, which ends every other session.
import { getLoginThrottle } from "../auth/login-throttle";
import { hashPassword, verifyPassword } from "../auth/password";
import { tooManyAttempts } from "../auth/sign-up";
import { getDb } from "../db/client";
import { ApiError, unauthorized } from "../http/errors";
import type { ChangePasswordInput } from "./schema";

const wrongPassword = () => new ApiError(400, "wrong_password", "Current password is wrong", { currentPassword: "Current password is wrong" });

/** The user's new session version (for the caller's own, re-issued session). */
export async function changePassword(userId: string, input: ChangePasswordInput, ip: string): Promise<number> {
  const db = getDb();
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true, passwordHash: true, sessionVersion: true } });
  if (!user) throw unauthorized();
  if (user.passwordHash) {
    if (!input.currentPassword) throw new ApiError(400, "invalid_request", "currentPassword is required", { currentPassword: "Enter your current password" });
    const throttle = getLoginThrottle();
    const wait = await throttle.retryAfter(user.email, ip);
    if (wait !== null) throw tooManyAttempts(wait);
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      const locked = await throttle.failed(user.email, ip);
      if (locked !== null) throw tooManyAttempts(locked);
      throw wrongPassword();
    }
    await throttle.succeeded(user.email, ip);
  }
  const passwordHash = await hashPassword(input.newPassword);
  // Guarded on the version read above: two changes at once cannot both win.
  const changed = await db.user.updateMany({
    where: { id: userId, sessionVersion: user.sessionVersion, passwordHash: user.passwordHash },
    data: { passwordHash, sessionVersion: { increment: 1 } },
  });
  if (changed.count === 0) throw new ApiError(409, "conflict", "Your account changed meanwhile; sign in again and retry");
  return user.sessionVersion + 1;
}
