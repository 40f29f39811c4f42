// Folder-store specifics. The contract shared with the S3 store (roundtrip,
// missing keys, deletePrefix, unsafe keys) is in blob-stores.test.ts.
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFsStore } from "@/lib/storage/fs-store";
import type { BlobStore } from "@/lib/storage";

let root: string;
let store: BlobStore;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "fs-store-"));
  store = createFsStore(root);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("createFsStore", () => {
  it("writes files at their key's path with no temporary files left over", async () => {
    await store.put("tasks/t1/0.png", Buffer.from("png"), "image/png");
    await store.put("tasks/t1/0.png", Buffer.from("png2"), "image/png");
    expect(await readdir(path.join(root, "tasks", "t1"))).toEqual(["0.png"]);
    expect((await store.get("tasks/t1/0.png"))?.body.toString()).toBe("png2");
  });

  it("derives the content type from the extension", async () => {
    for (const [key, type] of [
      ["refs/a.jpeg", "image/jpeg"],
      ["refs/a.JPG", "image/jpeg"],
      ["refs/a.webp", "image/webp"],
      ["refs/a.bin", "application/octet-stream"],
    ]) {
      await store.put(key, Buffer.from("x"), "image/png");
      expect((await store.get(key))?.contentType).toBe(type);
    }
  });

  it("answers null, not an error, for a folder or a path through a file", async () => {
    await store.put("tasks/t2/0.png", Buffer.from("x"), "image/png");
    expect(await store.get("tasks/t2")).toBeNull();
    expect(await store.get("tasks/t2/0.png/more.png")).toBeNull();
    await expect(store.delete("tasks/t2/0.png/more.png")).resolves.toBeUndefined();
  });

  it("removes a whole folder with deletePrefix, including sub-folders, and tolerates a missing one", async () => {
    await store.put("tasks/t3/0.png", Buffer.from("x"), "image/png");
    await store.put("tasks/t3/thumbs/0.webp", Buffer.from("x"), "image/webp");
    await store.put("tasks/t30/0.png", Buffer.from("keep"), "image/png");
    await store.deletePrefix("tasks/t3/");
    expect(await readdir(path.join(root, "tasks"))).not.toContain("t3");
    expect((await store.get("tasks/t30/0.png"))?.body.toString()).toBe("keep");
    await expect(store.deletePrefix("tasks/never/")).resolves.toBeUndefined();
  });

  it("refuses to delete everything or to walk out of the root", async () => {
    await mkdir(path.join(root, "..", `${path.basename(root)}-sibling`), { recursive: true });
    for (const prefix of ["/", "../", "tasks/../../", "tasks"]) {
      await expect(store.deletePrefix(prefix)).rejects.toThrow();
    }
    await rm(path.join(root, "..", `${path.basename(root)}-sibling`), { recursive: true, force: true });
    expect((await store.get("tasks/t30/0.png"))?.body.toString()).toBe("keep");
    await expect(store.get("..\\x.png")).rejects.toThrow(/Unsafe storage key/);
    await expect(store.get("tasks/\0.png")).rejects.toThrow(/Unsafe storage key/);
  });
});
