// Acceptances of concurrent submits recorded in one statement (mark-submitted.ts):
// each task still queued and held by its submitter moves on to submitted with
// exactly its own values; any other is left as it was and answered with null.
import pg from "pg";
import { expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { stripSchemaParam } from "@/lib/db/adapter";
import { setDb } from "@/lib/db/client";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { markSubmitted } from "@/lib/tasks/mark-submitted";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";

describeEachDb("markSubmitted", (ctx) => {
  it("records the acceptances made together, each under its own guard and with its own values, in any time zone", async () => {
    const user = await makeUser(ctx.db);
    const held = (id: string) => ({
      status: "queued" as const,
      leaseOwner: `creator:${id}`,
      leaseUntil: new Date(Date.now() + 60_000),
      submitSentAt: new Date(),
    });
    const tasks = await Promise.all(
      Array.from({ length: 5 }, (_, i) => makeTask(ctx.db, user.id, { id: `tmark${i}${Date.now().toString(36)}`, prompt: `lantern ${i}` })),
    );
    for (const t of tasks) await ctx.db.task.update({ where: { id: t.id }, data: held(t.id) });
    // A callback got to the fourth first; the fifth is held by someone else now.
    await ctx.db.task.update({ where: { id: tasks[3].id }, data: { status: "processing", upstreamTaskId: "up-3" } });
    await ctx.db.task.update({ where: { id: tasks[4].id }, data: { leaseOwner: "reconciler:other" } });
    const before = await ctx.db.task.findMany({ where: { id: { in: [tasks[3].id, tasks[4].id] } }, orderBy: { id: "asc" } });

    const zone = process.env.TZ;
    process.env.TZ = "America/Los_Angeles";
    try {
      const at = (i: number) => new Date(Date.UTC(2026, 10, 27, 9, 0, i, 123));
      const results = await Promise.all(
        tasks.map((t, i) =>
          markSubmitted({ id: t.id, owner: `creator:${t.id}`, upstreamTaskId: `up-${i}`, nextCheckAt: new Date(at(i).getTime() + 2000), at: at(i) }),
        ),
      );
      for (const i of [0, 1, 2]) {
        const row = results[i]!;
        expect(row).toMatchObject({
          id: tasks[i].id,
          status: "submitted",
          statusMsg: "",
          upstreamTaskId: `up-${i}`,
          attempts: 0,
          leaseOwner: null,
          leaseUntil: null,
          prompt: `lantern ${i}`,
        });
        expect(row.nextCheckAt.toISOString()).toBe(new Date(at(i).getTime() + 2000).toISOString());
        expect(row.updatedAt.toISOString()).toBe(at(i).toISOString());
        // The row returned is the row stored.
        expect(await ctx.db.task.findUniqueOrThrow({ where: { id: tasks[i].id } })).toEqual(row);
      }
      expect(results[3]).toBeNull();
      expect(results[4]).toBeNull();
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(await ctx.db.task.findMany({ where: { id: { in: [tasks[3].id, tasks[4].id] } }, orderBy: { id: "asc" } })).toEqual(before);
  });

  // A client of another process's embedded database (or any client the driver is not bound to) sends it through Prisma.
  if (ctx.kind === "postgres")
    it("records a group through Prisma's $queryRaw too, for a client without a direct driver", async () => {
      const user = await makeUser(ctx.db);
      const tasks = await Promise.all(["c", "d"].map((k) => makeTask(ctx.db, user.id, { id: `tprisma${k}${Date.now().toString(36)}` })));
      for (const t of tasks) await ctx.db.task.update({ where: { id: t.id }, data: { leaseOwner: `creator:${t.id}`, submitSentAt: new Date() } });
      const schema = new URL(ctx.url!).searchParams.get("schema")!;
      const unbound = new PrismaClient({ adapter: new PrismaPg({ connectionString: stripSchemaParam(ctx.url!) }, { schema }) });
      setDb(unbound);
      try {
        const at = new Date(Date.UTC(2026, 10, 27, 10, 0, 0, 5));
        const results = await Promise.all(
          tasks.map((t, i) => markSubmitted({ id: t.id, owner: `creator:${t.id}`, upstreamTaskId: `up-p${i}`, nextCheckAt: at, at })),
        );
        expect(results.map((r) => [r?.status, r?.upstreamTaskId, r?.nextCheckAt.toISOString()])).toEqual([
          ["submitted", "up-p0", at.toISOString()],
          ["submitted", "up-p1", at.toISOString()],
        ]);
      } finally {
        setDb(ctx.db);
        await unbound.$disconnect();
      }
    });

  // Only PostgreSQL runs transactions side by side (PGlite has one session): there another writer can lock rows in another order.
  if (ctx.kind === "postgres")
    it("records every acceptance of a group that lost a deadlock, each written again alone", async () => {
      const user = await makeUser(ctx.db);
      const [a, b] = await Promise.all(["a", "b"].map((k) => makeTask(ctx.db, user.id, { id: `tlock${k}${Date.now().toString(36)}` })));
      for (const t of [a, b]) await ctx.db.task.update({ where: { id: t.id }, data: { leaseOwner: `creator:${t.id}`, submitSentAt: new Date() } });
      // Another writer holds b, then reaches for a while the group (which locks a, then b) waits for b: a deadlock.
      const other = new pg.Client({ connectionString: stripSchemaParam(ctx.url!) });
      await other.connect();
      const schema = new URL(ctx.url!).searchParams.get("schema")!;
      try {
        await other.query("BEGIN");
        await other.query(`UPDATE "${schema}"."Task" SET prompt = 'held' WHERE id = $1`, [b.id]);
        const accept = (t: { id: string }, up: string) =>
          markSubmitted({ id: t.id, owner: `creator:${t.id}`, upstreamTaskId: up, nextCheckAt: new Date(Date.now() + 2000), at: new Date() });
        const group = Promise.all([accept(a, "up-a"), accept(b, "up-b")]);
        // The group now holds a and waits for b.
        for (let i = 0; i < 50; i++) {
          const { rows } = await other.query("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'");
          if (rows[0].n > 0) break;
          await new Promise((ok) => setTimeout(ok, 20));
        }
        const reach = other.query(`UPDATE "${schema}"."Task" SET prompt = 'held too' WHERE id = $1`, [a.id]).then(
          () => "went through",
          (err: { code?: string }) => err.code,
        );
        const [results, outcome] = await Promise.all([
          group,
          reach.then(async (r) => {
            await other.query(r === "went through" ? "COMMIT" : "ROLLBACK");
            return r;
          }),
        ]);
        // Whichever statement PostgreSQL chose as the victim, both tasks are recorded as submitted.
        expect(["went through", "40P01"]).toContain(outcome);
        expect(results.map((r) => r?.upstreamTaskId)).toEqual(["up-a", "up-b"]);
        const stored = await ctx.db.task.findMany({ where: { id: { in: [a.id, b.id] } }, orderBy: { upstreamTaskId: "asc" } });
        expect(stored.map((t) => [t.status, t.upstreamTaskId, t.leaseOwner])).toEqual([
          ["submitted", "up-a", null],
          ["submitted", "up-b", null],
        ]);
      } finally {
        await other.end();
      }
    });
});
