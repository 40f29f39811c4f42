// Brings the configured database (PGlite folder or PostgreSQL) up to date.
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import type { Config } from "../config";
import { createAdapterFactory, databaseTarget, stripSchemaParam, type DatabaseTarget } from "./adapter";
import { applyMigrations } from "./migrate";

export async function migrateDatabase(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">): Promise<string[]> {
  const target = databaseTarget(config);
  if (target.kind !== "postgres") return applyMigrations(createAdapterFactory(target, 1));
  if (target.schema) await ensureSchema(target);
  // Prisma's migrator holds a server-wide advisory lock on its connection, and
  // freeing the engine does not close that connection: ending the pool here
  // releases the lock at once, so the next migration (another schema, another
  // instance) does not wait out the pool's idle timeout, or time out.
  const factory = createAdapterFactory(target, 1) as SqlMigrationAwareDriverAdapterFactory;
  const opened: SqlDriverAdapter[] = [];
  const track = <A extends SqlDriverAdapter>(adapter: A) => {
    opened.push(adapter);
    return adapter;
  };
  try {
    return await applyMigrations({
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: async () => track(await factory.connect()),
      connectToShadowDb: async () => track(await factory.connectToShadowDb()),
    });
  } finally {
    await Promise.all(opened.map((a) => a.dispose().catch(() => {})));
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
