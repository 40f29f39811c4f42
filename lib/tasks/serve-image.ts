// Streams an archived image or its thumbnail with long-lived caching: stored
// images never change, so their SHA-256 is a perfect ETag. A downloaded PNG
// carries its generation settings as text chunks (png-parameters.ts).
import { getDb } from "../db/client";
import { notFound } from "../http/errors";
import { parseImageIndex } from "../images/image-index";
import { isPng, withParameters, type ImageParameters } from "../images/png-parameters";
import { getBlobStore } from "../storage";

export const imageTaskSelect = {
  id: true,
  prompt: true,
  negativePrompt: true,
  aspectRatio: true,
  imageFidelity: true,
  imageRef: true,
  provider: true,
} as const;
type ImageTask = {
  id: string;
  prompt: string;
  negativePrompt: string | null;
  aspectRatio: string;
  imageFidelity: number;
  imageRef: string | null;
  provider: string;
};

export function imageParameters(task: ImageTask, image: { width: number; height: number }): ImageParameters {
  return {
    prompt: task.prompt,
    negative_prompt: task.negativePrompt,
    aspect_ratio: task.aspectRatio,
    image_fidelity: task.imageFidelity,
    reference: !!task.imageRef,
    task_id: task.id,
    provider: task.provider,
    width: image.width,
    height: image.height,
  };
}

/** The original bytes, with the settings embedded when it is a PNG. */
export function originalWithParameters(body: Uint8Array, task: ImageTask, image: { width: number; height: number }): Uint8Array {
  return isPng(body) ? withParameters(body, imageParameters(task, image)) : body;
}

export async function serveTaskImage(
  req: Request,
  where: { taskId: string; index: string; userId?: string },
  opts: {
    cacheControl?: string /** A link anyone may hold (signed, shared): it stops working when the owner's account is disabled. */;
    publicLink?: boolean;
  } = {},
): Promise<Response> {
  const index = parseImageIndex(where.index);
  const owner = { ...(where.userId ? { userId: where.userId } : {}), ...(opts.publicLink ? { user: { disabledAt: null } } : {}) };
  // findUnique: Prisma batches concurrent ones (a gallery loads many thumbnails at once) into one query.
  const image = await getDb().taskImage.findUnique({
    where: { taskId_index: { taskId: where.taskId, index }, ...(Object.keys(owner).length ? { task: owner } : {}) },
    include: { task: { select: imageTaskSelect } },
  });
  if (!image) throw notFound("Image not found");
  const url = new URL(req.url);
  const thumb = url.searchParams.get("size") === "thumb";
  const download = !!url.searchParams.get("download");
  const etag = `"${image.sha256.slice(0, 32)}${thumb ? "-t" : download ? "-d" : ""}"`;
  const headers: Record<string, string> = {
    ETag: etag,
    "Cache-Control": opts.cacheControl ?? "private, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
  };
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  const blob = await getBlobStore().get(thumb ? image.thumbKey : image.storageKey);
  if (!blob) throw notFound("Image file is missing from storage");
  let body: Uint8Array = new Uint8Array(blob.body);
  if (download) {
    const ext = thumb ? "webp" : (image.storageKey.split(".").pop() ?? "png");
    headers["Content-Disposition"] = `attachment; filename="${downloadName(image.task.prompt, image.index)}.${ext}"`;
    if (!thumb) body = originalWithParameters(body, image.task, image);
  }
  return new Response(body as Uint8Array<ArrayBuffer>, {
    headers: { ...headers, "Content-Type": blob.contentType, "Content-Length": String(body.byteLength) },
  });
}

/** "A lighthouse at dusk!" → "a-lighthouse-at-dusk-1" */
export function downloadName(prompt: string, index: number): string {
  const slug = prompt
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${slug || "image"}-${index + 1}`;
}
