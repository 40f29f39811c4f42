// Deletes a user's task with its stored images and reference upload.
import { getDb } from "../db/client";
import { getBlobStore } from "../storage";
import { getTaskRowOrThrow } from "./get-task-or-throw";
import { taskEvents } from "./task-events";

export async function deleteTask(where: { id: string; userId: string }): Promise<void> {
  const task = await getTaskRowOrThrow(where);
  // Rows first: once they are gone nobody can be served a half-deleted image.
  await getDb().task.deleteMany({ where: { id: task.id, userId: where.userId } });
  taskEvents().announce({ taskId: task.id, userId: where.userId, op: "delete" });
  const store = getBlobStore();
  await store.deletePrefix(`tasks/${task.id}/`);
  if (task.imageRef?.startsWith("blob:")) await store.delete(task.imageRef.slice(5));
}
