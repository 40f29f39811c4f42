// Chooses the Prisma driver adapter: PostgreSQL for a postgres:// URL, embedded
// PGlite otherwise (in-process for its owner, over the owner's socket for others). One schema serves both.
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Config } from "../config";
import { logger } from "../log";
import type { DirectPool } from "./direct-pool";
import { embeddedAccess } from "./embedded-access";
import { loadPrismaPGlite, openPGlite } from "./pglite-modules";

export type DatabaseTarget = { kind: "postgres"; url: string; schema?: string } | { kind: "pglite"; dataDir: string | null };

export function databaseTarget(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">): DatabaseTarget {
  const url = config.DATABASE_URL;
  if (url?.startsWith("pglite:")) {
    const where = url.slice("pglite:".length);
    return { kind: "pglite", dataDir: where === "memory" || where === "" ? null : path.resolve(where) };
  }
  if (url) {
    const schema = new URL(url).searchParams.get("schema") ?? undefined;
    return { kind: "postgres", url, schema };
  }
  return { kind: "pglite", dataDir: path.join(config.DATA_DIR, "pglite") };
}

// An in-memory PGlite belongs to this process alone: one instance for the whole
// process, shared by the app, the migrator and the reconciler.
const memoryKey = Symbol.for("kling-portal.pglite-memory");
type MemoryHolder = { [memoryKey]?: PGlite };

function memoryPglite(): PGlite {
  const g = globalThis as MemoryHolder;
  if (!g[memoryKey] || g[memoryKey].closed) g[memoryKey] = openPGlite("memory://");
  return g[memoryKey];
}

/**
 * A PGlite folder has one owner process: the owner reaches it in-process (behind
 * the session lock), any other process through the owner's Unix socket with the
 * PostgreSQL driver.
 */
export function createAdapterFactory(target: DatabaseTarget, poolSize = 10, opts: { preparedStatements?: boolean } = {}) {
  if (target.kind === "postgres") return postgresAdapter(target, poolSize, opts).factory;
  if (target.dataDir === null) return new (loadPrismaPGlite())(memoryPglite());
  const access = embeddedAccess(target.dataDir);
  if (access.kind === "owner") return new (loadPrismaPGlite())(access.db);
  return embeddedClientAdapter(access.socketDir, poolSize).factory;
}

/**
 * A client of an owner's socket (another process, or this process's database thread): Prisma's adapter on a
 * node-postgres pool of its own, which the hottest statements also use directly. Unnamed statements only: PGlite
 * has one session, which every connection shares, so one connection's prepared name would clash with another's.
 */
export function embeddedClientAdapter(socketDir: string, poolSize: number): { factory: PrismaPg; direct: DirectPool } {
  const pool = new pg.Pool(embeddedClientConfig(socketDir, poolSize));
  pool.on("error", (err) => logger.warn({ err: err.message }, "an idle connection to the embedded database failed"));
  return { factory: new PrismaPg(pool, { disposeExternalPool: true }), direct: { kind: "pg", pool, name: null } };
}

/** For a client of an owner's socket: its adapter and direct pool; null when this process holds the database (or it is PostgreSQL). */
export function embeddedClient(target: DatabaseTarget, poolSize: number): { factory: PrismaPg; direct: DirectPool } | null {
  if (target.kind !== "pglite" || target.dataDir === null) return null;
  const access = embeddedAccess(target.dataDir);
  return access.kind === "client" ? embeddedClientAdapter(access.socketDir, poolSize) : null;
}

/** The embedded database this process holds (in memory, or as the folder's owner); null for a client of another owner. */
export function inProcessPglite(target: Extract<DatabaseTarget, { kind: "pglite" }>): PGlite | null {
  if (target.dataDir === null) return memoryPglite();
  const access = embeddedAccess(target.dataDir);
  return access.kind === "owner" ? access.db : null;
}

/**
 * PostgreSQL's adapter on a pool of our own, which the hottest statements also
 * use directly (direct-pool.ts); the adapter ends it when its client disconnects.
 */
export function postgresAdapter(
  target: Extract<DatabaseTarget, { kind: "postgres" }>,
  poolSize: number,
  opts: { preparedStatements?: boolean } = {},
): { factory: PrismaPg; direct: DirectPool } {
  const pool = new pg.Pool({ connectionString: stripSchemaParam(target.url), max: poolSize });
  // A connection the server closed while idle (a restart) is an error event: without a listener, before the
  // adapter adds its own on its first query, it would end the process. The pool replaces the connection.
  pool.on("error", (err) => logger.warn({ err: err.message }, "an idle database connection failed"));
  const named = opts.preparedStatements !== false;
  const factory = new PrismaPg(pool, {
    ...(target.schema ? { schema: target.schema } : {}),
    ...(named ? { statementNameGenerator: preparedStatementNames() } : {}),
    disposeExternalPool: true,
  });
  const direct = preparedStatementNames(1000, "direct");
  return { factory, direct: { kind: "pg", pool, name: named ? (sql) => direct({ sql }) : null } };
}

/**
 * Names Prisma's statements by their text, so that each PostgreSQL connection
 * parses and plans a statement once and afterwards only binds and runs it
 * (node-postgres remembers per connection which names it has prepared): the
 * server's CPU per request falls by a third to a half (README, Performance).
 * Bounded: beyond `max` distinct texts (an IN list of every length, say) the
 * rest run unnamed, as without this, so no connection holds statements without end.
 */
export function preparedStatementNames(max = 1000, prefix = "prisma"): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return (query) => {
    let name = names.get(query.sql);
    if (name === undefined && names.size < max) {
      name = `${prefix}_${names.size}`;
      names.set(query.sql, name);
    }
    // The adapter's type wants a string; undefined is node-postgres's unnamed statement.
    return name as string;
  };
}

/** node-postgres settings for an owner's socket in socketDir (it connects to <dir>/.s.PGSQL.5432). */
export function embeddedClientConfig(socketDir: string, max = 1) {
  return { host: socketDir, user: "postgres", database: "postgres", max };
}

/** node-postgres does not understand Prisma's `?schema=`; it becomes the search_path instead. */
export function stripSchemaParam(url: string): string {
  const u = new URL(url);
  const schema = u.searchParams.get("schema");
  u.searchParams.delete("schema");
  if (schema) u.searchParams.set("options", `-c search_path="${schema}"`);
  return u.toString();
}
