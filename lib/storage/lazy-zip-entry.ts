// A ZIP entry whose content is opened only when yazl reaches it, so a large
// archive holds one entry's data at a time; a failure to open ends the ZIP.
import type { Readable } from "node:stream";
import type yazl from "yazl";

export function addLazyEntry(zip: yazl.ZipFile, name: string, options: Partial<yazl.ReadStreamOptions>, open: () => Promise<Readable>): void {
  zip.addReadStreamLazy(name, options, (cb) => {
    open().then(
      (stream) => cb(null, stream),
      (err: Error) => cb(err, null as never),
    );
  });
}
