import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LINK_INTENT_COOKIE, linkIntentClearCookie, linkIntentSetCookie, parseCookies, signLinkIntent, verifyLinkIntent } from "@/lib/auth/link-intent";

const SECRET = "a".repeat(40);
const T0 = 1_800_000_000_000;

describe("link-intent cookie", () => {
  it("verifies what it signed, with user, provider and a 10-minute expiry", () => {
    const value = signLinkIntent("user-1", "github", T0, SECRET);
    expect(verifyLinkIntent(value, T0, SECRET)).toEqual({ ok: true, intent: { userId: "user-1", provider: "github", exp: T0 + 600_000 } });
    expect(verifyLinkIntent(value, T0 + 599_999, SECRET).ok).toBe(true);
  });

  it("expires after 10 minutes", () => {
    const value = signLinkIntent("user-1", "google", T0, SECRET);
    expect(verifyLinkIntent(value, T0 + 600_000, SECRET)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a changed payload, a changed signature, another secret and garbage", () => {
    const value = signLinkIntent("user-1", "github", T0, SECRET);
    const [payload, sig] = value.split(".");
    const forged = Buffer.from(JSON.stringify({ userId: "user-2", provider: "github", exp: T0 + 600_000 })).toString("base64url");
    const longer = Buffer.from(JSON.stringify({ userId: "user-1", provider: "github", exp: T0 + 60 * 600_000 })).toString("base64url");
    for (const bad of [
      `${forged}.${sig}`,
      `${longer}.${sig}`,
      `${payload}.${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`,
      `${payload}.${sig}x`,
      `${payload}.${sig}.extra`,
      payload,
      "",
      "not.a-cookie",
    ]) {
      expect(verifyLinkIntent(bad, T0, SECRET)).toEqual({ ok: false, reason: "invalid" });
    }
    expect(verifyLinkIntent(value, T0, "b".repeat(40))).toEqual({ ok: false, reason: "invalid" });
    expect(verifyLinkIntent(undefined, T0, SECRET)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a correctly signed payload of the wrong shape", () => {
    const payload = Buffer.from(JSON.stringify({ userId: 1, provider: "github", exp: "later" })).toString("base64url");
    const sig = createHmac("sha256", `link-intent:${SECRET}`).update(payload).digest("base64url");
    expect(verifyLinkIntent(`${payload}.${sig}`, T0, SECRET)).toEqual({ ok: false, reason: "invalid" });
  });

  it("is set httpOnly, SameSite=Lax, for 10 minutes, Secure only on https, and cleared the same way", () => {
    expect(linkIntentSetCookie("v", false)).toBe(`${LINK_INTENT_COOKIE}=v; Max-Age=600; Path=/; HttpOnly; SameSite=Lax`);
    expect(linkIntentSetCookie("v", true)).toBe(`${LINK_INTENT_COOKIE}=v; Max-Age=600; Path=/; HttpOnly; SameSite=Lax; Secure`);
    expect(linkIntentClearCookie(true)).toBe(`${LINK_INTENT_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure`);
  });

  it("parses a Cookie header, keeping the first of a repeated name", () => {
    expect(parseCookies("a=1; b=x%20y; a=2; junk; =v")).toEqual({ a: "1", b: "x y" });
    expect(parseCookies(null)).toEqual({});
  });
});

describe("withAuthRequest", () => {
  it("gives the handler the request's cookies and clears the intent only when asked, keeping next-auth's cookies", async () => {
    const { authRequestCookies, requestIntentCleared, withAuthRequest } = await import("@/lib/auth/oauth-sign-in");
    const req = new Request("http://localhost/api/auth/callback/github", { headers: { cookie: `${LINK_INTENT_COOKIE}=abc; other=1` } });
    const upstream = () => {
      const headers = new Headers({ Location: "/settings/account?linked=github" });
      headers.append("Set-Cookie", "next-auth.state=; Max-Age=0");
      return new Response(null, { status: 302, headers });
    };
    let seen: Record<string, string> = {};
    const untouched = await withAuthRequest(req, async () => {
      seen = authRequestCookies();
      return upstream();
    });
    expect(seen).toEqual({ [LINK_INTENT_COOKIE]: "abc", other: "1" });
    expect(untouched.headers.getSetCookie()).toEqual(["next-auth.state=; Max-Age=0"]);
    const cleared = await withAuthRequest(req, async () => {
      requestIntentCleared();
      return upstream();
    });
    expect(cleared.status).toBe(302);
    expect(cleared.headers.get("location")).toBe("/settings/account?linked=github");
    expect(cleared.headers.getSetCookie()).toEqual(["next-auth.state=; Max-Age=0", linkIntentClearCookie(false)]);
    expect(authRequestCookies()).toEqual({});
  });
});
