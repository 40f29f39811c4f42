// Encrypts values the portal must read back (webhook signing secrets) with
// AES-256-GCM under a key derived from the auth secret by HKDF, so a copy of
// the database alone reveals nothing. The row id is bound in as associated
// data: a ciphertext moved to another row does not decrypt.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { getAuthSecret } from "../auth/secret";

const VERSION = "v1";
// A fixed label keeps this key apart from anything else derived from the auth secret.
const INFO = "kling-portal/api-key-signing-secret/v1";

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

function boxKey(authSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", authSecret, Buffer.alloc(0), INFO, 32));
}

export function sealSecret(plain: string, rowId: string, authSecret = getAuthSecret()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", boxKey(authSecret), iv);
  cipher.setAAD(Buffer.from(rowId));
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}:${iv.toString("base64url")}:${body.toString("base64url")}`;
}

/** Throws SecretBoxError (never revealing the value) when the box is damaged or the auth secret changed. */
export function openSecret(sealed: string, rowId: string, authSecret = getAuthSecret()): string {
  const [version, ivText, bodyText] = sealed.split(":");
  if (version !== VERSION || !ivText || !bodyText) throw new SecretBoxError("unknown secret format");
  const body = Buffer.from(bodyText, "base64url");
  if (body.length < 17) throw new SecretBoxError("secret is truncated");
  try {
    const decipher = createDecipheriv("aes-256-gcm", boxKey(authSecret), Buffer.from(ivText, "base64url"));
    decipher.setAAD(Buffer.from(rowId));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("secret does not decrypt with this AUTH_SECRET");
  }
}
