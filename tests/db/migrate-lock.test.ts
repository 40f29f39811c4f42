// Prisma's engine waits at most 10 s for its server-wide migration lock and
// does not cancel the wait when it gives up. The migrator ends its own
// connection afterwards, so a wait it abandoned can never turn into a lock
// held by an idle connection that every later migration queues behind.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "@/lib/db/migrate-database";
import { migrateWithRetry } from "../helpers/db";

const base = process.env.TEST_DATABASE_URL;
/** The advisory lock key Prisma's schema engine takes around migrations. */
const PRISMA_MIGRATE_LOCK = 72707369;

describe.skipIf(!base)("the migrator's connection on PostgreSQL", () => {
  const schemas: string[] = [];
  const urlFor = () => {
    const schema = `migrlock_${randomBytes(4).toString("hex")}`;
    schemas.push(schema);
    const u = new URL(base!);
    u.searchParams.set("schema", schema);
    return u.toString();
  };
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const migratorSessions = () =>
    admin(
      async (c) =>
        (await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1", [`kling-migrate:${process.pid}:%`])).rows[0]
          .n as number,
    );

  afterAll(async () => {
    await admin(async (c) => {
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    });
  });

  it("is gone after a migration that succeeded", { timeout: 120_000 }, async () => {
    // With the retries every suite uses: other test files migrate on this server at the same time.
    expect((await migrateWithRetry(urlFor())).length).toBeGreaterThan(0);
    expect(await migratorSessions()).toBe(0);
  });

  it("is gone after the engine gave up waiting for the lock, and never holds the lock later", { timeout: 60_000 }, async () => {
    const holder = new pg.Client({ connectionString: base });
    await holder.connect();
    // Another deploy (or test file) holds the migration lock longer than the engine waits.
    await holder.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    try {
      const migrating = migrateDatabase({ DATABASE_URL: urlFor(), DATA_DIR: "/nonexistent" }, { tries: 1 });
      // The migrator's connection is there, named, waiting for the lock…
      let waiting = 0;
      for (let i = 0; i < 40 && !waiting; i++) {
        await new Promise((ok) => setTimeout(ok, 100));
        waiting = await admin(
          async (c) =>
            (
              await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1 AND wait_event_type = 'Lock'", [
                `kling-migrate:${process.pid}:%`,
              ])
            ).rows[0].n as number,
        );
      }
      expect(waiting).toBe(1);
      // …until the engine gives up.
      await expect(migrating).rejects.toThrow(/advisory lock|timed out/);
    } finally {
      await holder.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]);
      await holder.end();
    }
    // Had the abandoned wait survived, it would hold the lock now.
    await new Promise((ok) => setTimeout(ok, 500));
    expect(await migratorSessions()).toBe(0);
    const held = await admin(
      async (c) =>
        (
          await c.query(
            "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted AND a.application_name LIKE 'kling-migrate:%'",
            [PRISMA_MIGRATE_LOCK],
          )
        ).rows[0].n as number,
    );
    expect(held).toBe(0);
  });
});
