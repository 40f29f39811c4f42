// The hottest statements go straight to node-postgres's pool under Prisma's
// adapter (direct-pool.ts): they must return what $queryRaw returns, whatever
// the process's time zone, stay inside a transaction when given its client,
// and be prepared once per connection unless prepared statements are off.
import { afterEach, expect, it } from "vitest";
import { newPrismaClient, Prisma, queryRows } from "@/lib/db/client";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

// Every type the hot statements read: timestamps (column and parameter), a date, int4, int8, float8, bool,
// text, an enum as text, jsonb, an int4 array, and nulls.
const probe = (at: Date, taskId: string) => Prisma.sql`
  SELECT t."createdAt", ${at}::timestamp(3) AS "sentAt", DATE '2026-11-27' AS day, t.n, 9007199254740993::bigint AS big,
    t."imageFidelity", t."submitSentAt" IS NULL AS unsent, t.prompt, t.status::text AS status, t.status AS "rawStatus",
    '{"a":[1,"b"]}'::jsonb AS doc, ARRAY[3,1,2] AS ints, t."finishedAt", NULL::bigint AS "noBig"
  FROM "Task" t WHERE t.id = ${taskId} AND t."createdAt" = ${at}`;

describeEachDb("queryRows", (ctx) => {
  it("returns what $queryRaw returns, with timestamps read and sent as UTC whatever the process's time zone", async () => {
    const user = await makeUser(ctx.db);
    const at = new Date("2026-11-27T23:30:00.125Z");
    const task = await makeTask(ctx.db, user.id, { createdAt: at, prompt: "tide pools" });
    for (const tz of ["UTC", "America/Los_Angeles", "Asia/Kolkata"]) {
      process.env.TZ = tz;
      const viaPrisma = await ctx.db.$queryRaw<Record<string, unknown>[]>(probe(at, task.id));
      const direct = await queryRows<Record<string, unknown>>(probe(at, task.id), ctx.db);
      expect(direct).toEqual(viaPrisma);
      expect(direct).toEqual([
        expect.objectContaining({ createdAt: at, sentAt: at, day: new Date("2026-11-27T00:00:00Z"), big: 9007199254740993n, noBig: null }),
      ]);
      expect(direct[0]).toMatchObject({ prompt: "tide pools", status: task.status, rawStatus: task.status, doc: { a: [1, "b"] }, ints: [3, 1, 2] });
    }
  });

  it("a failed statement's error carries no parameter value (a secret would reach the logs)", async () => {
    const secret = "callback-secret-that-must-not-be-logged";
    const err = await queryRows(Prisma.sql`SELECT ${secret}::text AS s, 1 / 0 AS n`, ctx.db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(secret);
  });

  it("runs a transaction's statements in that transaction", async () => {
    const user = await makeUser(ctx.db);
    await expect(
      ctx.db.$transaction(async (tx) => {
        await queryRows(Prisma.sql`UPDATE "User" SET name = 'inside' WHERE id = ${user.id} RETURNING id`, tx);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect((await ctx.db.user.findUniqueOrThrow({ where: { id: user.id } })).name).not.toBe("inside");
  });

  // PostgreSQL only: statements sent to PGlite directly are unnamed.
  if (ctx.kind === "postgres")
    it("names each statement once per connection, and never with prepared statements off", async () => {
      const prepared = Prisma.sql`SELECT name FROM pg_prepared_statements WHERE statement LIKE '%direct-pool probe%' -- direct-pool probe`;
      for (const preparedStatements of [true, false]) {
        const schema = new URL(ctx.url!).searchParams.get("schema")!;
        const client = newPrismaClient({ kind: "postgres", url: ctx.url!, schema }, 1, { preparedStatements });
        try {
          await queryRows(prepared, client);
          const names = await queryRows<{ name: string }>(prepared, client);
          expect(names.map((r) => r.name)).toEqual(preparedStatements ? [expect.stringMatching(/^direct_\d+$/)] : []);
        } finally {
          await client.$disconnect();
        }
      }
    });
});
