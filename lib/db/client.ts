// The one Prisma client of the process, created on first use and kept on
// globalThis so Next.js bundles, CLI scripts and dev reloads share it.
import { getConfig } from "../config";
import { PrismaClient, type Prisma } from "../generated/prisma/client";
import { createAdapterFactory, databaseTarget, type DatabaseTarget, embeddedClient, inProcessPglite, postgresAdapter } from "./adapter";
import { bindDirectPool, directRows } from "./direct-pool";
import { closeAllEmbedded, connectEmbedded, type EmbeddedAccess } from "./embedded-access";

const key = Symbol.for("kling-portal.prisma");
type Holder = { [key]?: PrismaClient };

export function getDb(): PrismaClient {
  const g = globalThis as Holder;
  if (!g[key]) {
    const config = getConfig();
    g[key] = newPrismaClient(databaseTarget(config), config.DATABASE_POOL_SIZE, { preparedStatements: config.DATABASE_PREPARED_STATEMENTS });
  }
  return g[key];
}

/**
 * A client for `target`; its driver (node-postgres's pool, to PostgreSQL or to an embedded owner's socket, or
 * the PGlite this process holds) also serves `queryRows`.
 */
export function newPrismaClient(target: DatabaseTarget, poolSize: number, opts: { preparedStatements?: boolean } = {}): PrismaClient {
  const viaSocket = embeddedClient(target, poolSize);
  if (viaSocket) {
    const client = new PrismaClient({ adapter: viaSocket.factory });
    bindDirectPool(client, viaSocket.direct);
    return client;
  }
  if (target.kind !== "postgres") {
    const client = new PrismaClient({ adapter: createAdapterFactory(target, poolSize, opts) });
    const db = inProcessPglite(target);
    if (db) bindDirectPool(client, { kind: "pglite", db });
    return client;
  }
  const { factory, direct } = postgresAdapter(target, poolSize, opts);
  const client = new PrismaClient({ adapter: factory });
  bindDirectPool(client, direct);
  return client;
}

/**
 * Rows of one SQL statement, as `db.$queryRaw` returns them, straight from the
 * client's driver (direct-pool.ts), for the hottest statements; a transaction's
 * client runs them itself, in the transaction.
 */
export function queryRows<T>(sql: Prisma.Sql, db: Pick<PrismaClient, "$queryRaw"> = getDb()): Promise<T[]> {
  return directRows<T>(db, sql);
}

/** Installs a client built elsewhere (tests point the app at their own database). */
export function setDb(client: PrismaClient): void {
  (globalThis as Holder)[key] = client;
}

/** Closes and forgets the client (tests, CLI exit). */
export async function disconnectDb(): Promise<void> {
  const g = globalThis as Holder;
  const client = g[key];
  delete g[key];
  if (client) await client.$disconnect();
}

/**
 * For commands, before the first query: settles how this process reaches an
 * embedded database (its owner, or a client of the running owner), waiting a
 * while for an owner that is still starting. Null for PostgreSQL and pglite:memory.
 */
export async function connectDatabase(command: string): Promise<EmbeddedAccess | null> {
  const target = databaseTarget(getConfig());
  if (target.kind !== "pglite" || target.dataDir === null) return null;
  return connectEmbedded(target.dataDir, { command });
}

/** Closes the client, then any embedded database this process owns (its socket too), releasing the folder. */
export async function closeDatabase(): Promise<void> {
  await disconnectDb();
  await closeAllEmbedded();
}

export type Db = PrismaClient;
export { Prisma } from "../generated/prisma/client";
