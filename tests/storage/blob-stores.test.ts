import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "@/lib/storage";
import { createFsStore } from "@/lib/storage/fs-store";
import { createS3Store } from "@/lib/storage/s3-store";
import { startS3 } from "../helpers/s3";

type Setup = { store: BlobStore; close(): Promise<void> };

const stores: [string, () => Promise<Setup>][] = [
  [
    "folder store",
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), "blobs-"));
      return { store: createFsStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
  [
    "S3 store (s3rver)",
    async () => {
      const s3 = await startS3();
      return { store: createS3Store(s3.options), close: s3.close };
    },
  ],
];

describe.each(stores)("%s", (_name, make) => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await make();
  }, 60_000);
  afterAll(() => setup?.close());

  it("stores and returns bytes with their content type", async () => {
    const body = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await setup.store.put("tasks/t1/0.png", body, "image/png");
    const blob = await setup.store.get("tasks/t1/0.png");
    expect(blob).toEqual({ body, contentType: "image/png", size: 7 });
    await setup.store.put("tasks/t1/0.thumb.webp", Buffer.from("webp"), "image/webp");
    expect((await setup.store.get("tasks/t1/0.thumb.webp"))?.contentType).toBe("image/webp");
  });

  it("returns null for a missing key and deletes idempotently", async () => {
    expect(await setup.store.get("tasks/none/0.png")).toBeNull();
    await setup.store.put("refs/r1.jpg", Buffer.from("jpeg"), "image/jpeg");
    await setup.store.delete("refs/r1.jpg");
    await setup.store.delete("refs/r1.jpg");
    expect(await setup.store.get("refs/r1.jpg")).toBeNull();
  });

  it("deletes a task's folder and nothing else", async () => {
    for (const i of [0, 1, 2]) await setup.store.put(`tasks/a/${i}.png`, Buffer.from(`a${i}`), "image/png");
    await setup.store.put("tasks/ab/0.png", Buffer.from("ab"), "image/png");
    await setup.store.deletePrefix("tasks/a/");
    for (const i of [0, 1, 2]) expect(await setup.store.get(`tasks/a/${i}.png`)).toBeNull();
    expect((await setup.store.get("tasks/ab/0.png"))?.body.toString()).toBe("ab");
  });

  it("streams a blob as it is read, and gives null for a missing key", async () => {
    const body = Buffer.alloc(256 * 1024, 7);
    await setup.store.put("tasks/s1/0.png", body, "image/png");
    const stream = await setup.store.getStream("tasks/s1/0.png");
    const chunks: Buffer[] = [];
    for await (const chunk of stream!) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    expect(await setup.store.getStream("tasks/none/0.png")).toBeNull();
    await expect(setup.store.getStream("../etc/passwd")).rejects.toThrow(/Unsafe storage key/);
  });

  it("refuses keys that could escape the store", async () => {
    for (const key of ["../etc/passwd", "/abs.png", "tasks/../../x.png", "a\\b.png", "tasks/./x.png"]) {
      await expect(setup.store.put(key, Buffer.from("x"), "image/png")).rejects.toThrow(/Unsafe storage key/);
    }
  });
});
