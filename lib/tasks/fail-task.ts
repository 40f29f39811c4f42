// The one way a worker fails a task it holds: guarded by its lease and by the
// task still being in flight, so a late worker can never overwrite an outcome.
import { getDb } from "../db/client";
import { slotFreed } from "./fair-queue";
import { notifyTaskChanged } from "./notify";

export async function failTask(id: string, owner: string, message: string, now: Date): Promise<boolean> {
  const { count } = await getDb().task.updateMany({
    where: { id, leaseOwner: owner, status: { in: ["waiting", "queued", "submitted", "processing"] } },
    data: { status: "failed", statusMsg: message, finishedAt: now, leaseUntil: null, leaseOwner: null },
  });
  if (count) {
    await notifyTaskChanged(id);
    slotFreed();
  }
  return count > 0;
}
