// Session versions: every session token carries the version of its user at
// sign-in; bumping the user's version ends every session issued before, on
// their next request, on every instance (the check reads the database).
import { encode, getToken, type JWT } from "next-auth/jwt";
import { parseCookies } from "./link-intent";
import { secureCookies } from "./oauth-sign-in";
import { getAuthSecret } from "./secret";

/** next-auth's session lifetime (options.ts), which a re-issued cookie keeps. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;

export function sessionCookieName(): string {
  return `${secureCookies() ? "__Secure-" : ""}next-auth.session-token`;
}

/** The session token in a request's cookies (verified), or null. */
export async function readSessionToken(req: Request): Promise<JWT | null> {
  return getToken({ req: { cookies: parseCookies(req.headers.get("cookie")), headers: {} } as never, secret: getAuthSecret(), secureCookie: secureCookies() });
}

/**
 * A Set-Cookie that keeps this browser signed in under the user's new version
 * (after a password change, which ends every other session): the same token,
 * re-signed with `sv` replaced.
 */
export async function reissuedSessionCookie(token: JWT, version: number): Promise<string> {
  const value = await encode({ token: { ...token, sv: version }, secret: getAuthSecret(), maxAge: SESSION_MAX_AGE_SECONDS });
  return `${sessionCookieName()}=${value}; Path=/; Max-Age=${SESSION_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secureCookies() ? "; Secure" : ""}`;
}

/** A Set-Cookie that removes the session cookie from this browser. */
export function clearedSessionCookie(): string {
  return `${sessionCookieName()}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secureCookies() ? "; Secure" : ""}`;
}
