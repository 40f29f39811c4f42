import { decode, encode } from "next-auth/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeSessionJwt, encodeSessionJwt } from "@/lib/auth/session-jwt";

const secret = "a-session-secret-a-session-secret-0123";

describe("session tokens with a key derived once", () => {
  it("reads the tokens next-auth itself writes, and next-auth reads ours", async () => {
    const token = { sub: "user-1", email: "ada@example.com" };
    const theirs = await encode({ token, secret });
    expect(await decodeSessionJwt({ token: theirs, secret })).toMatchObject(token);
    const ours = await encodeSessionJwt({ token, secret, maxAge: 60 });
    const read = await decode({ token: ours, secret });
    expect(read).toMatchObject(token);
    expect((read!.exp as number) - (read!.iat as number)).toBe(60);
    expect(typeof read!.jti).toBe("string");
  });

  it("refuses a token made under another secret, or tampered with", async () => {
    const ours = await encodeSessionJwt({ token: { sub: "user-1" }, secret });
    await expect(decodeSessionJwt({ token: ours, secret: `${secret}-other` })).rejects.toThrow();
    const tampered = ours.slice(0, -4) + (ours.endsWith("AAAA") ? "BBBB" : "AAAA");
    await expect(decodeSessionJwt({ token: tampered, secret })).rejects.toThrow();
    expect(await decodeSessionJwt({ token: "", secret })).toBeNull();
  });

  it("refuses an expired token", async () => {
    const ours = await encodeSessionJwt({ token: { sub: "user-1" }, secret, maxAge: -60 });
    await expect(decodeSessionJwt({ token: ours, secret })).rejects.toThrow();
  });

  describe("a token read again", () => {
    afterEach(() => {
      vi.useRealTimers();
      vi.restoreAllMocks();
    });

    it("is decrypted once, and each read gets its own copy of the claims", async () => {
      const ours = await encodeSessionJwt({ token: { sub: "user-2", sv: 1 }, secret, maxAge: 600 });
      const decrypt = vi.spyOn(crypto.subtle, "decrypt");
      const first = await decodeSessionJwt({ token: ours, secret });
      first!.sub = "someone-else";
      const second = await decodeSessionJwt({ token: ours, secret });
      expect(second).toMatchObject({ sub: "user-2", sv: 1 });
      expect(decrypt).toHaveBeenCalledTimes(1);
      // Under another secret the same token is decrypted (and refused), never taken from what was read.
      await expect(decodeSessionJwt({ token: ours, secret: `${secret}-other` })).rejects.toThrow();
    });

    it("is refused once it has expired, as on its first read", async () => {
      vi.useFakeTimers({ now: new Date("2026-11-27T10:00:00Z"), toFake: ["Date"] });
      const ours = await encodeSessionJwt({ token: { sub: "user-3" }, secret, maxAge: 60 });
      expect(await decodeSessionJwt({ token: ours, secret })).toMatchObject({ sub: "user-3" });
      vi.setSystemTime(new Date("2026-11-27T10:01:10Z"));
      expect(await decodeSessionJwt({ token: ours, secret })).toMatchObject({ sub: "user-3" });
      vi.setSystemTime(new Date("2026-11-27T10:01:16Z"));
      await expect(decodeSessionJwt({ token: ours, secret })).rejects.toThrow(/exp/);
    });
  });
});
