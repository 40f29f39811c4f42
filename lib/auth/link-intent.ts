// The short-lived cookie that says "the signed-in user X asked to link provider P":
// set by POST /api/account/link-intent just before the browser goes to the
// provider, read by the OAuth callback. Signed with a key derived from the auth
// secret; it proves nothing alone (the callback also needs X's session).
import { createHmac, timingSafeEqual } from "node:crypto";
import { getAuthSecret } from "./secret";

export const LINK_INTENT_COOKIE = "kling.link-intent";
export const LINK_INTENT_TTL_SECONDS = 10 * 60;

export type LinkProvider = "github" | "google";
export type LinkIntent = { userId: string; provider: string; exp: number };
export type LinkIntentCheck = { ok: true; intent: LinkIntent } | { ok: false; reason: "invalid" | "expired" };

const mac = (payload: string, secret: string) => createHmac("sha256", `link-intent:${secret}`).update(payload).digest("base64url");

/** `<base64url JSON>.<HMAC>`; exp in epoch milliseconds. */
export function signLinkIntent(userId: string, provider: LinkProvider, now = Date.now(), secret = getAuthSecret()): string {
  const payload = Buffer.from(JSON.stringify({ userId, provider, exp: now + LINK_INTENT_TTL_SECONDS * 1000 })).toString("base64url");
  return `${payload}.${mac(payload, secret)}`;
}

export function verifyLinkIntent(value: string | undefined | null, now = Date.now(), secret = getAuthSecret()): LinkIntentCheck {
  const [payload, sig, extra] = (value ?? "").split(".");
  if (!payload || !sig || extra !== undefined) return { ok: false, reason: "invalid" };
  const want = Buffer.from(mac(payload, secret));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, reason: "invalid" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const p = parsed as Partial<LinkIntent> | null;
  if (!p || typeof p.userId !== "string" || typeof p.provider !== "string" || typeof p.exp !== "number") return { ok: false, reason: "invalid" };
  if (now >= p.exp) return { ok: false, reason: "expired" };
  return { ok: true, intent: { userId: p.userId, provider: p.provider, exp: p.exp } };
}

const attributes = (secure: boolean) => `Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;

export function linkIntentSetCookie(value: string, secure: boolean): string {
  return `${LINK_INTENT_COOKIE}=${value}; Max-Age=${LINK_INTENT_TTL_SECONDS}; ${attributes(secure)}`;
}

export function linkIntentClearCookie(secure: boolean): string {
  return `${LINK_INTENT_COOKIE}=; Max-Age=0; ${attributes(secure)}`;
}

/** The request's cookies by name (the first of a repeated name wins). */
export function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || name in out) continue;
    const raw = part.slice(i + 1).trim();
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}
