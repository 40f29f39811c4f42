// Maps a stored task to the API shape: parsed through the schema so no internal
// column (secrets, leases, upstream URLs) can leak.
import type { Task, TaskImage } from "../generated/prisma/client";
import { taskDtoSchema, type TaskDto } from "./schema";

export function imageUrl(taskId: string, index: number, thumb = false) {
  return `/api/images/${taskId}/${index}${thumb ? "?size=thumb" : ""}`;
}

export function toTaskDto(task: Task & { images: TaskImage[] }): TaskDto {
  return taskDtoSchema.parse({
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
      .map((img) => ({ index: img.index, url: imageUrl(task.id, img.index), thumbnailUrl: imageUrl(task.id, img.index, true), width: img.width, height: img.height })),
  });
}
