import pg from "pg";
import { describe, expect, it } from "vitest";
import { createAdapterFactory, preparedStatementNames } from "@/lib/db/adapter";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { createTestDb } from "../helpers/db";

describe("prepared statement names", () => {
  it("one name per statement text, the same every time, and none beyond the bound", () => {
    const name = preparedStatementNames(2);
    const a = name({ sql: "SELECT 1" });
    expect(name({ sql: "SELECT 1" })).toBe(a);
    const b = name({ sql: "SELECT 2" });
    expect(b).not.toBe(a);
    // A third text runs unnamed (node-postgres's one-off statement), and stays so.
    expect(name({ sql: "SELECT 3" })).toBeUndefined();
    expect(name({ sql: "SELECT 3" })).toBeUndefined();
    expect(name({ sql: "SELECT 2" })).toBe(b);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("prepared statements on PostgreSQL", () => {
  it("the app's client prepares each query once per connection and reuses it; DATABASE_PREPARED_STATEMENTS=false prepares none", async () => {
    const test = await createTestDb("postgres");
    const schema = new URL(test.url!).searchParams.get("schema")!;
    const open = (preparedStatements: boolean) =>
      new PrismaClient({ adapter: createAdapterFactory({ kind: "postgres", url: test.url!, schema }, 1, { preparedStatements }) });
    const prepared = open(true);
    const unnamed = open(false);
    try {
      const user = await prepared.user.create({ data: { email: "prepared@example.com" } });
      for (let i = 0; i < 3; i++) expect((await prepared.user.findUnique({ where: { id: user.id } }))?.email).toBe("prepared@example.com");
      // One connection (pool of 1): this query sees that session's prepared statements.
      const mine = await prepared.$queryRawUnsafe<{ name: string; statement: string }[]>("SELECT name, statement FROM pg_prepared_statements");
      const lookups = mine.filter((s) => s.statement.includes('"User"') && s.statement.startsWith("SELECT"));
      expect(lookups, "the three lookups share one prepared statement").toHaveLength(1);
      expect(lookups[0].name).toMatch(/^prisma_\d+$/);

      expect((await unnamed.user.findUnique({ where: { id: user.id } }))?.email).toBe("prepared@example.com");
      expect(await unnamed.$queryRawUnsafe("SELECT name FROM pg_prepared_statements")).toEqual([]);
    } finally {
      await prepared.$disconnect();
      await unnamed.$disconnect();
      await test.close();
    }
  });

  it("a statement prepared before a migration adds a column still runs after it", async () => {
    // Rolling upgrades run `npm run db:migrate` while instances serve: their prepared statements must survive it.
    const test = await createTestDb("postgres");
    const schema = new URL(test.url!).searchParams.get("schema")!;
    const client = new PrismaClient({ adapter: createAdapterFactory({ kind: "postgres", url: test.url!, schema }, 1) });
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      const user = await client.user.create({ data: { email: "before@example.com" } });
      expect((await client.user.findUnique({ where: { id: user.id } }))?.email).toBe("before@example.com");
      await admin.query(`ALTER TABLE "${schema}"."User" ADD COLUMN "addedLater" text`);
      expect((await client.user.findUnique({ where: { id: user.id } }))?.email).toBe("before@example.com");
    } finally {
      await admin.end();
      await client.$disconnect();
      await test.close();
    }
  });
});
