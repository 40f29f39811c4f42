// Where every rate limiter (sign-in throttling, gateway and web budgets) keeps
// its counts: one table in PostgreSQL, shared by every portal and worker
// instance; the same table in embedded PGlite for a client of its owner's socket
// (npm start's server reaches its own database thread so); else this process's memory.
import pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from "rate-limiter-flexible";
import { getConfig } from "../config";
import { databaseTarget, embeddedClientConfig, stripSchemaParam } from "../db/adapter";
import { knownEmbeddedAccess } from "../db/embedded-access";
import { logger } from "../log";

export type LimiterOptions = { keyPrefix: string; points: number; duration: number };
export type LimiterStore = {
  make(opts: LimiterOptions): RateLimiterAbstract;
  ready: Promise<void>;
  close(): Promise<void>;
  /** PostgreSQL only: the limiters' table as an SQL identifier once it exists, for a count taken in another query (count-in-query.ts). */
  sqlTable?: () => string | null;
};

/** The limiters' own table: created by the library, outside Prisma's schema (and so never dropped by a migration). */
export const LIMITER_TABLE = "rate_limits";

export function memoryStore(): LimiterStore {
  return { make: (opts) => new RateLimiterMemory(opts), ready: Promise.resolve(), close: async () => {} };
}

/**
 * A PostgreSQL store on its own small pool (a server's URL, or the socket an embedded database's owner serves in
 * socketDir); each limiter falls back to memory (insurance) while the database fails.
 */
export function postgresStore(to: string | { socketDir: string }, schema?: string): LimiterStore {
  const embedded = typeof to !== "string";
  const pool = new pg.Pool(embedded ? embeddedClientConfig(to.socketDir, 2) : { connectionString: stripSchemaParam(to), max: 2 });
  // The message only: node-postgres puts its whole client on the error.
  pool.on("error", (err) => logger.warn({ err: err.message }, "rate limiter pool error"));
  // The library names its statements; on an embedded owner's socket every connection shares PGlite's one
  // session, where a second connection preparing the same name would fail: there they go unnamed.
  const client = embedded ? { query: (q: { text: string; values?: unknown[] }) => pool.query({ text: q.text, values: q.values }) } : pool;
  const base = { storeClient: client, storeType: "pool", tableName: LIMITER_TABLE, schemaName: schema };
  // The first limiter creates the table; the others wait for it (a count taken meanwhile would land in memory).
  let created = false;
  const ready = new Promise<void>((resolve) => {
    new RateLimiterPostgres({ ...base, keyPrefix: "setup", points: 1, duration: 1 }, (err?: Error) => {
      if (err) logger.warn({ err }, "could not create the rate limiter table; counting in memory until it exists");
      else created = true;
      resolve();
    });
  });
  // Spelled as the library spells it.
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const table = schema ? `${quote(schema)}.${quote(LIMITER_TABLE)}` : quote(LIMITER_TABLE);
  return {
    ready,
    sqlTable: () => (created ? table : null),
    make: (opts) => new RateLimiterPostgres({ ...base, ...opts, tableCreated: true, insuranceLimiter: new RateLimiterMemory(opts) }),
    close: () => pool.end(),
  };
}

const holder = Symbol.for("kling-portal.limiter-store");
type Holder = { [holder]?: LimiterStore };

/**
 * The process's one store, from DATABASE_URL, shared by all its limiters (one
 * small pool). It lives as long as the process: close() is a no-op here.
 */
export function configuredStore(): LimiterStore {
  const g = globalThis as Holder;
  if (!g[holder]) {
    const target = databaseTarget(getConfig());
    // Only an access this process has already settled: asking anew could make it the folder's owner.
    const embedded = target.kind === "pglite" && target.dataDir ? knownEmbeddedAccess(target.dataDir) : undefined;
    const store =
      target.kind === "postgres"
        ? postgresStore(target.url, target.schema)
        : embedded?.kind === "client"
          ? postgresStore({ socketDir: embedded.socketDir })
          : memoryStore();
    g[holder] = { ...store, close: async () => {} };
  }
  return g[holder];
}
