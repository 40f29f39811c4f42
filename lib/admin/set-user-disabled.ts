// Disabling a user stops their sessions (the version moves on) and API keys
// (the gateway checks the owner) at once; enabling lets them sign in again,
// with new sessions only.
import { getDb } from "../db/client";
import { ApiError, notFound } from "../http/errors";

export async function setUserDisabled(adminId: string, userId: string, disabled: boolean): Promise<void> {
  // Locking oneself out of the console would leave nobody to undo it from there.
  if (disabled && adminId === userId) {
    throw new ApiError(409, "cannot_disable_self", "You cannot disable your own account", { disabled: "You cannot disable your own account" });
  }
  const db = getDb();
  const changed = disabled
    ? await db.user.updateMany({ where: { id: userId }, data: { disabledAt: new Date(), sessionVersion: { increment: 1 } } })
    : await db.user.updateMany({ where: { id: userId }, data: { disabledAt: null } });
  if (changed.count === 0) throw notFound("User not found");
}

/** Grants or revokes the admin role of the user with this email (npm run admin). */
export async function setAdminRole(email: string, isAdmin: boolean): Promise<{ id: string; email: string } | null> {
  const db = getDb();
  const changed = await db.user.updateMany({ where: { email: email.trim().toLowerCase() }, data: { isAdmin } });
  if (changed.count === 0) return null;
  return db.user.findUnique({ where: { email: email.trim().toLowerCase() }, select: { id: true, email: true } });
}
