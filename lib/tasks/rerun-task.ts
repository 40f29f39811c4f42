// Starts a new task with the parameters of an existing one (uploaded reference images included).
import type { CreateTaskRequest } from "./schema";
import { getTaskRowOrThrow } from "./get-task-or-throw";
import { loadReferenceImage } from "./create-task";
import { startTask } from "./start-task";

export async function rerunTask(where: { id: string; userId: string }) {
  const old = await getTaskRowOrThrow(where);
  const input: CreateTaskRequest = {
    prompt: old.prompt,
    negative_prompt: old.negativePrompt ?? undefined,
    image: await loadReferenceImage(old.imageRef),
    image_fidelity: old.imageFidelity,
    n: old.n,
    aspect_ratio: old.aspectRatio as CreateTaskRequest["aspect_ratio"],
  };
  return startTask(input, { userId: where.userId, source: "web" });
}
