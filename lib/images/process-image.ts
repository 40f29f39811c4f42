// Checks an image, measures it, hashes it and makes its WebP thumbnail.
import { createHash } from "node:crypto";
import type { Metadata } from "sharp";
import { ImageError } from "./errors";

export const THUMBNAIL_SIZE = 512;
/** Largest image accepted, in pixels (100 megapixels): bigger ones would exhaust memory when decoded. */
export const MAX_PIXELS = 100_000_000;
const FORMATS = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" } as const;

export type ProcessedImage = {
  original: Buffer;
  contentType: (typeof FORMATS)[keyof typeof FORMATS];
  width: number;
  height: number;
  sha256: string;
  thumbnail: Buffer;
};

// libvips is loaded on the first image, not at start: most processes never archive one.
// Its operation cache is off: every image is new, so the cache only held memory.
let sharpModule: Promise<typeof import("sharp").default> | undefined;
const loadSharp = () =>
  (sharpModule ??= import("sharp").then((m) => {
    m.default.cache(false);
    return m.default;
  }));

export async function processImage(bytes: Buffer): Promise<ProcessedImage> {
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    // Reading the header does not decode pixels, so the size check below can give a clear message.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new ImageError("The downloaded file is not a readable image", false);
  }
  const contentType = FORMATS[meta.format as keyof typeof FORMATS];
  if (!contentType || !meta.width || !meta.height) throw new ImageError("The downloaded file is not a PNG, JPEG or WebP image", false);
  if (meta.width * meta.height > MAX_PIXELS) {
    throw new ImageError(`The image is too large (${meta.width}×${meta.height} pixels); the limit is ${MAX_PIXELS / 1_000_000} megapixels`, false);
  }
  let thumbnail: Buffer;
  try {
    thumbnail = await sharp(bytes, { limitInputPixels: MAX_PIXELS })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  } catch {
    throw new ImageError("The downloaded image is damaged", false);
  }
  return {
    original: bytes,
    contentType,
    // As displayed: EXIF orientation 5-8 swaps the sides, like the (rotated) thumbnail.
    width: meta.autoOrient?.width ?? meta.width,
    height: meta.autoOrient?.height ?? meta.height,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    thumbnail,
  };
}
