// Reading the session cookie without next-auth's round trip: valid tokens give
// their claims, anything else none, and a cookie is re-issued (a fresh 30 days)
// only once it is a day old.
import { afterEach, describe, expect, it, vi } from "vitest";
import { getAuthSecret } from "@/lib/auth/secret";
import { SESSION_REFRESH_AFTER_SECONDS, type SessionCookieJar, sessionClaimsFromCookies } from "@/lib/auth/session-cookie";
import { decodeSessionJwt, encodeSessionJwt } from "@/lib/auth/session-jwt";
import { SESSION_MAX_AGE_SECONDS, sessionCookieName } from "@/lib/auth/session-version";

/** A cookie jar as cookies() gives a route handler: what is set is read back. */
function jar(initial: Record<string, string>, opts: { readOnly?: boolean } = {}) {
  const values = new Map(Object.entries(initial));
  const sets: { name: string; value: string; options: Parameters<SessionCookieJar["set"]>[2] }[] = [];
  const j: SessionCookieJar = {
    get: (name) => (values.has(name) ? { value: values.get(name)! } : undefined),
    has: (name) => values.has(name),
    set: (name, value, options) => {
      if (opts.readOnly) throw new Error("Cookies can only be modified in a Server Action or Route Handler");
      values.set(name, value);
      sets.push({ name, value, options });
    },
  };
  return { jar: j, sets };
}

const tokenFor = (claims: Record<string, unknown>) => encodeSessionJwt({ token: claims, secret: getAuthSecret(), maxAge: SESSION_MAX_AGE_SECONDS });

afterEach(() => vi.useRealTimers());

describe("session cookie", () => {
  it("gives the claims of a valid token and leaves a fresh cookie alone", async () => {
    const { jar: j, sets } = jar({ [sessionCookieName()]: await tokenFor({ sub: "user-1", sv: 3, email: "a@example.com" }) });
    expect(await sessionClaimsFromCookies(j)).toEqual({ id: "user-1", sv: 3 });
    expect(sets).toEqual([]);
  });

  it("gives none for a missing, forged, foreign or expired cookie", async () => {
    expect(await sessionClaimsFromCookies(jar({}).jar)).toBeNull();
    expect(await sessionClaimsFromCookies(jar({ [sessionCookieName()]: "forged" }).jar)).toBeNull();
    const foreign = await encodeSessionJwt({ token: { sub: "user-1" }, secret: "another-secret-of-at-least-32-characters", maxAge: 60 });
    expect(await sessionClaimsFromCookies(jar({ [sessionCookieName()]: foreign }).jar)).toBeNull();
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z"), toFake: ["Date"] });
    const old = await tokenFor({ sub: "user-1", sv: 0 });
    vi.setSystemTime(new Date(Date.now() + (SESSION_MAX_AGE_SECONDS + 60) * 1000));
    expect(await sessionClaimsFromCookies(jar({ [sessionCookieName()]: old }).jar)).toBeNull();
  });

  it("re-issues a cookie older than a day with the same claims and a new 30 days", async () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z"), toFake: ["Date"] });
    const token = await tokenFor({ sub: "user-1", sv: 2, email: "a@example.com" });
    vi.setSystemTime(new Date(Date.now() + (SESSION_REFRESH_AFTER_SECONDS - 60) * 1000));
    const young = jar({ [sessionCookieName()]: token });
    expect(await sessionClaimsFromCookies(young.jar)).toEqual({ id: "user-1", sv: 2 });
    expect(young.sets).toEqual([]);

    vi.setSystemTime(new Date(Date.now() + 120 * 1000));
    const aged = jar({ [sessionCookieName()]: token });
    expect(await sessionClaimsFromCookies(aged.jar)).toEqual({ id: "user-1", sv: 2 });
    expect(aged.sets).toHaveLength(1);
    const [{ name, value, options }] = aged.sets;
    expect(name).toBe(sessionCookieName());
    expect(options).toEqual({ path: "/", maxAge: SESSION_MAX_AGE_SECONDS, httpOnly: true, sameSite: "lax", secure: false });
    const renewed = await decodeSessionJwt({ token: value, secret: getAuthSecret() });
    expect(renewed).toMatchObject({ sub: "user-1", sv: 2, email: "a@example.com" });
    expect(renewed!.exp).toBe(Math.floor(Date.now() / 1000) + SESSION_MAX_AGE_SECONDS);
    // A page (a server component) cannot set cookies: the claims still count.
    expect(await sessionClaimsFromCookies(jar({ [sessionCookieName()]: token }, { readOnly: true }).jar)).toEqual({ id: "user-1", sv: 2 });
  });

  it("leaves a token next-auth split into chunks to next-auth", async () => {
    expect(await sessionClaimsFromCookies(jar({ [`${sessionCookieName()}.0`]: "part" }).jar)).toBe("chunked");
  });
});
