// Per-key Standard Webhooks signing secrets: made with the key, shown once,
// stored sealed, rotatable. Rotation takes effect for every notification not
// yet sent, since deliveries read the key's current secret when they go out.
import { randomBytes } from "node:crypto";
import { getDb } from "../db/client";
import { ApiError, notFound } from "../http/errors";
import { openSecret, sealSecret } from "./secret-box";

export const SIGNING_SECRET_PREFIX = "whsec_";

/** 32 random bytes, in the Standard Webhooks text form whsec_<base64>. */
export function newSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

/** A new secret for one of the user's active keys; the plain secret is in this answer only. */
export async function rotateSigningSecret(userId: string, id: string): Promise<{ id: string; signingSecret: string }> {
  const db = getDb();
  const signingSecret = newSigningSecret();
  const { count } = await db.apiKey.updateMany({ where: { id, userId, revokedAt: null }, data: { signingSecret: sealSecret(signingSecret, id) } });
  if (count) return { id, signingSecret };
  const key = await db.apiKey.findFirst({ where: { id, userId }, select: { revokedAt: true } });
  if (!key) throw notFound("API key not found");
  throw new ApiError(409, "key_revoked", "This API key is revoked; its signing secret can no longer be changed");
}

/** The plain secret that signs a key's notifications, or null for keys made before signing existed. */
export async function loadSigningSecret(apiKeyId: string): Promise<string | null> {
  const row = await getDb().apiKey.findUnique({ where: { id: apiKeyId }, select: { signingSecret: true } });
  return row?.signingSecret ? openSecret(row.signingSecret, apiKeyId) : null;
}
