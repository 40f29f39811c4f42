// Brings the configured database (PGlite folder or PostgreSQL) up to date.
import { randomBytes } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Config } from "../config";
import { createAdapterFactory, databaseTarget, stripSchemaParam, type DatabaseTarget } from "./adapter";
import { applyMigrations, pendingMigrationNames } from "./migrate";

/**
 * On PostgreSQL a migration waits for Prisma's server-wide lock at most 10 s a
 * try: another deploy or test run migrating at the same time is waited out for
 * `tries` tries before the timeout is thrown.
 */
export async function migrateDatabase(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">, { tries = 3 } = {}): Promise<string[]> {
  const target = databaseTarget(config);
  if (target.kind !== "postgres") return migrateEmbedded(createAdapterFactory(target, 1));
  if (target.schema) await ensureSchema(target);
  for (let i = 1; ; i++) {
    try {
      return await migratePostgres(target);
    } catch (err) {
      // Waiting for the lock surfaces as either message, depending on where the 10 s ran out.
      if (i >= tries || !/advisory lock|reached but timed out/.test(String((err as Error).message))) throw err;
    }
  }
}

/**
 * The embedded database is migrated on every start, and most starts find
 * nothing to do: that is read without the schema engine, whose WebAssembly
 * instance would stay resident (about 25 MB) once loaded.
 */
async function migrateEmbedded(factory: ReturnType<typeof createAdapterFactory>): Promise<string[]> {
  if ((await pendingMigrationNames(factory))?.length === 0) return [];
  return applyMigrations(factory);
}

async function migratePostgres(target: Extract<DatabaseTarget, { kind: "postgres" }>): Promise<string[]> {
  // The migrator's own named connection, ended afterwards whatever happened. Prisma's
  // engine gives up waiting for its advisory lock after 10 s without cancelling the
  // wait: left open, that connection would take the lock later and hold it, idle,
  // so every other migration on the server (another deploy, a parallel test file)
  // would time out behind it.
  const applicationName = `kling-migrate:${process.pid}:${randomBytes(3).toString("hex")}`;
  const pool = new pg.Pool({ connectionString: stripSchemaParam(target.url), max: 1, application_name: applicationName });
  pool.on("error", () => {}); // Its connections are ended below on purpose.
  try {
    return await applyMigrations(new PrismaPg(pool, target.schema ? { schema: target.schema } : undefined));
  } finally {
    await endSessions(target.url, applicationName).catch(() => {});
    // A connection the engine never handed back would keep end() waiting: two seconds are enough for the rest.
    await Promise.race([pool.end().catch(() => {}), new Promise((ok) => setTimeout(ok, 2000).unref())]);
  }
}

async function endSessions(url: string, applicationName: string) {
  const client = new pg.Client({ connectionString: stripSchemaParam(url) });
  await client.connect();
  try {
    await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", [applicationName]);
  } finally {
    await client.end();
  }
}

// Prisma's `?schema=` names a schema that may not exist yet on a fresh database.
async function ensureSchema(target: Extract<DatabaseTarget, { kind: "postgres" }>) {
  const client = new pg.Client({ connectionString: stripSchemaParam(target.url) });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema!.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
