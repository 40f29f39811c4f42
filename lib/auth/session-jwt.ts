// next-auth's session token format (a JWE: "dir" + A256GCM under a key derived
// from the secret by HKDF), with the key derived once per secret and imported
// once as a CryptoKey. next-auth derives it on every read and again on every
// refresh, and jose imports raw key bytes on every call; every signed-in
// request does both: this spares that work without changing a single token.
// A browser sends one token for a day (session-cookie.ts): its claims are kept
// once decrypted, since WebCrypto's decryption cost every signed-in request
// about 0.06 ms of the server's CPU (README, Performance); expiry is checked on every read.
import { hkdfSync, randomUUID } from "node:crypto";
import { EncryptJWT, jwtDecrypt, type JWTPayload } from "jose";
import type { JWT, JWTDecodeParams, JWTEncodeParams } from "next-auth/jwt";

const DEFAULT_MAX_AGE = 30 * 24 * 60 * 60;
const keys = new Map<string, Promise<CryptoKey>>();

function encryptionKey(secret: string | Buffer, salt: string): Promise<CryptoKey> {
  const id = `${salt}\u0000${secret.toString()}`;
  let key = keys.get(id);
  if (!key) {
    const info = `NextAuth.js Generated Encryption Key${salt ? ` (${salt})` : ""}`;
    const raw = new Uint8Array(hkdfSync("sha256", secret, salt, info, 32));
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(id, key);
  }
  return key;
}

export async function encodeSessionJwt({ token = {}, secret, maxAge = DEFAULT_MAX_AGE, salt = "" }: JWTEncodeParams): Promise<string> {
  const now = (Date.now() / 1000) | 0;
  return new EncryptJWT(token as JWTPayload)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt()
    .setExpirationTime(now + maxAge)
    .setJti(randomUUID())
    .encrypt(await encryptionKey(secret, salt));
}

const CLOCK_TOLERANCE_SECONDS = 15;
/** Decrypted tokens kept, the oldest dropped first: enough for the browsers of a busy hour. */
const DECODED_MAX = 5_000;
const decoded = new Map<string, JWTPayload>();

export async function decodeSessionJwt({ token, secret, salt = "" }: JWTDecodeParams): Promise<JWT | null> {
  if (!token) return null;
  // Keyed by the secret and salt too: a token is only ever read back under the key that made it.
  const id = `${salt}\u0000${secret.toString()}\u0000${token}`;
  const known = decoded.get(id);
  if (known && stillValid(known)) return { ...known } as JWT;
  const { payload } = await jwtDecrypt(token, await encryptionKey(secret, salt), { clockTolerance: CLOCK_TOLERANCE_SECONDS });
  decoded.delete(id);
  if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value!);
  decoded.set(id, payload);
  return { ...payload } as JWT;
}

// As jwtDecrypt judges exp and nbf, at the time of this read.
function stillValid(payload: JWTPayload): boolean {
  const now = Date.now() / 1000;
  if (typeof payload.exp === "number" && payload.exp <= now - CLOCK_TOLERANCE_SECONDS) return false;
  if (typeof payload.nbf === "number" && payload.nbf > now + CLOCK_TOLERANCE_SECONDS) return false;
  return true;
}
