// What a task cost in the image budget, in words: "4 images", or "4 images, refunded" once it failed.
import type { TaskDto } from "@/lib/tasks/schema";

export function costText(task: Pick<TaskDto, "cost">): string {
  const images = `${task.cost.images} image${task.cost.images === 1 ? "" : "s"}`;
  return task.cost.refunded ? `${images}, refunded` : images;
}
