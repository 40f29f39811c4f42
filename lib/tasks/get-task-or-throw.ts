// One task of one user, or a 404: another user's id looks exactly like a missing one.
// findUnique (the id plus the owner as a filter) rather than findFirst: Prisma
// batches concurrent findUniques into one query.
import { getDb } from "../db/client";
import { notFound } from "../http/errors";
import type { TaskDto } from "./schema";
import { withQueue } from "./queue-position";
import { taskDtoSelect, toTaskDto } from "./to-dto";

export async function getTaskRowOrThrow({ id, userId }: { id: string; userId: string }) {
  const task = await getDb().task.findUnique({ where: { id, userId }, include: { images: true } });
  if (!task) throw notFound("Task not found");
  return task;
}

export async function getTaskOrThrow({ id, userId }: { id: string; userId: string }): Promise<TaskDto> {
  const task = await getDb().task.findUnique({ where: { id, userId }, select: taskDtoSelect, relationLoadStrategy: "join" });
  if (!task) throw notFound("Task not found");
  const [dto] = await withQueue(userId, [toTaskDto(task)]);
  return dto!;
}
