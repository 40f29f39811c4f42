// The process-wide blob store: S3 when S3_BUCKET is set, else DATA_DIR/images.
import path from "node:path";
import { getConfig, type Config } from "../config";
import type { BlobStore } from "./blob-store";
import { createFsStore } from "./fs-store";
import { createS3Store } from "./s3-store";

export type { BlobStore, StoredBlob } from "./blob-store";

export function createBlobStore(config: Config): BlobStore {
  if (config.S3_BUCKET) {
    return createS3Store({
      endpoint: config.S3_ENDPOINT,
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      accessKeyId: config.S3_ACCESS_KEY_ID!,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
    });
  }
  return createFsStore(path.join(config.DATA_DIR, "images"));
}

const key = Symbol.for("kling-portal.blob-store");
type Holder = { [key]?: BlobStore };

export function getBlobStore(): BlobStore {
  const g = globalThis as Holder;
  return (g[key] ??= createBlobStore(getConfig()));
}

export function setBlobStore(store: BlobStore | undefined): void {
  (globalThis as Holder)[key] = store;
}
