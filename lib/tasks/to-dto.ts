// Maps a stored task to the API shape, built field by field so no internal
// column (secrets, leases, upstream URLs) can leak. `taskDtoSelect` reads just
// those columns, so hot paths fetch no more than they show.
import type { Prisma } from "../generated/prisma/client";
import type { TaskDto } from "./schema";

export function imageUrl(taskId: string, index: number, thumb = false) {
  return `/api/images/${taskId}/${index}${thumb ? "?size=thumb" : ""}`;
}

export const taskDtoSelect = {
  id: true,
  status: true,
  statusMsg: true,
  source: true,
  prompt: true,
  negativePrompt: true,
  imageRef: true,
  imageFidelity: true,
  n: true,
  aspectRatio: true,
  createdAt: true,
  updatedAt: true,
  finishedAt: true,
  images: { select: { index: true, width: true, height: true, favorite: true }, orderBy: { index: "asc" } },
} satisfies Prisma.TaskSelect;

export type TaskDtoRow = Prisma.TaskGetPayload<{ select: typeof taskDtoSelect }>;

export function toTaskDto(task: TaskDtoRow): TaskDto {
  return {
    id: task.id,
    status: task.status,
    statusMsg: task.statusMsg,
    source: task.source,
    prompt: task.prompt,
    negative_prompt: task.negativePrompt,
    image: task.imageRef ? (task.imageRef.startsWith("blob:") ? "uploaded" : task.imageRef) : null,
    image_fidelity: task.imageFidelity,
    n: task.n,
    aspect_ratio: task.aspectRatio,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
    finishedAt: task.finishedAt?.toISOString() ?? null,
    images: [...task.images]
      .sort((a, b) => a.index - b.index)
      .map((img) => ({
        index: img.index,
        url: imageUrl(task.id, img.index),
        thumbnailUrl: imageUrl(task.id, img.index, true),
        width: img.width,
        height: img.height,
        favorite: img.favorite,
      })),
    // Filled in for waiting tasks by queue-position.ts (withQueue), which needs the whole queue.
    queue: null,
    // The ledger's Task triggers refund exactly the failed tasks, so the status alone says it (no query per task).
    cost: { images: task.n, refunded: task.status === "failed" },
  };
}
