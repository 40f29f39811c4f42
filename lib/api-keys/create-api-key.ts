// API keys: shown once, stored only as a SHA-256 hash (the key has 192 bits of
// randomness, so a fast hash is enough; a KDF would only slow every request).
import { createHash, randomBytes } from "node:crypto";
import { getDb } from "../db/client";

export const KEY_PREFIX = "kp_";

export { createApiKeySchema } from "./schema";

export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

export async function createApiKey(userId: string, name: string) {
  const key = `${KEY_PREFIX}${randomBytes(24).toString("base64url")}`;
  const row = await getDb().apiKey.create({
    data: { userId, name, prefix: key.slice(0, 10), hash: hashApiKey(key) },
    select: { id: true, name: true, prefix: true, createdAt: true },
  });
  return { ...row, key };
}

export async function listApiKeys(userId: string) {
  return getDb().apiKey.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

/** Revokes one of the user's keys; false when there is no such key of theirs. */
export async function revokeApiKey(userId: string, id: string): Promise<boolean> {
  const { count } = await getDb().apiKey.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count) return true;
  return (await getDb().apiKey.count({ where: { id, userId } })) > 0;
}
