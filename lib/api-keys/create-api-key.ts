// API keys: shown once, stored only as a SHA-256 hash (the key has 192 bits of
// randomness, so a fast hash is enough; a KDF would only slow every request).
// Each key comes with its webhook signing secret, also shown once.
import { createHash, randomBytes } from "node:crypto";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { ApiError } from "../http/errors";
import { sealSecret } from "./secret-box";
import { newSigningSecret } from "./signing-secret";

export const KEY_PREFIX = "kp_";

export { createApiKeySchema } from "./schema";

export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

export async function createApiKey(userId: string, name: string) {
  const max = getConfig().MAX_API_KEYS_PER_USER;
  const key = `${KEY_PREFIX}${randomBytes(24).toString("base64url")}`;
  const signingSecret = newSigningSecret();
  // The id is chosen here because the sealed secret is bound to it.
  const id = `k${Date.now().toString(36)}${randomBytes(8).toString("hex")}`;
  const row = await getDb().$transaction(async (tx) => {
    // Locking the user's row serialises concurrent creates, so two at once cannot both pass the limit.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE id = ${userId} FOR UPDATE`;
    if (locked.length === 0) throw new ApiError(404, "not_found", "User not found");
    const active = await tx.apiKey.count({ where: { userId, revokedAt: null } });
    if (active >= max) {
      throw new ApiError(409, "too_many_keys", `You already have ${active} active API keys, the most allowed is ${max}: revoke one before creating another`);
    }
    return tx.apiKey.create({
      data: { id, userId, name, prefix: key.slice(0, 10), hash: hashApiKey(key), signingSecret: sealSecret(signingSecret, id) },
      select: { id: true, name: true, prefix: true, createdAt: true },
    });
  });
  return { ...row, key, signingSecret };
}

export async function listApiKeys(userId: string) {
  const rows = await getDb().apiKey.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true, signingSecret: true },
  });
  // Only whether a signing secret exists leaves this module, never the sealed value.
  return rows.map(({ signingSecret, ...k }) => ({ ...k, hasSigningSecret: signingSecret !== null }));
}

/** Revokes one of the user's keys; false when there is no such key of theirs. */
export async function revokeApiKey(userId: string, id: string): Promise<boolean> {
  const { count } = await getDb().apiKey.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count) return true;
  return (await getDb().apiKey.count({ where: { id, userId } })) > 0;
}
