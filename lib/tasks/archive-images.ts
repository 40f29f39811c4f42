// Downloads each upstream image of a succeeded task exactly once into the
// portal's storage, with a WebP thumbnail and a SHA-256, then marks the task
// `succeed`. Safe to repeat: images already stored are skipped. The lease is
// proven right before the downloads (all started together, so one slow image
// does not hold up the others), so two workers never fetch the same task.
import { getDb } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { downloadImage } from "../images/download-image";
import { processImage } from "../images/process-image";
import { getBlobStore } from "../storage";
import { notifyTaskChanged } from "./notify";
import { getProvider } from "./provider";
import { LeaseLostError } from "./task-lease";
import { DOWNLOAD_TIMEOUT_MS } from "./timing";

type UpstreamImage = { index: number; url: string };

const ext: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };

export async function archiveImages(task: Task, opts: { prove: () => Promise<boolean>; now: Date }): Promise<boolean> {
  const db = getDb();
  const images = (task.upstreamImages ?? []) as UpstreamImage[];
  const done = new Set((await db.taskImage.findMany({ where: { taskId: task.id }, select: { index: true } })).map((i) => i.index));
  const store = getBlobStore();
  // Creating the provider trusts its base URL's origin for image downloads; a
  // worker that only archives (success came by callback elsewhere) has not yet.
  getProvider();
  const todo = images.filter((img) => !done.has(img.index));
  if (todo.length) {
    // One proof right before the downloads, which start together: the lease outlives the longest of them.
    if (!(await opts.prove())) throw new LeaseLostError(task.id);
    const results = await Promise.allSettled(
      todo.map(async (img) => {
        const bytes = await downloadImage(img.url, { timeoutMs: DOWNLOAD_TIMEOUT_MS });
        const processed = await processImage(bytes);
        const storageKey = `tasks/${task.id}/${img.index}.${ext[processed.contentType] ?? "png"}`;
        const thumbKey = `tasks/${task.id}/${img.index}.thumb.webp`;
        await store.put(storageKey, processed.original, processed.contentType);
        await store.put(thumbKey, processed.thumbnail, "image/webp");
        return {
          taskId: task.id,
          index: img.index,
          upstreamUrl: img.url,
          storageKey,
          thumbKey,
          contentType: processed.contentType,
          bytes: processed.original.length,
          width: processed.width,
          height: processed.height,
          sha256: processed.sha256,
        };
      }),
    );
    const stored = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    try {
      // Images that made it are kept (a retry skips them); createMany + skipDuplicates keeps another worker's row.
      if (stored.length) await db.taskImage.createMany({ data: stored, skipDuplicates: true });
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    } catch (err) {
      // Deleted (alone or with its account) while the downloads ran: the deletion
      // may have cleared the folder before these files landed, so clear it again.
      if (!(await db.task.findUnique({ where: { id: task.id }, select: { id: true } }))) {
        await store.deletePrefix(`tasks/${task.id}/`);
        throw new LeaseLostError(task.id);
      }
      throw err;
    }
  }
  // A task the portal had given up on (failed) also ends here when upstream delivered after all.
  const { count } = await db.task.updateMany({
    where: { id: task.id, status: { in: ["processing", "failed"] }, upstreamSucceededAt: { not: null }, archivedAt: null },
    data: { status: "succeed", statusMsg: "", archivedAt: opts.now, finishedAt: opts.now, leaseUntil: null, leaseOwner: null },
  });
  if (count) await notifyTaskChanged(task.id, task);
  return count > 0;
}
