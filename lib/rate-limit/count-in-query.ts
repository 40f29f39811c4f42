// A rate-limiter-flexible count taken inside another statement, so a hot route
// spends its budget without a round trip of its own (README, Performance: each
// round trip costs the server far more CPU than the database's work). It is
// the library's own upsert on the library's own row (key, points, expire in
// ms), so a count here and a count by the library spend one budget, on every
// instance sharing the table.
import { Prisma } from "../db/client";
import type { LimiterStore } from "./limiter-store";

/** A budget a hot route counts inside its own query: per API key on the gateway, per user for web submits. */
export type CountedBudget = {
  store: LimiterStore;
  /** The library's key for a caller is `<keyPrefix>:<id>`. */
  keyPrefix: string;
  points: number;
  durationMs: number;
  /** The library's own count, for a store without SQL (memory). */
  consume(id: string): Promise<number | null>;
};

/** What a count returned: the library's row after the point. */
export type Counted = { points: number | null; expire: bigint | number | null };

/** The table a statement counts in, once the store is ready; null when the library counts itself (memory store). */
export async function countingTable(budget: CountedBudget): Promise<string | null> {
  await budget.store.ready;
  return budget.store.sqlTable?.() ?? null;
}

/**
 * The wait after one point for `id` (null: allowed, else seconds): read from the
 * row when the statement counted it, else counted by the library now.
 */
export async function waitAfterPoint(budget: CountedBudget, counted: Counted | null, now: number, id: string): Promise<number | null> {
  return counted ? waitAfterCount(counted, budget.points, now) : budget.consume(id);
}

/**
 * An `INSERT … ON CONFLICT … RETURNING points, expire` for a CTE: one point on
 * the key each row of `from` yields (a `FROM … WHERE …` clause; no row, nothing
 * counted), in a window of `durationMs` starting at the first point.
 */
export function countSql(table: string, key: Prisma.Sql, from: Prisma.Sql, durationMs: number, now: number): Prisma.Sql {
  const limits = Prisma.raw(table);
  const expire = now + durationMs;
  return Prisma.sql`INSERT INTO ${limits} (key, points, expire)
    SELECT ${key}, 1, ${expire}::bigint ${from}
    ON CONFLICT (key) DO UPDATE SET
      points = CASE WHEN ${limits}.expire <= ${now}::bigint THEN 1 ELSE ${limits}.points + 1 END,
      expire = CASE WHEN ${limits}.expire <= ${now}::bigint THEN ${expire}::bigint ELSE ${limits}.expire END
    RETURNING points, expire`;
}

/** As the library decides from the row a count returned: null when allowed, else the seconds until its window ends (at least 1). */
function waitAfterCount(row: Counted, allowed: number, now: number): number | null {
  if ((row.points ?? 0) <= allowed) return null;
  const msBeforeNext = row.expire === null ? -1 : Number(row.expire) - now;
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}
