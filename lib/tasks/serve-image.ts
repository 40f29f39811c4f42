// Streams an archived image or its thumbnail with long-lived caching: stored
// images never change, so their SHA-256 is a perfect ETag.
import { getDb } from "../db/client";
import { notFound } from "../http/errors";
import { getBlobStore } from "../storage";

export async function serveTaskImage(
  req: Request,
  where: { taskId: string; index: string; userId?: string },
  opts: { cacheControl?: string } = {},
): Promise<Response> {
  const index = Number(where.index);
  if (!Number.isInteger(index) || index < 0 || index > 8) throw notFound("Image not found");
  const image = await getDb().taskImage.findFirst({
    where: { taskId: where.taskId, index, ...(where.userId ? { task: { userId: where.userId } } : {}) },
    include: { task: { select: { prompt: true } } },
  });
  if (!image) throw notFound("Image not found");
  const url = new URL(req.url);
  const thumb = url.searchParams.get("size") === "thumb";
  const etag = `"${image.sha256.slice(0, 32)}${thumb ? "-t" : ""}"`;
  const headers: Record<string, string> = {
    ETag: etag,
    "Cache-Control": opts.cacheControl ?? "private, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
  };
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  const blob = await getBlobStore().get(thumb ? image.thumbKey : image.storageKey);
  if (!blob) throw notFound("Image file is missing from storage");
  if (url.searchParams.get("download")) {
    const ext = thumb ? "webp" : (image.storageKey.split(".").pop() ?? "png");
    headers["Content-Disposition"] = `attachment; filename="${downloadName(image.task.prompt, image.index)}.${ext}"`;
  }
  return new Response(new Uint8Array(blob.body), {
    headers: { ...headers, "Content-Type": blob.contentType, "Content-Length": String(blob.size) },
  });
}

/** "A lighthouse at dusk!" → "a-lighthouse-at-dusk-1" */
export function downloadName(prompt: string, index: number): string {
  const slug = prompt.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
  return `${slug || "image"}-${index + 1}`;
}
