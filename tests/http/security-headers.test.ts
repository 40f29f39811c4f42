// The per-request security headers' values: page and resource policies, nonces, HSTS.
import { describe, expect, it } from "vitest";
import { createNonce, hstsFor, isResourcePath, pageCsp, RESOURCE_CSP } from "@/lib/http/security-headers";

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
});
