import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trustUpstreamOrigin } from "@/lib/http/upstream-origins";
import { downloadImage as download, type DownloadOptions } from "@/lib/images/download-image";
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

// The scripted server stands in for the configured upstream: its origin is allowed explicitly.
const downloadImage = (url: string, opts: DownloadOptions = {}) => download(url, { allowOrigins: [base], ...opts });

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: ImageError) => e,
  );

describe("downloadImage", () => {
  it("returns the bytes of an image", async () => {
    expect((await downloadImage(`${base}/ok.png`)).equals(png)).toBe(true);
  });

  it("treats 404 and 403 as final and 503 and 429 as worth retrying", async () => {
    for (const [status, retryable] of [
      [404, false],
      [403, false],
      [503, true],
      [429, true],
    ] as const) {
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
    const closed = http.createServer();
    await new Promise<void>((ok) => closed.listen(0, "127.0.0.1", ok));
    const closedBase = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((ok) => closed.close(ok));
    expect((await failure(downloadImage(`${closedBase}/x.png`, { allowOrigins: [closedBase] }))).retryable).toBe(true);
  });

  it("refuses private addresses outside the allowed origins, and the metadata address by redirect", async () => {
    const err = await failure(download(`${base}/ok.png?sig=SECRET123`, { allowOrigins: [] }));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe("The image was not downloaded: image URL is 127.0.0.1, a loopback address: only public addresses are allowed");
    const meta = await failure(download("http://169.254.169.254/latest/meta-data/iam", { allowOrigins: [] }));
    expect(meta.message).toMatch(/169\.254\.169\.254, a link-local address: only public addresses are allowed$/);
  });

  it("by default allows the origins of the Kling clients this process created", async () => {
    const other = `http://localhost:${new URL(base).port}`;
    await expect(download(`${other}/ok.png`)).rejects.toThrow(/resolves to (127\.0\.0\.1|::1), a loopback address/);
    trustUpstreamOrigin(`${other}/some/base`);
    expect((await download(`${other}/ok.png`)).equals(png)).toBe(true);
  });
});
