import { describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER, clientIp, resolveClientIp } from "@/lib/http/client-ip";

describe("client address", () => {
  it("is the socket's peer unless proxies are trusted, so a client's X-Forwarded-For counts for nothing", () => {
    expect(resolveClientIp("203.0.113.5", "1.2.3.4", 0)).toBe("203.0.113.5");
    expect(resolveClientIp("10.0.0.2", "1.2.3.4, 198.51.100.7", 1)).toBe("198.51.100.7");
    expect(resolveClientIp("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.1", 2)).toBe("198.51.100.7");
    expect(resolveClientIp("10.0.0.2", undefined, 3)).toBe("10.0.0.2");
    expect(resolveClientIp(undefined, undefined, 0)).toBe("unknown");
  });

  it("is read from the header the portal server sets", () => {
    expect(clientIp(new Headers({ [CLIENT_IP_HEADER]: "203.0.113.5", "x-forwarded-for": "1.2.3.4" }))).toBe("203.0.113.5");
    expect(clientIp({ [CLIENT_IP_HEADER]: "203.0.113.6" })).toBe("203.0.113.6");
    expect(clientIp({})).toBe("unknown");
  });
});
