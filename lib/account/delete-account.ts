// Deletes an account and everything it owns: tasks with their stored images,
// thumbnails and reference uploads, API keys, linked sign-ins and the user.
// The user is disabled first, so its sessions and keys stop while files go.
import { getDb } from "../db/client";
import { ApiError } from "../http/errors";
import { deleteTask } from "../tasks/delete-task";

const BATCH = 100;

export async function deleteAccount(userId: string, confirm: string): Promise<void> {
  const db = getDb();
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true } });
  if (!user) return;
  if (confirm.trim().toLowerCase() !== user.email) {
    throw new ApiError(400, "confirmation_mismatch", "confirm must be your account's email address", {
      confirm: "Type your account's email address to confirm",
    });
  }
  await db.user.update({ where: { id: userId }, data: { disabledAt: new Date(), sessionVersion: { increment: 1 } } });
  for (;;) {
    const tasks = await db.task.findMany({ where: { userId }, select: { id: true }, take: BATCH });
    for (const t of tasks) {
      // Gone meanwhile (deleted from another tab) is fine.
      await deleteTask({ id: t.id, userId }).catch((err) => {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      });
    }
    if (tasks.length < BATCH) break;
  }
  // Keys, links and anything a task created meanwhile go with the user (cascades).
  await db.user.delete({ where: { id: userId } });
}
