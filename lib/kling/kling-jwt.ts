// Kling's official API authenticates with a short-lived HS256 JWT signed by
// the secret key. One token is reused until five minutes before it expires.
import { SignJWT } from "jose";

export const TOKEN_LIFETIME_S = 1800;
const RENEW_BEFORE_S = 300;

export function createTokenSource(opts: { accessKey: string; secretKey: string; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const key = new TextEncoder().encode(opts.secretKey);
  let cached: { token: string; exp: number } | undefined;
  return async function token(): Promise<string> {
    const t = Math.floor(now() / 1000);
    if (cached && cached.exp - RENEW_BEFORE_S > t) return cached.token;
    const exp = t + TOKEN_LIFETIME_S;
    const signed = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(opts.accessKey)
      .setExpirationTime(exp)
      .setNotBefore(t - 5)
      .sign(key);
    cached = { token: signed, exp };
    return signed;
  };
}
