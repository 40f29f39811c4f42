// A gateway call's admission in one database round trip: the key with its
// owner and, for a usable key, one point of the key's budget for the action,
// counted in the row rate-limiter-flexible keeps for it ("<action>:<key id>" in
// its table, with its upsert: lib/rate-limit/count-in-query.ts), so this count
// and the library's are one budget on every instance. A route may read more in
// the same statement (getImageStatus its task: status-lookup.ts). With the
// in-memory store (embedded PGlite) the library counts, after the query.
import { keyAuthFor, keyHashOf, type KeyAuth, type KeyRow } from "../api-keys/authenticate-api-key";
import { getDb, Prisma, queryRows, type Db } from "../db/client";
import { type Counted, type CountedBudget, countingTable, countSql, waitAfterPoint } from "../rate-limit/count-in-query";

/** `wait`: null when admitted, else the seconds until the budget's window ends; `row`: the statement's row for an admitted key. */
export type Admission<T> = { auth: KeyAuth; wait: number | null; row: (KeyRow & T) | null };

/** What a route reads along with the key: columns for the SELECT, and joins onto `k` (the key and its owner). */
export type AlongWithKey = { select: Prisma.Sql; join: Prisma.Sql };

/** `budget` null: the key's answer alone, nothing counted. */
export async function admitKey<T extends object = object>(
  key: string | null,
  budget: CountedBudget | null,
  along: AlongWithKey | null = null,
  db: Db = getDb(),
): Promise<Admission<T>> {
  const hash = keyHashOf(key);
  if (!hash) return { auth: { ok: false, status: 401 }, wait: null, row: null };
  const table = budget ? await countingTable(budget) : null;
  const now = Date.now();
  // Counted only for a usable key, as a limiter call after authentication would.
  const count =
    budget && table
      ? Prisma.sql`, budget AS (${countSql(
          table,
          Prisma.sql`${`${budget.keyPrefix}:`} || k.id`,
          Prisma.sql`FROM k WHERE k."revokedAt" IS NULL AND k."disabledAt" IS NULL`,
          budget.durationMs,
          now,
        )})`
      : Prisma.empty;
  const rows = await queryRows<KeyRow & T & Counted>(
    Prisma.sql`
    WITH k AS (
      SELECT a.id, a."userId", a."revokedAt", a."lastUsedAt", u."disabledAt", u."monthlyImageQuota", u."quotaUnlimited"
      FROM "ApiKey" a JOIN "User" u ON u.id = a."userId" WHERE a.hash = ${hash}
    )${count}
    SELECT k.*, ${table ? Prisma.sql`budget.points, budget.expire` : Prisma.sql`NULL::int AS points, NULL::bigint AS expire`}
      ${along ? Prisma.sql`, ${along.select}` : Prisma.empty}
    FROM k
    ${table ? Prisma.sql`LEFT JOIN budget ON true` : Prisma.empty}
    ${along?.join ?? Prisma.empty}`,
    db,
  );
  const row = rows[0] ?? null;
  const auth = await keyAuthFor(row);
  if (!row || !auth.ok) return { auth, wait: null, row: null };
  const wait = budget ? await waitAfterPoint(budget, table ? row : null, now, auth.keyId) : null;
  return { auth, wait, row };
}

/** Who a key belongs to (401 unknown, 403 revoked or its owner disabled), spending no budget. */
export const authenticateApiKey = async (key: string | null): Promise<KeyAuth> => (await admitKey(key, null)).auth;
