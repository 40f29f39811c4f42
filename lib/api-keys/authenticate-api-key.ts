// Resolves an Ocp-Apim-Subscription-Key to its owner: missing or unknown → 401,
// revoked, or its owner disabled by an admin → 403, as the seed's gateway answers.
import { getDb } from "../db/client";
import { hashApiKey } from "./create-api-key";

/** `quota`: the owner's image budget override, read here so a submit need not read it again. */
export type KeyAuth =
  | { ok: true; keyId: string; userId: string; quota: { monthlyImageQuota: number | null; quotaUnlimited: boolean } }
  | { ok: false; status: 401 | 403 };

const LAST_USED_GRANULARITY_MS = 60_000;

export async function authenticateApiKey(key: string | null): Promise<KeyAuth> {
  if (!key || key.length > 200) return { ok: false, status: 401 };
  const db = getDb();
  const row = await db.apiKey.findUnique({
    where: { hash: hashApiKey(key.trim()) },
    select: {
      id: true,
      userId: true,
      revokedAt: true,
      lastUsedAt: true,
      user: { select: { disabledAt: true, monthlyImageQuota: true, quotaUnlimited: true } },
    },
  });
  if (!row) return { ok: false, status: 401 };
  if (row.revokedAt || row.user.disabledAt) return { ok: false, status: 403 };
  const now = Date.now();
  // A write per request would double the cost of status polling; a minute's precision is plenty.
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  const { monthlyImageQuota, quotaUnlimited } = row.user;
  return { ok: true, keyId: row.id, userId: row.userId, quota: { monthlyImageQuota, quotaUnlimited } };
}
