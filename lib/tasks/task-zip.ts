// A task's images as one ZIP, streamed: each image is read from storage only
// when the archive reaches it, so memory holds one image at a time, whatever
// the task's size. PNGs carry their settings (png-parameters.ts). Images are
// stored already compressed, so entries are stored, not deflated.
import { Readable } from "node:stream";
import yazl from "yazl";
import { getDb } from "../db/client";
import { notFound } from "../http/errors";
import { logger } from "../log";
import { getBlobStore } from "../storage";
import { addLazyEntry } from "../storage/lazy-zip-entry";
import { downloadName, imageTaskSelect, originalWithParameters } from "./serve-image";

const imagesSelect = { select: { index: true, storageKey: true, width: true, height: true }, orderBy: { index: "asc" } } as const;
type ZipTask = Parameters<typeof originalWithParameters>[1] & { images: { index: number; storageKey: string; width: number; height: number }[] };

export async function taskZipResponse(where: { id: string; userId: string }): Promise<Response> {
  const task = await getDb().task.findUnique({ where, select: { ...imageTaskSelect, images: imagesSelect } });
  if (!task) throw notFound("Task not found");
  if (task.images.length === 0) throw notFound("This task has no images yet");
  return zipResponse([task], `${downloadName(task.prompt, 0).replace(/-1$/, "")}.zip`);
}

/** Chosen images of a user's tasks ("<taskId>.<index>"), in the order given; unknown ones are a 404 naming them. */
export async function imagesZipResponse(userId: string, picks: { taskId: string; index: number }[]): Promise<Response> {
  const ids = [...new Set(picks.map((p) => p.taskId))];
  const tasks = await getDb().task.findMany({ where: { id: { in: ids }, userId }, select: { ...imageTaskSelect, images: imagesSelect } });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const missing = picks.filter((p) => !byId.get(p.taskId)?.images.some((i) => i.index === p.index));
  if (missing.length)
    throw notFound(
      `Image not found: ${missing
        .slice(0, 3)
        .map((p) => `${p.taskId}.${p.index}`)
        .join(", ")}`,
    );
  const chosen = ids.map((id) => {
    const task = byId.get(id)!;
    return { ...task, images: task.images.filter((img) => picks.some((p) => p.taskId === id && p.index === img.index)) };
  });
  return zipResponse(chosen, `kling-images-${picks.length}.zip`);
}

function zipResponse(tasks: ZipTask[], filename: string): Response {
  const zip = new yazl.ZipFile();
  const store = getBlobStore();
  const used = new Set<string>();
  for (const task of tasks) {
    for (const image of task.images) {
      const ext = image.storageKey.split(".").pop() ?? "png";
      // Two tasks with one prompt would share names: the task id tells them apart.
      let name = `${downloadName(task.prompt, image.index)}.${ext}`;
      if (used.has(name)) name = `${downloadName(task.prompt, image.index)}-${task.id}.${ext}`;
      used.add(name);
      addLazyEntry(zip, name, { compress: false, mtime: new Date() }, async () => {
        const blob = await store.get(image.storageKey);
        if (!blob) throw new Error(`image ${image.index} is missing from storage`);
        return Readable.from([Buffer.from(originalWithParameters(new Uint8Array(blob.body), task, image))]);
      });
    }
  }
  zip.end();
  zip.on("error", (err: unknown) => logger.error({ err }, "ZIP failed mid-stream"));
  const body = Readable.toWeb(zip.outputStream as Readable) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
