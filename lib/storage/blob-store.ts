// Where archived images, thumbnails and uploaded references live: a folder
// under DATA_DIR by default, an S3-compatible bucket in production.
import type { Readable } from "node:stream";

export type StoredBlob = { body: Buffer; contentType: string; size: number };

export interface BlobStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<StoredBlob | null>;
  /** The blob as a stream, read as it is consumed (exports of many images), or null when missing. */
  getStream(key: string): Promise<Readable | null>;
  delete(key: string): Promise<void>;
  /** Removes every key starting with `prefix` (e.g. "tasks/<id>/"). */
  deletePrefix(prefix: string): Promise<void>;
}

/** Keys are relative paths made by the portal; anything that could escape the store is refused. */
export function assertSafeKey(key: string): void {
  if (!key || key.startsWith("/") || key.includes("\\") || key.includes("\0") || key.split("/").some((p) => p === ".." || p === ".")) {
    throw new Error(`Unsafe storage key "${key.slice(0, 80)}"`);
  }
}

/** A deletePrefix argument: a safe folder key ending in "/"; returns it without the slash. */
export function assertSafeFolder(prefix: string): string {
  if (!prefix.endsWith("/")) throw new Error("deletePrefix needs a folder prefix ending in /");
  const folder = prefix.slice(0, -1);
  assertSafeKey(folder);
  return folder;
}

const TYPES: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp" };

export function contentTypeForKey(key: string): string {
  return TYPES[key.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
}
