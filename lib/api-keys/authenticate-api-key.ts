// What an Ocp-Apim-Subscription-Key's lookup decides: missing or unknown → 401,
// revoked, or its owner disabled by an admin → 403, as the seed's gateway
// answers. The lookup itself is lib/gateway/key-admission.ts (with the key's budget).
import { getDb } from "../db/client";
import { hashApiKey } from "./create-api-key";

/** `quota`: the owner's image budget override, read here so a submit need not read it again. */
export type KeyAuth =
  | { ok: true; keyId: string; userId: string; quota: { monthlyImageQuota: number | null; quotaUnlimited: boolean } }
  | { ok: false; status: 401 | 403 };

/** What a key lookup reads: the key and its owner's state. */
export type KeyRow = {
  id: string;
  userId: string;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  disabledAt: Date | null;
  monthlyImageQuota: number | null;
  quotaUnlimited: boolean;
};

const LAST_USED_GRANULARITY_MS = 60_000;

/** The hash to look a presented key up by, or null when it cannot be a key (a 401 without a query). */
export function keyHashOf(key: string | null): string | null {
  return !key || key.length > 200 ? null : hashApiKey(key.trim());
}

/** The answer for a looked-up key (null: no such key); records its use, at most once a minute. */
export async function keyAuthFor(row: KeyRow | null): Promise<KeyAuth> {
  if (!row) return { ok: false, status: 401 };
  if (row.revokedAt || row.disabledAt) return { ok: false, status: 403 };
  const now = Date.now();
  // A write per request would double the cost of status polling; a minute's precision is plenty.
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    await getDb().apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { ok: true, keyId: row.id, userId: row.userId, quota: { monthlyImageQuota: row.monthlyImageQuota, quotaUnlimited: row.quotaUnlimited } };
}
