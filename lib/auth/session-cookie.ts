// A session cookie read without next-auth's round trip: getServerSession
// decrypts the cookie and encrypts a fresh one on every call, which every
// signed-in request paid for. Here the cookie is decrypted once and re-issued
// (its 30 days start again) only once it is a day old, as next-auth's
// updateAge does for database sessions.
import { getAuthSecret } from "./secret";
import { decodeSessionJwt, encodeSessionJwt } from "./session-jwt";
import type { SessionClaims } from "./session-user";
import { SESSION_MAX_AGE_SECONDS, sessionCookieName } from "./session-version";
import { secureCookies } from "./oauth-sign-in";

/** A session cookie is re-issued at most this often. */
export const SESSION_REFRESH_AFTER_SECONDS = 24 * 3600;

/** What Next.js's cookies() offers, as much as is used here. */
export type SessionCookieJar = {
  get(name: string): { value: string } | undefined;
  has(name: string): boolean;
  set(name: string, value: string, options: { path: string; maxAge: number; httpOnly: boolean; sameSite: "lax"; secure: boolean }): unknown;
};

/**
 * The claims of the jar's session cookie: null without a valid one (missing,
 * forged, expired), "chunked" for a token next-auth split over several cookies
 * (over 4 KB), which the caller reads through next-auth.
 */
export async function sessionClaimsFromCookies(jar: SessionCookieJar): Promise<SessionClaims | null | "chunked"> {
  const name = sessionCookieName();
  const token = jar.get(name)?.value;
  if (!token) return jar.has(`${name}.0`) ? "chunked" : null;
  const payload = await decodeSessionJwt({ token, secret: getAuthSecret() }).catch(() => null);
  if (!payload) return null;
  const issuedAt = typeof payload.iat === "number" ? payload.iat : 0;
  if (Date.now() / 1000 - issuedAt > SESSION_REFRESH_AFTER_SECONDS) await reissue(jar, name, payload);
  return { id: payload.sub, sv: payload.sv };
}

async function reissue(jar: SessionCookieJar, name: string, payload: Record<string, unknown>): Promise<void> {
  const { iat: _iat, exp: _exp, jti: _jti, ...token } = payload;
  const value = await encodeSessionJwt({ token, secret: getAuthSecret(), maxAge: SESSION_MAX_AGE_SECONDS });
  try {
    jar.set(name, value, { path: "/", maxAge: SESSION_MAX_AGE_SECONDS, httpOnly: true, sameSite: "lax", secure: secureCookies() });
  } catch {
    // A server component cannot set cookies; the next route handler will.
  }
}
