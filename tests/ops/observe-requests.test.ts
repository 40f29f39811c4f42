// One JSON log line per request through the custom server's observer: request
// id (echoed as X-Request-Id), method, route pattern, status, duration and the
// user a route wrapper named, and nothing secret; plus the per-route histogram.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getMetrics } from "@/lib/ops/metrics";
import { observeRequests } from "@/lib/ops/observe-requests";
import { noteRequestUser } from "@/lib/ops/request-context";
import { routeMatcherFor } from "@/lib/ops/route-patterns";

const lines: Record<string, unknown>[] = [];
const rawLines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split("\n").filter(Boolean)) {
      rawLines.push(l);
      lines.push(JSON.parse(l));
    }
    done();
  },
});
let server: http.Server;
let base = "";

beforeAll(async () => {
  const observe = observeRequests({ logger: pino({ level: "info" }, sink), routeOf: routeMatcherFor(process.cwd()), metrics: getMetrics() });
  server = http.createServer((req, res) =>
    observe(req, res, async () => {
      // The user becomes known later in the request, after awaits, as in the route wrappers.
      await new Promise((ok) => setTimeout(ok, 5));
      if (req.headers.cookie) noteRequestUser("user-1");
      if (req.headers["ocp-apim-subscription-key"]) noteRequestUser("user-2", "key-9");
      res.statusCode = req.url?.startsWith("/api/tasks/") ? 404 : req.method === "POST" ? 500 : 200;
      res.end("done");
    }),
  );
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

async function call(path: string, init: RequestInit = {}) {
  const before = lines.length;
  const res = await fetch(base + path, init);
  await res.text();
  for (let i = 0; i < 50 && lines.length === before; i++) await new Promise((ok) => setTimeout(ok, 10));
  expect(lines.length).toBe(before + 1);
  return { res, line: lines[lines.length - 1], raw: rawLines[rawLines.length - 1] };
}

describe("request observer", () => {
  it("logs one line with request id, method, route pattern, status, duration and the signed-in user", async () => {
    const { res, line, raw } = await call("/api/tasks/ck42?cursor=abc", { headers: { Cookie: "next-auth.session-token=SESSION-COOKIE" } });
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(line).toMatchObject({ level: 30, requestId: id, method: "GET", route: "/api/tasks/[id]", path: "/api/tasks/ck42", status: 404, userId: "user-1" });
    expect(line.durationMs).toBeGreaterThanOrEqual(4);
    // Each field once (JSON.parse would hide a repeated key).
    expect(raw.match(/"requestId"/g)).toHaveLength(1);
  });

  it("names the gateway caller's user and key, and logs 5xx at error level", async () => {
    const { line } = await call("/kling-ai-image/v1/getImageTask", { method: "POST", headers: { "Ocp-Apim-Subscription-Key": "kp_SECRETKEY" }, body: "{}" });
    expect(line).toMatchObject({
      level: 50,
      route: "/kling-ai-image/v1/getImageTask",
      status: 500,
      userId: "user-2",
      apiKeyId: "key-9",
      err: "failed with status code 500",
    });
  });

  it("never logs credentials: headers, query strings, the callback secret in the path", async () => {
    const { raw, line } = await call("/api/callbacks/kling/PATH-SECRET-123?sig=QUERY-SIGNATURE", {
      headers: { Authorization: "Bearer BEARER-TOKEN", Cookie: "a=COOKIE-VALUE", "Ocp-Apim-Subscription-Key": "SUBSCRIPTION-KEY" },
    });
    expect(line).toMatchObject({ route: "/api/callbacks/kling/[secret]", path: "/api/callbacks/kling/[redacted]" });
    for (const secret of ["PATH-SECRET-123", "QUERY-SIGNATURE", "BEARER-TOKEN", "COOKIE-VALUE", "SUBSCRIPTION-KEY"]) expect(raw).not.toContain(secret);
  });

  it("keeps a well-formed X-Request-Id from a proxy and replaces a malformed one", async () => {
    const kept = await call("/", { headers: { "X-Request-Id": "proxy-req-0001" } });
    expect(kept.res.headers.get("x-request-id")).toBe("proxy-req-0001");
    expect(kept.line.requestId).toBe("proxy-req-0001");
    const replaced = await call("/", { headers: { "X-Request-Id": "bad id\twith spaces" } });
    expect(replaced.res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.raw).not.toContain("bad id");
  });

  it("builds no line at a level the logger leaves out, and still records the duration", async () => {
    const asked: string[] = [];
    const refuse = () => {
      throw new Error("a line was built at a level the logger leaves out");
    };
    // A logger that logs nothing: the observer must ask, and then neither build nor write a line.
    const silent = {
      isLevelEnabled: (level: string) => {
        asked.push(level);
        return false;
      },
      info: refuse,
      error: refuse,
    } as unknown as pino.Logger;
    const metric = 'kling_portal_http_request_duration_seconds_count{route="/api/ping",method="GET",status_code="200"}';
    const count = async () =>
      Number(
        (await getMetrics().registry.metrics())
          .split("\n")
          .find((l) => l.startsWith(`${metric} `))
          ?.split(" ")[1] ?? 0,
      );
    const observe = observeRequests({ logger: silent, routeOf: routeMatcherFor(process.cwd()), metrics: getMetrics() });
    const quiet = http.createServer((req, res) =>
      observe(req, res, () => {
        res.statusCode = req.method === "POST" ? 503 : 200;
        res.end("done");
      }),
    );
    await new Promise<void>((ok) => quiet.listen(0, "127.0.0.1", ok));
    const url = `http://127.0.0.1:${(quiet.address() as AddressInfo).port}/api/ping`;
    const before = await count();
    try {
      await (await fetch(url)).text();
      await (await fetch(url, { method: "POST" })).text();
      await expect.poll(() => asked).toEqual(["info", "error"]);
      expect(await count()).toBe(before + 1);
    } finally {
      await new Promise<void>((ok) => quiet.close(() => ok()));
    }
  });

  it("marks the line aborted when the client left before the answer was complete", async () => {
    const seen: Record<string, unknown>[] = [];
    const sink2 = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split("\n").filter(Boolean)) seen.push(JSON.parse(l));
        done();
      },
    });
    const observe = observeRequests({ logger: pino({ level: "info" }, sink2), routeOf: routeMatcherFor(process.cwd()), metrics: getMetrics() });
    // Sends the head and part of the body, then never finishes.
    const slow = http.createServer((req, res) => observe(req, res, () => res.writeHead(200).write("part")));
    await new Promise<void>((ok) => slow.listen(0, "127.0.0.1", ok));
    try {
      const client = http.get(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/api/tasks`, (res) => res.once("data", () => client.destroy()));
      client.on("error", () => {});
      await expect.poll(() => seen.length).toBe(1);
      expect(seen[0]).toMatchObject({ level: 30, route: "/api/tasks", status: 200, aborted: true });
      expect(seen[0]).not.toHaveProperty("err");
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((ok) => slow.close(() => ok()));
    }
  });

  it("records each request's duration in the histogram under its route pattern, never the raw path", async () => {
    await call("/api/tasks/ck-one");
    await call("/api/tasks/ck-two");
    const text = await getMetrics().registry.metrics();
    const count = text.split("\n").find((l) => l.startsWith("kling_portal_http_request_duration_seconds_count{") && l.includes('route="/api/tasks/[id]"'));
    expect(count).toMatch(/method="GET",status_code="404"\} [3-9]$/);
    expect(text).not.toContain("ck-one");
  });
});
