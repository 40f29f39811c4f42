import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadImage } from "@/lib/images/download-image";
import { ImageError } from "@/lib/images/errors";
import { makePng } from "../helpers/images";

let server: http.Server;
let base: string;
let png: Buffer;

beforeAll(async () => {
  png = await makePng(320, 320);
  server = http.createServer((req, res) => {
    const path = new URL(req.url!, "http://x").pathname;
    if (path === "/ok.png") return res.writeHead(200, { "Content-Type": "image/png" }).end(png);
    if (path === "/slow.png") return void setTimeout(() => res.writeHead(200).end(png), 1500);
    if (path === "/big.png") {
      res.writeHead(200, { "Content-Type": "image/png" });
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once("drain", pump);
        else res.end();
      };
      return pump();
    }
    res.writeHead(Number(path.slice(1)) || 404).end("nope");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a failure"); }, (e: ImageError) => e);

describe("downloadImage", () => {
  it("returns the bytes of an image", async () => {
    expect((await downloadImage(`${base}/ok.png`)).equals(png)).toBe(true);
  });

  it("treats 404 and 403 as final and 503 and 429 as worth retrying", async () => {
    for (const [status, retryable] of [[404, false], [403, false], [503, true], [429, true]] as const) {
      const err = await failure(downloadImage(`${base}/${status}`));
      expect(err).toBeInstanceOf(ImageError);
      expect(err.retryable).toBe(retryable);
      expect(err.message).toContain(`HTTP ${status}`);
    }
  });

  it("gives up on a slow server with a retryable timeout", async () => {
    const err = await failure(downloadImage(`${base}/slow.png`, { timeoutMs: 200 }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/did not arrive/);
  });

  it("stops reading an image over the size cap", async () => {
    const err = await failure(downloadImage(`${base}/big.png`, { maxBytes: 256 * 1024 }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/larger than/);
  });

  it("never puts the URL's query (signatures) into its messages", async () => {
    const err = await failure(downloadImage(`${base}/404?sig=SECRET123&token=abc`));
    expect(err.message).not.toContain("SECRET123");
    expect(err.message).toContain("127.0.0.1");
  });

  it("refuses non-http addresses and reports unreachable hosts as retryable", async () => {
    expect((await failure(downloadImage("file:///etc/passwd"))).retryable).toBe(false);
    expect((await failure(downloadImage("http://127.0.0.1:1/x.png"))).retryable).toBe(true);
  });
});
