// What an OAuth sign-in callback does: with a link-intent cookie, link the
// provider identity to the signed-in user who asked (or refuse, with a code);
// without one, the usual rules of linkOAuthUser. Kept apart from next-auth's
// options so it can be tested against real databases with real cookies.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Account } from "next-auth";
import { getToken } from "next-auth/jwt";
import { getConfig } from "../config";
import { LINK_INTENT_COOKIE, linkIntentClearCookie, parseCookies, verifyLinkIntent } from "./link-intent";
import { linkAccountToUser, linkOAuthUser } from "./link-oauth-user";
import { getAuthSecret } from "./secret";
import { isUserDisabled, sessionUserFor } from "./session-user";
import { notLinkedCode } from "./sign-in-errors";

export type LinkRefusal = "LinkNoSession" | "LinkIntentExpired" | "LinkIntentInvalid" | "LinkWrongProvider" | "OAuthLinkedElsewhere";

export type OAuthSignInInput = {
  cookies: Record<string, string>;
  account: Account;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  image: string | null;
  now?: number;
};

/** `signIn: userId` completes a sign-in as that user; `redirect` ends it there (no new session). */
export type OAuthSignInDecision = { signIn: string; clearIntent: false } | { redirect: string; clearIntent: boolean };

export const SETTINGS_ACCOUNT_PATH = "/settings/account";

/** Whether next-auth uses the __Secure- cookie names (an https origin). */
export function secureCookies(): boolean {
  // options.ts points next-auth at PUBLIC_URL, so its cookie names follow PUBLIC_URL's scheme.
  return getConfig().PUBLIC_URL.startsWith("https://");
}

/** The user id of the next-auth session in these cookies, or null (missing, forged, expired, or no longer standing: see sessionUserFor). */
export async function sessionUserIdFromCookies(cookies: Record<string, string>): Promise<string | null> {
  // Cookies only: getToken would also take an Authorization header, which a session never comes from.
  const token = await getToken({ req: { cookies, headers: {} } as never, secret: getAuthSecret(), secureCookie: secureCookies() });
  const user = await sessionUserFor(token ? { id: token.sub, sv: token.sv } : null);
  return user?.id ?? null;
}

export async function decideOAuthSignIn(input: OAuthSignInInput): Promise<OAuthSignInDecision> {
  const raw = input.cookies[LINK_INTENT_COOKIE];
  if (raw === undefined) {
    const result = await linkOAuthUser(input);
    if (!result.ok)
      return {
        redirect: `/signin?error=${result.error === "OAuthAccountNotLinked" ? notLinkedCode(input.account.provider) : result.error}`,
        clearIntent: false,
      };
    // A disabled account gets no new session, whichever way it signs in.
    if (await isUserDisabled(result.userId)) return { redirect: "/signin?error=AccountDisabled", clearIntent: false };
    return { signIn: result.userId, clearIntent: false };
  }
  const refuse = (code: LinkRefusal, where = SETTINGS_ACCOUNT_PATH) => ({ redirect: `${where}?error=${code}`, clearIntent: true });
  const check = verifyLinkIntent(raw, input.now);
  const sessionUserId = await sessionUserIdFromCookies(input.cookies);
  if (!check.ok) return refuse(check.reason === "expired" ? "LinkIntentExpired" : "LinkIntentInvalid", sessionUserId ? SETTINGS_ACCOUNT_PATH : "/signin");
  if (!sessionUserId || sessionUserId !== check.intent.userId) return refuse("LinkNoSession", "/signin");
  if (check.intent.provider !== input.account.provider) return refuse("LinkWrongProvider");
  const linked = await linkAccountToUser(sessionUserId, input.account);
  if (!linked.ok) return refuse(linked.error);
  return { redirect: `${SETTINGS_ACCOUNT_PATH}?linked=${encodeURIComponent(input.account.provider)}`, clearIntent: true };
}

// The request being handled by /api/auth/*, so that next-auth's signIn callback
// (which is not given it) can read its cookies and ask for the intent to be cleared.
type AuthRequestState = { cookies: Record<string, string>; clearIntent: boolean };
const current = new AsyncLocalStorage<AuthRequestState>();

export function authRequestCookies(): Record<string, string> {
  return current.getStore()?.cookies ?? {};
}

export function requestIntentCleared(): void {
  const state = current.getStore();
  if (state) state.clearIntent = true;
}

/** Runs next-auth's handler with the request's cookies at hand; clears the intent cookie when the callback used it. */
export async function withAuthRequest(req: Request, handle: () => Promise<Response>): Promise<Response> {
  const state: AuthRequestState = { cookies: parseCookies(req.headers.get("cookie")), clearIntent: false };
  const res = await current.run(state, handle);
  if (!state.clearIntent) return res;
  const headers = new Headers(res.headers);
  headers.append("Set-Cookie", linkIntentClearCookie(secureCookies()));
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
