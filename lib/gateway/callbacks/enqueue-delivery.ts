// Records that a gateway caller must be told about a task's new status. One
// delivery per (task, status): repeated calls for the same status add nothing.
import { getDb } from "../../db/client";
import { seedStatusOf, toSeedStatusBody } from "../seed-status";

export async function enqueueClientCallback(taskId: string): Promise<boolean> {
  const db = getDb();
  const task = await db.task.findUnique({ where: { id: taskId }, include: { images: { select: { index: true } } } });
  if (!task?.clientCallbackUrl) return false;
  const { count } = await db.callbackDelivery.createMany({
    data: [{ taskId, apiKeyId: task.apiKeyId, taskStatus: seedStatusOf(task.status), url: task.clientCallbackUrl, body: toSeedStatusBody(task) }],
    skipDuplicates: true,
  });
  return count > 0;
}
