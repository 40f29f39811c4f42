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
import { downloadName, imageTaskSelect, originalWithParameters } from "./serve-image";

export async function taskZipResponse(where: { id: string; userId: string }): Promise<Response> {
  const task = await getDb().task.findFirst({
    where,
    select: { ...imageTaskSelect, images: { select: { index: true, storageKey: true, width: true, height: true }, orderBy: { index: "asc" } } },
  });
  if (!task) throw notFound("Task not found");
  if (task.images.length === 0) throw notFound("This task has no images yet");
  const zip = new yazl.ZipFile();
  const store = getBlobStore();
  for (const image of task.images) {
    const ext = image.storageKey.split(".").pop() ?? "png";
    zip.addReadStreamLazy(`${downloadName(task.prompt, image.index)}.${ext}`, { compress: false, mtime: new Date() }, (cb) => {
      store.get(image.storageKey).then(
        (blob) => (blob ? cb(null, Readable.from([Buffer.from(originalWithParameters(new Uint8Array(blob.body), task, image))])) : cb(new Error(`image ${image.index} is missing from storage`), null as never)),
        (err) => cb(err, null as never),
      );
    });
  }
  zip.end();
  zip.on("error", (err: unknown) => logger.error({ err, taskId: task.id }, "task ZIP failed mid-stream"));
  const body = Readable.toWeb(zip.outputStream as Readable) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${downloadName(task.prompt, 0).replace(/-1$/, "")}.zip"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
