// A method a route handler does not export gets a 405 that says what is
// allowed (Allow header and message), in the portal's shape or the seed's.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { methodGuardFor, refuseUnsupportedMethod } from "@/lib/http/method-guard";
import { readRouteMethods } from "@/lib/ops/route-patterns";

const guard = methodGuardFor(process.cwd());
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (refuseUnsupportedMethod(guard, req, res, "https://portal.example.com")) return;
    res.writeHead(200).end("handled");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((ok) => server.close(ok)));

describe("route methods read from app/", () => {
  it("finds exported consts, functions and re-exports", () => {
    const routes = readRouteMethods(`${process.cwd()}/app`);
    expect(routes.get("/api/tasks")?.sort()).toEqual(["GET", "POST"]);
    expect(routes.get("/api/tasks/[id]")?.sort()).toEqual(["DELETE", "GET"]);
    expect(routes.get("/api/auth/[...nextauth]")?.sort()).toEqual(["GET", "POST"]);
    expect(routes.get("/kling-ai-image/v1/getImageTask")).toEqual(["POST"]);
    // Pages are not route handlers.
    expect(routes.has("/")).toBe(false);
  });
});

describe("the method guard", () => {
  it("answers PUT on /api/tasks/<id> with 405, Allow, the portal's error shape and the security headers", async () => {
    const res = await fetch(`${base}/api/tasks/abc?x=1`, { method: "PUT", body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, DELETE, HEAD, OPTIONS");
    expect(await res.json()).toEqual({ error: { code: "method_not_allowed", message: "PUT is not allowed on /api/tasks/abc: use GET or DELETE" } });
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("answers a wrong method on a gateway path in the seed's shape", async () => {
    const res = await fetch(`${base}/kling-ai-image/v1/getImageTask`, { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST, OPTIONS");
    expect(await res.json()).toEqual({ error: "Method not allowed", detail: "GET is not allowed on /kling-ai-image/v1/getImageTask: use POST" });
  });

  it("leaves allowed methods, HEAD of a GET route, OPTIONS, pages and unknown paths to Next.js", async () => {
    for (const [method, url] of [
      ["GET", "/api/tasks"],
      ["POST", "/api/tasks"],
      ["HEAD", "/api/tasks"],
      ["OPTIONS", "/api/tasks"],
      ["POST", "/"],
      ["DELETE", "/no/such/path"],
      ["PUT", "/kling-ai-image/v1/unknown"],
    ]) {
      const res = await fetch(`${base}${url}`, { method });
      expect(res.status, `${method} ${url}`).toBe(200);
    }
  });
});
