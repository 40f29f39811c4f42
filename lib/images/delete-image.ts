// Deletes one image of a user's task: its row, any link sharing exactly that
// image, then its stored files; the task goes with its last image. The other
// images keep their indexes (links and downloads name images by index).
import { getDb } from "../db/client";
import { ApiError, notFound } from "../http/errors";
import { getBlobStore } from "../storage";
import { deleteTask } from "../tasks/delete-task";
import { taskEvents } from "../tasks/task-events";
import { parseImageIndex } from "./image-index";

export async function deleteImage(where: { taskId: string; index: string; userId: string }): Promise<{ taskDeleted: boolean }> {
  const index = parseImageIndex(where.index);
  const db = getDb();
  // The owner check is in the lookup: another user's image is a 404 like a missing one.
  const image = await db.taskImage.findFirst({
    where: { taskId: where.taskId, index, task: { userId: where.userId } },
    include: { task: { select: { status: true } } },
  });
  if (!image) throw notFound("Image not found");
  // While the task is still being archived, the archiver would fetch a deleted image again.
  if (image.task.status !== "succeed")
    throw new ApiError(409, "task_not_finished", "This task is still being archived: delete its images once it has succeeded.");
  // Rows first (one transaction): once they are gone nobody is served a half-deleted image.
  const [, deleted] = await db.$transaction([
    db.share.deleteMany({ where: { taskId: image.taskId, index } }),
    db.taskImage.deleteMany({ where: { id: image.id } }),
  ]);
  if (deleted.count === 0) throw notFound("Image not found");
  const store = getBlobStore();
  await store.delete(image.storageKey);
  await store.delete(image.thumbKey);
  // Counted after the commit, so of two deletes racing for the last images at least one sees none left.
  if ((await db.taskImage.count({ where: { taskId: image.taskId } })) === 0) {
    await deleteTask({ id: image.taskId, userId: where.userId }).catch((err: { status?: number }) => {
      if (err?.status !== 404) throw err;
    });
    return { taskDeleted: true };
  }
  taskEvents().announce({ taskId: image.taskId, userId: where.userId, op: "update" });
  return { taskDeleted: false };
}
