// Who changes the schema: the embedded database is migrated by its one process;
// on PostgreSQL only `npm run db:migrate` does, and everything else refuses a
// schema that is behind, naming the missing migrations.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import { applyMigrations, listMigrationNames, pendingMigrationNames } from "@/lib/db/migrate";
import { loadPrismaPGlite, openPGlite } from "@/lib/db/pglite-modules";
import { readySchema, SchemaBehindError } from "@/lib/db/schema-status";
import { migrateWithRetry } from "../helpers/db";

const base = process.env.TEST_DATABASE_URL;
const migrations = listMigrationNames();

describe("readying the schema", () => {
  it("migrates the embedded database itself", async () => {
    expect(await readySchema({ DATABASE_URL: "pglite:memory", DATA_DIR: "/nonexistent" })).toEqual(migrations);
    expect(await readySchema({ DATABASE_URL: "pglite:memory", DATA_DIR: "/nonexistent" })).toEqual([]);
  });

  it("finds an up-to-date embedded database current without loading the schema engine", async () => {
    expect(await readySchema({ DATABASE_URL: "pglite:memory", DATA_DIR: "/nonexistent" })).toEqual([]);
    // A process that has not migrated anything yet, as a restart on an existing folder is.
    vi.resetModules();
    const fresh = await import("@/lib/db/schema-status");
    const freshMigrate = await import("@/lib/db/migrate");
    expect(await fresh.readySchema({ DATABASE_URL: "pglite:memory", DATA_DIR: "/nonexistent" })).toEqual([]);
    expect(freshMigrate.schemaEngineLoaded()).toBe(false);
  });

  it("reads what is pending without the engine, and leaves to the engine what only it can judge", async () => {
    const db = openPGlite("memory://");
    const factory = new (loadPrismaPGlite())(db);
    try {
      expect(await pendingMigrationNames(factory)).toBeNull(); // never migrated: no table
      expect(await applyMigrations(factory)).toEqual(migrations);
      expect(await pendingMigrationNames(factory)).toEqual([]);
      const newest = migrations.at(-1)!;
      await db.query("UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = $1", [newest]);
      expect(await pendingMigrationNames(factory)).toBeNull(); // a failed migration: the engine reports it
      await db.query("UPDATE _prisma_migrations SET finished_at = now(), rolled_back_at = now() WHERE migration_name = $1", [newest]);
      expect(await pendingMigrationNames(factory)).toBeNull(); // rolled back: the engine applies it again
      await db.query("DELETE FROM _prisma_migrations WHERE migration_name = $1", [newest]);
      expect(await pendingMigrationNames(factory)).toEqual([newest]);
    } finally {
      await db.close();
    }
  });

  describe.skipIf(!base)("on PostgreSQL", () => {
    const schema = `t_schema_${randomBytes(4).toString("hex")}`;
    const url = base ? `${base}${base.includes("?") ? "&" : "?"}schema=${schema}` : "";
    const config = { DATABASE_URL: url, DATA_DIR: "/nonexistent" };
    const sql = async (text: string) => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    };
    afterAll(() => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));

    it("refuses a database never migrated, naming every migration and the command, and changes nothing", async () => {
      const err = await readySchema(config).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaBehindError);
      expect((err as SchemaBehindError).pending).toEqual(migrations);
      expect((err as Error).message).toMatch(/schema is behind this code: \d+ migration\(s\) not applied .*Run `npm run db:migrate` once for this deploy/);
      expect(await sql(`SELECT 1 FROM information_schema.tables WHERE table_schema = '${schema}'`)).toEqual([]);
    });

    it("accepts it once migrated, and refuses again when the newest migration is missing", async () => {
      expect(await migrateWithRetry(url)).toEqual(migrations);
      expect(await readySchema(config)).toEqual([]);
      const newest = migrations.at(-1)!;
      await sql(`UPDATE "${schema}"."_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${newest}'`);
      await expect(readySchema(config)).rejects.toThrow(new SchemaBehindError([newest]).message);
    });

    it("runs against a schema a newer version migrated further", async () => {
      await sql(`UPDATE "${schema}"."_prisma_migrations" SET rolled_back_at = NULL`);
      await sql(
        `INSERT INTO "${schema}"."_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ('future', 'x', '29990101000000_future', now(), now(), 1)`,
      );
      expect(await readySchema(config)).toEqual([]);
    });
  });
});
