// getImageStatus's reads in one database round trip: the key with its owner,
// the key's status budget and the task. Polling is what API callers do most,
// and each round trip costs the server far more CPU than the database's work
// (README, Performance): as three queries (key, budget, task) the route spent
// 2.6 ms of CPU per call, against 1.0 ms for a bare request.
//
// The budget is counted in the very row rate-limiter-flexible keeps for the
// same key ("status:<key id>" in its table, with its upsert), so this count and
// the library's are one budget, on every instance. With the in-memory store
// (embedded PGlite) the library counts, after the one query.
import { keyAuthFor, keyHashOf, type KeyAuth, type KeyRow } from "../api-keys/authenticate-api-key";
import { getDb, Prisma, type Db } from "../db/client";
import { countSql, waitAfterCount } from "../rate-limit/count-in-query";
import type { CountedBudget } from "./rate-limit";
import type { SeedStatusRow } from "./seed-status";

export type StatusLookup = { auth: KeyAuth; wait: number | null; task: SeedStatusRow | null };

type Row = KeyRow & {
  points: number | null;
  expire: bigint | number | null;
  taskId: string | null;
  status: SeedStatusRow["status"] | null;
  statusMsg: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  images: number[] | null;
};

export async function lookupStatus(key: string | null, taskId: string, budget: CountedBudget, db: Db = getDb()): Promise<StatusLookup> {
  const hash = keyHashOf(key);
  if (!hash) return { auth: { ok: false, status: 401 }, wait: null, task: null };
  await budget.store.ready;
  const table = budget.store.sqlTable?.() ?? null;
  const now = Date.now();
  // The count is taken only for a usable key, as the separate limiter call was (after authentication).
  const count = table
    ? Prisma.sql`, budget AS (${countSql(
        table,
        Prisma.sql`${`${budget.keyPrefix}:`} || k.id`,
        Prisma.sql`FROM k WHERE k."revokedAt" IS NULL AND k."disabledAt" IS NULL`,
        budget.durationMs,
        now,
      )})`
    : Prisma.empty;
  const rows = await db.$queryRaw<Row[]>`
    WITH k AS (
      SELECT a.id, a."userId", a."revokedAt", a."lastUsedAt", u."disabledAt", u."monthlyImageQuota", u."quotaUnlimited"
      FROM "ApiKey" a JOIN "User" u ON u.id = a."userId" WHERE a.hash = ${hash}
    )${count}
    SELECT k.*, ${table ? Prisma.sql`budget.points, budget.expire` : Prisma.sql`NULL::int AS points, NULL::bigint AS expire`},
      t.id AS "taskId", t.status::text AS status, t."statusMsg", t."createdAt", t."updatedAt",
      (SELECT array_agg(i.index ORDER BY i.index) FROM "TaskImage" i WHERE i."taskId" = t.id) AS images
    FROM k
    ${table ? Prisma.sql`LEFT JOIN budget ON true` : Prisma.empty}
    LEFT JOIN "Task" t ON t.id = ${taskId} AND t."userId" = k."userId"`;
  const row = rows[0] ?? null;
  const auth = await keyAuthFor(row);
  if (!row || !auth.ok) return { auth, wait: null, task: null };
  const wait = table ? waitAfterCount(row, budget.points, now) : await budget.consume(auth.keyId);
  const task =
    row.taskId && row.status && row.createdAt && row.updatedAt
      ? {
          id: row.taskId,
          status: row.status,
          statusMsg: row.statusMsg ?? "",
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
          images: (row.images ?? []).map((index) => ({ index })),
        }
      : null;
  return { auth, wait, task };
}
