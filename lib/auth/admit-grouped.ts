// Admissions that store their request's row, made together: web submits that
// arrive while an earlier group is in the database go in one statement
// (grouped-write.ts), which checks each session, spends each user's points in
// the rate limiter's table in arrival order, and writes the rows admitted.
// One statement for many submits: each round trip costs the server more CPU
// than the database's work on one more row, and the user's limiter and totals
// rows are locked once per group instead of once per submit (README, Performance).
import { Prisma, queryRows } from "../db/client";
import { groupedWrite, type GroupedWrite } from "../db/grouped-write";
import type { Counted } from "../rate-limit/count-in-query";
import { claimedSession, SESSION_COLUMNS, type SessionClaims, type SessionRow, type SessionUser, sessionUserFrom } from "./session-user";

/**
 * A write an admission makes in its own statement: one row per admitted request, made
 * by `sql` from the group's rows `r` (its `columns`, plus `__uid`, the user's id)
 * joined to the user `u` (SESSION_COLUMNS). `admitted` is its `FROM … WHERE …` clause,
 * to be narrowed with `AND …`; the write returns its rows (`RETURNING *`), each with the
 * `id` it was given. Only writes of one `kind` go together, as the first one's statement.
 */
export type AdmittedWrite<W extends { id: string }> = {
  kind: string;
  /** Column name and the SQL type its values are sent as (an array of it), `id` among them. */
  columns: readonly (readonly [name: string, type: string])[];
  /** This request's values, in the columns' order, for the user it is admitted as. */
  values(userId: string): unknown[];
  sql(admitted: Prisma.Sql): Prisma.Sql;
  readonly row?: W;
};

/** The limiter's table and budget: one point per admission on `<keyPrefix>:<user id>`, counted in SQL. */
export type CountingBudget = { table: string; keyPrefix: string; durationMs: number; points: number };

export type Admission<W> = { user: SessionUser; count: Counted; written: W | null };

type Item = { id: string; version: number; values: unknown[]; now: number; write: AdmittedWrite<{ id: string }> };
type Row = { __session: SessionRow | null; __points: number | null; __expire: bigint | null; __written: boolean } & Record<string, unknown>;

const groups = new Map<string, GroupedWrite<Item, { session: SessionRow | null; count: Counted; written: Record<string, unknown> | null }>>();

/**
 * The user the claims stand for, one point spent (counted only while the session stands)
 * and, within the budget's points, `write`'s row stored: null for a session that no longer
 * stands. `count` is the limiter's row after this request's point, its window measured from
 * the group's latest `now`.
 */
export async function admitWriting<W extends { id: string }>(
  claims: SessionClaims | null | undefined,
  budget: CountingBudget,
  now: number,
  write: AdmittedWrite<W>,
): Promise<Admission<W> | null> {
  const claimed = claimedSession(claims);
  if (!claimed) return null;
  const { id, version } = claimed;
  const key = `${write.kind}\0${budget.table}\0${budget.keyPrefix}\0${budget.durationMs}\0${budget.points}`;
  let group = groups.get(key);
  if (!group) {
    group = groupedWrite((items) => admitGroup(items, budget, items[0].write));
    groups.set(key, group);
  }
  const { session, count, written } = await group({ id, version, values: write.values(id), now, write });
  const user = session ? sessionUserFrom(session, claims) : null;
  return user && { user, count, written: written as W | null };
}

async function admitGroup(items: Item[], budget: CountingBudget, write: AdmittedWrite<{ id: string }>) {
  const now = Math.max(...items.map((i) => i.now));
  const expire = now + budget.durationMs;
  const limits = Prisma.raw(budget.table);
  const column = (k: number) => items.map((i) => send(i.values[k]));
  const arrays = Prisma.join([
    Prisma.sql`${items.map((_, ord) => ord)}::int[]`,
    Prisma.sql`${items.map((i) => i.id)}::text[]`,
    Prisma.sql`${items.map((i) => i.version)}::int[]`,
    ...write.columns.map(([, type], k) => Prisma.sql`${column(k)}::${Prisma.raw(type)}[]`),
  ]);
  const names = Prisma.raw(["__ord", "__uid", "__ver", ...write.columns.map(([name]) => `"${name}"`)].join(", "));
  // A user's points are spent in arrival order: the k-th of a user's n standing requests in the
  // group has the point the limiter's row reached, less n, plus k. Keys are counted in key order
  // and rows written in user order, so two groups that lock the same users' rows wait, never deadlock.
  const rows = await queryRows<Row>(Prisma.sql`
    WITH r AS (SELECT * FROM unnest(${arrays}) AS r(${names})),
    u AS (SELECT ${SESSION_COLUMNS} FROM "User" u WHERE u.id IN (SELECT __uid FROM r)),
    s AS (
      SELECT r.__ord, ${`${budget.keyPrefix}:`}::text || r.__uid AS key,
        row_number() OVER (PARTITION BY r.__uid ORDER BY r.__ord) AS rank, count(*) OVER (PARTITION BY r.__uid) AS n
      FROM r JOIN u ON u.id = r.__uid WHERE u."disabledAt" IS NULL AND u."sessionVersion" = r.__ver
    ),
    c AS (
      INSERT INTO ${limits} (key, points, expire)
      SELECT key, count(*)::int, ${expire}::bigint FROM s GROUP BY key ORDER BY key
      ON CONFLICT (key) DO UPDATE SET
        points = CASE WHEN ${limits}.expire <= ${now}::bigint THEN EXCLUDED.points ELSE ${limits}.points + EXCLUDED.points END,
        expire = CASE WHEN ${limits}.expire <= ${now}::bigint THEN EXCLUDED.expire ELSE ${limits}.expire END
      RETURNING key, points, expire
    ),
    p AS (SELECT s.__ord, (c.points - s.n + s.rank)::int AS point, c.expire FROM s JOIN c ON c.key = s.key),
    w AS (${write.sql(Prisma.sql`FROM r JOIN u ON u.id = r.__uid JOIN p ON p.__ord = r.__ord WHERE p.point <= ${budget.points}`)})
    SELECT w.*, to_jsonb(u) AS __session, p.point AS __points, p.expire AS __expire, (w.id IS NOT NULL) AS __written
    FROM r LEFT JOIN u ON u.id = r.__uid LEFT JOIN p ON p.__ord = r.__ord LEFT JOIN w ON w.id = r.id
    ORDER BY r.__ord`);
  if (rows.length !== items.length) throw new Error(`an admission group answered ${rows.length} rows for ${items.length} requests`);
  return rows.map(({ __session, __points, __expire, __written, ...written }) => ({
    session: __session,
    count: { points: __points, expire: __expire },
    written: __written ? written : null,
  }));
}

// Array elements as Prisma would send them alone: a Date as its UTC time (node-postgres would send local time).
const send = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
