import { decode, encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
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
});
