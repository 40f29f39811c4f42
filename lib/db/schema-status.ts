// On PostgreSQL, only `npm run db:migrate` changes the schema (once per deploy);
// every other command checks that the database has every migration this code
// ships, and refuses to run against a schema that is behind. The embedded
// database has one process, which migrates it itself, as it always has.
import pg from "pg";
import type { Config } from "../config";
import { logger } from "../log";
import { databaseTarget, stripSchemaParam } from "./adapter";
import { migrateDatabase } from "./migrate-database";
import { listMigrationNames } from "./migrate";

export class SchemaBehindError extends Error {
  constructor(readonly pending: string[]) {
    super(
      `The database schema is behind this code: ${pending.length} migration(s) not applied (${pending.join(", ")}). ` +
        "Run `npm run db:migrate` once for this deploy, then start the portals and workers.",
    );
    this.name = "SchemaBehindError";
  }
}

/** Migrations applied (and finished, not rolled back) in a PostgreSQL database; empty when none ever was. */
export async function appliedMigrations(url: string, schema = "public"): Promise<string[]> {
  const client = new pg.Client({ connectionString: stripSchemaParam(url) });
  await client.connect();
  try {
    const table = `"${schema.replace(/"/g, '""')}"."_prisma_migrations"`;
    const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [table]);
    if (!exists.rows[0]?.t) return [];
    const { rows } = await client.query<{ name: string }>(
      `SELECT migration_name AS name FROM ${table} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

/**
 * Readies the schema for a command that is not the migrator: migrates the
 * embedded database (returns the names applied); on PostgreSQL throws
 * SchemaBehindError when a migration of this code is missing.
 */
export async function readySchema(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">): Promise<string[]> {
  const target = databaseTarget(config);
  if (target.kind !== "postgres") return migrateDatabase(config);
  const applied = new Set(await appliedMigrations(target.url, target.schema));
  const known = listMigrationNames();
  const pending = known.filter((name) => !applied.has(name));
  if (pending.length) throw new SchemaBehindError(pending);
  // A newer deploy migrated first; this older code keeps running (migrations add before they remove).
  const unknown = [...applied].filter((name) => !known.includes(name));
  if (unknown.length) logger.warn({ unknown }, "the database has migrations this code does not know: a newer version migrated it");
  return [];
}
