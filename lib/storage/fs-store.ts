// Blob store in a local folder. Writes go to a temporary file first and are
// renamed into place, so a reader never sees half an image.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { assertSafeKey, contentTypeForKey, type BlobStore } from "./blob-store";

export function createFsStore(root: string): BlobStore {
  const file = (key: string) => {
    assertSafeKey(key);
    return path.join(root, ...key.split("/"));
  };
  return {
    async put(key, body) {
      const target = file(key);
      await mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, target);
    },
    async get(key) {
      try {
        const body = await readFile(file(key));
        return { body, contentType: contentTypeForKey(key), size: body.length };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    async delete(key) {
      await unlink(file(key)).catch((err) => {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      });
    },
    async deletePrefix(prefix) {
      if (!prefix.endsWith("/")) throw new Error("deletePrefix needs a folder prefix ending in /");
      await rm(file(prefix.slice(0, -1)), { recursive: true, force: true });
    },
  };
}
