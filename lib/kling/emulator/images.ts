// GET /images/<task_id>/<index>.png: the preview images of succeeded tasks,
// rendered on first request and kept in a small cache.
import type { ServerResponse } from "node:http";
import type { EmulatorCore } from "./core";
import { renderPreview } from "./render-image";
import { statusAt } from "./task-clock";

export const IMAGE_PATH = /^\/images\/([A-Za-z0-9_-]{1,64})\/(\d)\.png$/;

export function createImageRoute(core: EmulatorCore) {
  const cache = new Map<string, Promise<Buffer>>();
  return async function image(res: ServerResponse, taskId: string, index: number): Promise<boolean> {
    core.calls.images++;
    const task = core.tasks.get(taskId);
    if (!task || index >= task.request.n || statusAt(task, Date.now()).status !== "succeed") return false;
    const key = `${taskId}/${index}`;
    let png = cache.get(key);
    if (!png) {
      const reference = await task.reference?.catch(() => undefined);
      png = renderPreview({
        prompt: task.request.prompt,
        negativePrompt: task.request.negative_prompt,
        aspectRatio: task.request.aspect_ratio,
        index,
        n: task.request.n,
        reference,
        fidelity: task.request.image_fidelity,
      });
      cache.set(key, png);
      png.catch(() => cache.delete(key));
      if (cache.size > 64) cache.delete(cache.keys().next().value!);
    }
    const bytes = await png;
    res.writeHead(200, { "Content-Type": "image/png", "Content-Length": bytes.length, "Cache-Control": "public, max-age=86400" });
    res.end(bytes);
    return true;
  };
}
