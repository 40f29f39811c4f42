// Blob store in an S3-compatible bucket (AWS S3, MinIO, R2, s3rver).
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { assertSafeFolder, assertSafeKey, type BlobStore } from "./blob-store";

export type S3StoreOptions = {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
};

export function createS3Store(opts: S3StoreOptions): BlobStore {
  const client = new S3Client({
    endpoint: opts.endpoint,
    region: opts.region,
    forcePathStyle: opts.forcePathStyle,
    credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
    // Newer SDKs add CRC checksums to every upload by default; several S3-compatible
    // servers (older MinIO, some gateways) reject them. Only send them where S3 requires it.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const Bucket = opts.bucket;
  async function getObject(key: string) {
    assertSafeKey(key);
    try {
      return await client.send(new GetObjectCommand({ Bucket, Key: key }));
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return null;
      throw err;
    }
  }
  return {
    async put(key, body, contentType) {
      assertSafeKey(key);
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.length }));
    },
    async get(key) {
      const out = await getObject(key);
      if (!out) return null;
      const body = Buffer.from(await out.Body!.transformToByteArray());
      return { body, contentType: out.ContentType ?? "application/octet-stream", size: body.length };
    },
    async getStream(key) {
      const out = await getObject(key);
      // In Node the SDK's body is an http.IncomingMessage: a Readable.
      return out ? (out.Body as Readable) : null;
    },
    async delete(key) {
      assertSafeKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    async deletePrefix(prefix) {
      assertSafeFolder(prefix);
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }));
        const keys = (page.Contents ?? []).map((o) => o.Key!).filter(Boolean);
        if (keys.length) {
          let left = keys;
          try {
            const out = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
            // Per-key failures come back in Errors, not as an exception: retry those one by one.
            left = (out.Errors ?? []).map((e) => e.Key!).filter(Boolean);
          } catch {
            // Some S3-compatible servers lack multi-object delete.
          }
          for (const Key of left) await client.send(new DeleteObjectCommand({ Bucket, Key }));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
  };
}
