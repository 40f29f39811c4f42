// Checks an image, measures it, hashes it and makes its WebP thumbnail.
import { createHash } from "node:crypto";
import sharp, { type Metadata } from "sharp";
import { ImageError } from "./errors";

export const THUMBNAIL_SIZE = 512;
const FORMATS = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" } as const;

export type ProcessedImage = {
  original: Buffer;
  contentType: (typeof FORMATS)[keyof typeof FORMATS];
  width: number;
  height: number;
  sha256: string;
  thumbnail: Buffer;
};

export async function processImage(bytes: Buffer): Promise<ProcessedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: 100_000_000 }).metadata();
  } catch {
    throw new ImageError("The downloaded file is not a readable image", false);
  }
  const contentType = FORMATS[meta.format as keyof typeof FORMATS];
  if (!contentType || !meta.width || !meta.height) throw new ImageError("The downloaded file is not a PNG, JPEG or WebP image", false);
  let thumbnail: Buffer;
  try {
    thumbnail = await sharp(bytes, { limitInputPixels: 100_000_000 })
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
    width: meta.width,
    height: meta.height,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    thumbnail,
  };
}
