// Brings the configured database (PGlite folder or PostgreSQL) up to date.
import pg from "pg";
import type { Config } from "../config";
import { createAdapterFactory, databaseTarget, stripSchemaParam, type DatabaseTarget } from "./adapter";
import { applyMigrations } from "./migrate";

export async function migrateDatabase(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">): Promise<string[]> {
  const target = databaseTarget(config);
  if (target.kind === "postgres" && target.schema) await ensureSchema(target);
  return applyMigrations(createAdapterFactory(target, 1));
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
