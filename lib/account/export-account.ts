// "Export my data": a ZIP of every archived image and tasks.json (every task with
// its parameters), written as it is read. Images are stored (not recompressed:
// PNG and JPEG are compressed already) and each is streamed from the blob store
// only when the ZIP reaches it, so memory holds one image's chunks at a time.
import { Readable } from "node:stream";
import yazl from "yazl";
import { getDb } from "../db/client";
import { logger } from "../log";
import { getBlobStore } from "../storage";
import { addLazyEntry } from "../storage/lazy-zip-entry";
import { toTaskDto } from "../tasks/to-dto";

const PAGE = 200;

type ExportedTask = ReturnType<typeof toTaskDto> & { files: string[]; missingFiles?: string[] };

export function exportFileName(now = new Date()): string {
  return `kling-portal-export-${now.toISOString().slice(0, 10)}.zip`;
}

/** The ZIP as a Node stream; errors reading the database or the store end it with an error. */
export function exportAccountZip(userId: string): Readable {
  const zip = new yazl.ZipFile();
  const store = getBlobStore();
  const tasks: ExportedTask[] = [];
  const fill = async () => {
    let cursor: string | undefined;
    for (;;) {
      const page = await getDb().task.findMany({
        where: { userId },
        include: { images: true },
        orderBy: { id: "asc" },
        take: PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      for (const task of page) {
        const entry: ExportedTask = { ...toTaskDto(task), files: [] };
        tasks.push(entry);
        for (const img of [...task.images].sort((a, b) => a.index - b.index)) {
          const name = `images/${task.id}/${img.index}.${img.storageKey.split(".").pop()}`;
          entry.files.push(name);
          addLazyEntry(zip, name, { mtime: img.createdAt, compress: false }, async () => {
            const stream = await store.getStream(img.storageKey);
            if (stream) {
              // pipe() does not pass a read error on: end the whole ZIP with it.
              stream.once("error", (err) => zip.emit("error", err));
              return stream;
            }
            // A file lost from the store: an empty entry, and tasks.json says so.
            (entry.missingFiles ??= []).push(name);
            return Readable.from([]);
          });
        }
      }
      if (page.length < PAGE) break;
      cursor = page[page.length - 1].id;
    }
    // Last, so that its content is made after every image entry has been read.
    zip.addReadStreamLazy("tasks.json", { mtime: new Date() }, (cb) => {
      cb(null, Readable.from([JSON.stringify({ exportedAt: new Date().toISOString(), tasks }, null, 2)]));
    });
    zip.end();
  };
  const output = zip.outputStream as Readable;
  const fail = (err: unknown) => {
    logger.error({ err, userId }, "account export failed");
    output.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  zip.on("error", fail);
  fill().catch(fail);
  return output;
}
