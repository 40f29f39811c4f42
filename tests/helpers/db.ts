// Real databases for tests: a fresh in-memory PGlite always, and a fresh schema
// in TEST_DATABASE_URL's PostgreSQL when it is set. Each is migrated with the
// same code as `npm run db:migrate`, and dropped afterwards.
import { randomBytes } from "node:crypto";
import { loadPrismaPGlite, openPGlite } from "@/lib/db/pglite-modules";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { getDb, newPrismaClient, setDb, disconnectDb } from "@/lib/db/client";
import { bindDirectPool } from "@/lib/db/direct-pool";
import { applyMigrations } from "@/lib/db/migrate";
import { migrateDatabase } from "@/lib/db/migrate-database";

export type DbKind = "pglite" | "postgres";
export type TestDb = { kind: DbKind; db: PrismaClient; url?: string; close(): Promise<void> };

export function testDbKinds(): DbKind[] {
  return process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export async function createTestDb(kind: DbKind): Promise<TestDb> {
  if (kind === "pglite") {
    const pglite = openPGlite("memory://");
    // PGlite and its adapter from one module system, as the app loads them: the adapter
    // recognises (and maps to Prisma's codes) only errors of the PGlite copy it was loaded with.
    const PrismaPGlite = loadPrismaPGlite();
    await applyMigrations(new PrismaPGlite(pglite));
    const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    // As the app's own client: its hottest statements prepared in the database (direct-pool.ts).
    bindDirectPool(db, { kind: "pglite", db: pglite });
    return {
      kind,
      db,
      close: async () => {
        await db.$disconnect();
        await pglite.close();
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL!;
  assertLocal(base);
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const url = `${base}${base.includes("?") ? "&" : "?"}schema=${schema}`;
  await migrateWithRetry(url);
  // Built as the app builds it (prepared statements included), so every PostgreSQL test runs that path.
  const db = newPrismaClient({ kind: "postgres", url, schema }, 5);
  return {
    kind,
    db,
    url,
    async close() {
      await db.$disconnect();
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

// Test files migrating their own schemas at once can queue past Prisma's 10 s lock wait on 2 busy cores.
export const migrateWithRetry = (url: string) => migrateDatabase({ DATABASE_URL: url, DATA_DIR: "/nonexistent" }, { tries: 8 });

// Like dub's test setup: never run destructive tests against a remote database.
function assertLocal(url: string) {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) throw new Error(`TEST_DATABASE_URL must point at a local server, not ${host}`);
}

/**
 * Runs a suite once per available database, with that database installed as
 * the app's Prisma client for the suite's duration.
 */
export function describeEachDb(name: string, suite: (ctx: { get db(): PrismaClient; kind: DbKind; get url(): string | undefined }) => void) {
  for (const kind of testDbKinds()) {
    describe(`${name} [${kind}]`, () => {
      let test: TestDb | undefined;
      beforeAll(async () => {
        test = await createTestDb(kind);
        setDb(test.db);
      });
      afterAll(async () => {
        await disconnectDb();
        await test?.close();
      });
      suite({
        kind,
        get db() {
          if (!test) throw new Error("test database not ready");
          return test.db;
        },
        // The PostgreSQL URL with its ?schema= (undefined for PGlite).
        get url() {
          return test?.url;
        },
      });
    });
  }
}

/** Runs `fn` with the app pointed at a database that cannot be reached, then restores the real one. */
export async function withUnreachableDb(fn: () => Promise<void>): Promise<void> {
  const working = getDb();
  const broken = new PrismaClient({ adapter: new PrismaPg({ connectionString: "postgresql://nobody@127.0.0.1:1/none", connectionTimeoutMillis: 500 }) });
  setDb(broken);
  try {
    await fn();
  } finally {
    setDb(working);
    await broken.$disconnect().catch(() => {});
  }
}
