// The CSRF guard on its own: which write requests pass, which are refused
// with 403, and that reads are never checked.
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/http/errors";
import { assertSameOriginWrite } from "@/lib/http/same-origin";

const PUBLIC = "https://portal.example";

function check(method: string, headers: Record<string, string>): ApiError | null {
  try {
    assertSameOriginWrite(new Request("http://portal.internal:3000/api/tasks", { method, headers }), PUBLIC);
    return null;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
}

describe("assertSameOriginWrite", () => {
  it("lets reads through whatever they carry", () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) expect(check(method, { origin: "https://evil.example", "content-type": "text/plain" })).toBeNull();
  });

  it("accepts JSON, the public origin, the request's own host, and Sec-Fetch-Site: same-origin", () => {
    expect(check("POST", { "content-type": "application/json" })).toBeNull();
    expect(check("POST", { "content-type": "Application/JSON; charset=utf-8" })).toBeNull();
    expect(check("DELETE", { origin: PUBLIC })).toBeNull();
    expect(check("DELETE", { origin: "http://portal.internal:3000", host: "portal.internal:3000" })).toBeNull();
    expect(check("DELETE", { origin: "https://portal.lan", host: "127.0.0.1:3000", "x-forwarded-host": "portal.lan" })).toBeNull();
    expect(check("PATCH", { "sec-fetch-site": "same-origin" })).toBeNull();
    expect(check("POST", { origin: PUBLIC, "sec-fetch-site": "same-origin", "content-type": "multipart/form-data; boundary=x" })).toBeNull();
  });

  it("refuses form content types without a same-origin proof, naming what it got", () => {
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]) {
      const err = check("POST", { "content-type": type });
      expect(err?.status, type).toBe(403);
      expect(err?.code).toBe("cross_site_request");
      expect(err?.message).toContain(type);
    }
    expect(check("DELETE", {})?.message).toMatch(/Content-Type: application\/json \(got none\)/);
  });

  it("refuses a foreign or opaque Origin and cross-site fetch metadata even with JSON", () => {
    expect(check("POST", { origin: "https://evil.example", "content-type": "application/json" })?.message).toContain(
      "Origin https://evil.example is not this portal",
    );
    expect(check("POST", { origin: "null", "content-type": "application/json" })?.status).toBe(403);
    expect(check("POST", { origin: "https://portal.example.evil.example", "content-type": "text/plain" })?.status).toBe(403);
    expect(check("PUT", { "sec-fetch-site": "cross-site", "content-type": "application/json" })?.message).toContain("Sec-Fetch-Site: cross-site");
    expect(check("PUT", { "sec-fetch-site": "same-site", "content-type": "application/json" })?.status).toBe(403);
  });
});
