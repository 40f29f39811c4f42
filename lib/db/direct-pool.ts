// The hottest statements (a session's or an API key's admission, the history
// page, a submit's insert and acceptance, a callback's lookup, the reconciler's
// claims) sent straight to the driver under Prisma's adapter: node-postgres's
// pool, or the embedded PGlite this process holds. Prisma's $queryRaw spent
// about 0.1 ms more of the server's CPU on each (README, Performance), a tenth
// of a bare request. Both run them as named prepared statements (on PGlite:
// pglite-prepared.ts). Results are typed as $queryRaw types them. Outside
// transactions only; a transaction's client (or a client of another process's
// PGlite) runs the same SQL through $queryRaw.
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { preparedRows } from "./pglite-prepared";

/**
 * PostgreSQL: the pool a client's adapter was built on, and how its statements are named (none: unnamed, as
 * for PgBouncer). Embedded PGlite (its owner, or in memory): the database itself.
 */
export type DirectPool = { kind: "pg"; pool: pg.Pool; name: ((sql: string) => string | undefined) | null } | { kind: "pglite"; db: PGlite };

// Keyed by the client itself, never a property of it: a transaction's client forwards its properties to the
// client it came from, and its statements must stay in the transaction. On globalThis: Next.js bundles and the
// server's own modules each load this file, and share one client (client.ts).
const poolsKey = Symbol.for("kling-portal.direct-pools");
type Holder = { [poolsKey]?: WeakMap<object, DirectPool> };
const pools = ((globalThis as Holder)[poolsKey] ??= new WeakMap());

/** `client`'s hottest statements go to `direct`: its adapter's pool, or the PGlite this process holds (its owner, or in memory). */
export function bindDirectPool(client: PrismaClient, direct: DirectPool): void {
  pools.set(client, direct);
}

/** `client`: the root client (its pool), or a transaction's or another client (their own $queryRaw). */
export async function directRows<T>(client: Pick<PrismaClient, "$queryRaw">, sql: Prisma.Sql): Promise<T[]> {
  const direct = pools.get(client);
  if (!direct) return client.$queryRaw<T[]>(sql);
  const text = sql.text;
  const values = sql.values.map(asParam);
  if (direct.kind === "pglite") return preparedRows<T>(direct.db, text, values, parsers).catch(withoutValues);
  const name = direct.name?.(text);
  const result = await direct.pool.query({ text, values, types, ...(name ? { name } : {}) });
  return result.rows as T[];
}

// PGlite puts a failed statement's values on its error (params, queryOptions); logged, they could show a
// callback secret or a prompt. The statement's text has none: every value is a parameter.
function withoutValues(err: unknown): never {
  if (err && typeof err === "object") {
    delete (err as { params?: unknown }).params;
    delete (err as { queryOptions?: unknown }).queryOptions;
  }
  throw err;
}

// As Prisma sends them: a Date as its UTC time (node-postgres would send the process's local time), a bigint as digits.
function asParam(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  return value;
}

// Prisma's columns are `timestamp(3)` without a zone holding UTC; node-postgres and PGlite would read them as local time.
const asUtc = (text: string) => new Date(`${text.replace(" ", "T")}Z`);
const parsers: Record<number, (text: string) => unknown> = {
  1114: asUtc,
  1082: (text) => new Date(`${text}T00:00:00Z`),
  // int8 as $queryRaw returns it.
  20: (text) => BigInt(text),
};
const types = {
  getTypeParser(oid: number, format?: string) {
    return parsers[oid] ?? pg.types.getTypeParser(oid, format as "text");
  },
};
