import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "@/lib/auth/safe-callback-path";

describe("safeCallbackPath", () => {
  const hostile = [
    "//evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "\\/evil.com",
    "/%09/evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    " //evil.com",
    "/%5Cevil.com",
    "/%5cevil.com",
    "/%2F/evil.com",
    "/%2f%2fevil.com",
    "/%252F/evil.com",
    "/%25255Cevil.com",
    "/%E0%A4%A",
    "https://evil.com",
    "http:/evil.com",
    "//evil.com/%2e%2e",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.com",
    "",
    "%2F%2Fevil.com",
    "/\u0000/evil.com",
    "/\u3000/evil.com",
  ];
  it.each(hostile)("refuses %j", (value) => {
    expect(safeCallbackPath(value)).toBe("/");
  });

  it.each([
    ["/", "/"],
    ["/ok?x=1", "/ok?x=1"],
    ["/settings/keys", "/settings/keys"],
    ["/tasks/abc#images", "/tasks/abc#images"],
    ["/?status=failed&q=a%20b", "/?status=failed&q=a%20b"],
  ])("accepts %j", (value, expected) => {
    expect(safeCallbackPath(value)).toBe(expected);
  });

  it("refuses what is not a string", () => {
    for (const value of [undefined, null, 42, ["/ok"], { toString: () => "/ok" }]) expect(safeCallbackPath(value)).toBe("/");
  });
});
