// S3-store specifics against a real s3rver. The contract shared with the folder
// store (roundtrip, missing keys, deletePrefix, unsafe keys) is in blob-stores.test.ts.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Store, type S3StoreOptions } from "@/lib/storage/s3-store";
import { startS3 } from "../helpers/s3";

let s3: Awaited<ReturnType<typeof startS3>>;
let proxy: http.Server;
let refusedBatchDeletes = 0;

beforeAll(async () => {
  s3 = await startS3();
  const target = new URL(s3.options.endpoint);
  // A pass-through proxy that, like some S3-compatible servers, has no multi-object delete.
  proxy = http.createServer((req, res) => {
    if (req.method === "POST" && /[?&]delete(=|&|$)/.test(req.url ?? "")) {
      refusedBatchDeletes++;
      req.resume();
      return res
        .writeHead(501, { "Content-Type": "application/xml" })
        .end('<?xml version="1.0"?><Error><Code>NotImplemented</Code><Message>no</Message></Error>');
    }
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
}, 60_000);

afterAll(async () => {
  proxy?.closeAllConnections();
  proxy?.close();
  await s3?.close();
});

describe("createS3Store", () => {
  it("keeps the content type given at upload, whatever the extension", async () => {
    const store = createS3Store(s3.options);
    await store.put("refs/r1.bin", Buffer.from("jpeg bytes"), "image/jpeg");
    expect(await store.get("refs/r1.bin")).toEqual({ body: Buffer.from("jpeg bytes"), contentType: "image/jpeg", size: 10 });
  });

  it("deletes every object under a prefix, nested ones included, and nothing else", async () => {
    const store = createS3Store(s3.options);
    const keys = [0, 1, 2, 3, 4].map((i) => `tasks/p1/${i}.png`).concat("tasks/p1/thumbs/0.webp");
    for (const key of keys) await store.put(key, Buffer.from(key), "image/png");
    await store.put("tasks/p10/0.png", Buffer.from("keep"), "image/png");
    await store.deletePrefix("tasks/p1/");
    for (const key of keys) expect(await store.get(key)).toBeNull();
    expect((await store.get("tasks/p10/0.png"))?.body.toString()).toBe("keep");
    await expect(store.deletePrefix("tasks/none/")).resolves.toBeUndefined();
  });

  it("falls back to one-by-one deletes when the server has no multi-object delete", async () => {
    const port = (proxy.address() as AddressInfo).port;
    const opts: S3StoreOptions = { ...s3.options, endpoint: `http://127.0.0.1:${port}` };
    const store = createS3Store(opts);
    for (const i of [0, 1, 2]) await store.put(`tasks/p2/${i}.png`, Buffer.from("x"), "image/png");
    await store.deletePrefix("tasks/p2/");
    expect(refusedBatchDeletes).toBeGreaterThan(0);
    for (const i of [0, 1, 2]) expect(await store.get(`tasks/p2/${i}.png`)).toBeNull();
  });

  it("refuses a prefix that would cover the whole bucket", async () => {
    const store = createS3Store(s3.options);
    await expect(store.deletePrefix("/")).rejects.toThrow();
    await expect(store.deletePrefix("")).rejects.toThrow();
  });
});
