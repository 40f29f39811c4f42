// Blob store in a local folder. Writes go to a temporary file first and are
// renamed into place, so a reader never sees half an image.
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { assertSafeFolder, assertSafeKey, contentTypeForKey, type BlobStore } from "./blob-store";

const MISSING = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

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
      try {
        await writeFile(tmp, body);
        await rename(tmp, target);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },
    async get(key) {
      try {
        const body = await readFile(file(key));
        return { body, contentType: contentTypeForKey(key), size: body.length };
      } catch (err) {
        // A missing file, a folder, or a path through a file: all mean "no such key".
        if (MISSING.has((err as NodeJS.ErrnoException).code ?? "")) return null;
        throw err;
      }
    },
    async getStream(key) {
      try {
        // Opened now, so a missing file is null here rather than an error mid-stream.
        const handle = await open(file(key), "r");
        return handle.createReadStream();
      } catch (err) {
        if (MISSING.has((err as NodeJS.ErrnoException).code ?? "")) return null;
        throw err;
      }
    },
    async delete(key) {
      await unlink(file(key)).catch((err) => {
        if (!MISSING.has((err as NodeJS.ErrnoException).code ?? "")) throw err;
      });
    },
    async deletePrefix(prefix) {
      await rm(file(assertSafeFolder(prefix)), { recursive: true, force: true });
    },
  };
}
