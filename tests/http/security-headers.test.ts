// The per-request security headers' values: page and resource policies, nonces, HSTS.
import { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { resourceHeadersFor } from "@/lib/http/resource-headers";
import { createNonce, hstsFor, isResourcePath, pageCsp, RESOURCE_CSP } from "@/lib/http/security-headers";
import { config as proxyConfig } from "@/proxy";

const directives = (csp: string) => new Map(csp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));

describe("security headers", () => {
  it("page policy: nonce and strict-dynamic for scripts, no unsafe-inline or unsafe-eval in production", () => {
    const d = directives(pageCsp({ nonce: "abc", dev: false, https: false }));
    expect(d.get("script-src")).toEqual(["'self'", "'nonce-abc'", "'strict-dynamic'"]);
    expect(d.get("style-src")).toEqual(["'self'", "'nonce-abc'"]);
    expect(d.get("style-src-attr")).toEqual(["'unsafe-inline'"]);
    expect(d.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    for (const [name, value] of [
      ["object-src", "'none'"],
      ["base-uri", "'self'"],
      ["form-action", "'self'"],
      ["frame-ancestors", "'none'"],
      ["connect-src", "'self'"],
    ]) {
      expect(d.get(name), name).toEqual([value]);
    }
    expect(d.has("upgrade-insecure-requests")).toBe(false);
  });

  it("development adds unsafe-eval for React and unsafe-inline styles for hot reload; https upgrades", () => {
    const d = directives(pageCsp({ nonce: "abc", dev: true, https: true }));
    expect(d.get("script-src")).toContain("'unsafe-eval'");
    expect(d.get("script-src")).not.toContain("'unsafe-inline'");
    expect(d.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d.has("upgrade-insecure-requests")).toBe(true);
  });

  it("resource policy and which paths get it", () => {
    expect(RESOURCE_CSP).toBe("default-src 'none'; frame-ancestors 'none'");
    for (const p of ["/api/tasks", "/api", "/kling-ai-image/v1/getImageTask", "/kling-ai-polling/x", "/_next/static/chunks/a.js"])
      expect(isResourcePath(p), p).toBe(true);
    for (const p of ["/", "/signin", "/tasks/abc", "/apix", "/docs", "/favicon.svg"]) expect(isResourcePath(p), p).toBe(false);
  });

  it("HSTS only for an https public address; nonces are fresh 128-bit values", () => {
    expect(hstsFor("https://portal.example")).toBe("max-age=31536000; includeSubDomains");
    expect(hstsFor("http://localhost:3000")).toBeNull();
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });

  it("the proxy runs for exactly the paths that are not resources (its matcher compiled as Next.js compiles it)", () => {
    // Next.js's own compiler for a proxy's matcher (internal, but what the build runs on this literal).
    const { getMiddlewareMatchers } = createRequire(import.meta.url)("next/dist/build/analysis/get-page-static-info") as {
      getMiddlewareMatchers(m: string[], c: object): { regexp: string }[];
    };
    const [matcher] = getMiddlewareMatchers(proxyConfig.matcher, {});
    const paths = ["/", "/signin", "/tasks/abc", "/apix", "/api", "/api/", "/api/tasks", "/api/tasks/x/images/0", "/docs", "/favicon.svg"];
    paths.push("/kling-ai-image/v1/x", "/kling-ai-polling/v1/getImageStatus", "/_next/static/chunks/a.js", "/_next/image", "/s/abc", "/kling-ai-imagex");
    for (const p of paths) expect(new RegExp(matcher.regexp).test(p), p).toBe(!isResourcePath(p));
  });

  it("the custom server gives resource responses their policy, and HSTS over https; pages are left to the proxy", () => {
    const respond = () => new ServerResponse(new IncomingMessage(new Socket()));
    const plain = resourceHeadersFor("http://localhost:3000");
    const api = respond();
    plain("/api/tasks", api);
    expect(api.getHeader("content-security-policy")).toBe(RESOURCE_CSP);
    expect(api.getHeader("strict-transport-security")).toBeUndefined();
    const page = respond();
    plain("/signin", page);
    expect(page.getHeaderNames()).toEqual([]);
    const https = respond();
    resourceHeadersFor("https://portal.example")("/kling-ai-polling/v1/getImageStatus", https);
    expect(https.getHeader("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });
});
