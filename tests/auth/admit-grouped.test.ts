// Web submits admitted together (lib/auth/admit-grouped.ts): concurrent
// admissions go in one statement that checks each session, spends each user's
// points in the rate limiter's table in arrival order and stores the admitted
// tasks. Each request must come out as it would alone: its own point, its own
// row or none, its own failure.
import { randomBytes } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { admitWriting, type CountingBudget } from "@/lib/auth/admit-grouped";
import { type CreateTaskRequest, createTaskSchema } from "@/lib/tasks/schema";
import { insertAtAdmission } from "@/lib/tasks/start-task";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

// As the route has them: validated, with the seed's defaults filled in.
const request = (fields: object): CreateTaskRequest => createTaskSchema.parse(fields);
const input = request({ prompt: "a lighthouse at dusk", negative_prompt: "fog", image_fidelity: 0.25, n: 2, aspect_ratio: "1:1" });
const web = { source: "web" as const };
// rate-limiter-flexible's table, as its PostgreSQL store creates it.
const TABLE = "admit_grouped_limits";

describeEachDb("web submits admitted together", (ctx) => {
  beforeAll(async () => {
    await ctx.db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS ${TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
  });
  // A budget of its own per test: its own key prefix in the table, and its own group.
  const budget = (points: number): CountingBudget => ({ table: TABLE, keyPrefix: `t${randomBytes(4).toString("hex")}`, durationMs: 60_000, points });
  const limiterRow = async (b: CountingBudget, userId: string) => {
    const rows = await ctx.db.$queryRawUnsafe<{ points: number; expire: bigint }[]>(
      `SELECT points, expire FROM ${TABLE} WHERE key = $1`,
      `${b.keyPrefix}:${userId}`,
    );
    return rows[0] ?? null;
  };
  const tasksOf = (userId: string) => ctx.db.task.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
  // Rows a statement wrote share its transaction: one xmin for one statement.
  const statementsThatWrote = async (ids: string[]) => {
    const rows = await ctx.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(DISTINCT xmin::text)::int AS n FROM "Task" WHERE id = ANY($1::text[])`, ids);
    return rows[0].n;
  };
  const admit = (b: CountingBudget, claims: { id: string; sv: number }, req: CreateTaskRequest = input) =>
    admitWriting(claims, b, Date.now(), insertAtAdmission(req, web)!);

  it("admits one user's concurrent submits in one statement, spending points in arrival order; past the budget, counted and stored nothing", async () => {
    const user = await makeUser(ctx.db);
    const b = budget(3);
    const started = Date.now();
    const found = await Promise.all([1, 2, 3, 4, 5].map((k) => admit(b, { id: user.id, sv: 0 }, request({ ...input, prompt: `submit ${k}` }))));
    expect(found.map((f) => f?.count.points)).toEqual([1, 2, 3, 4, 5]);
    expect(found.map((f) => f?.user.id)).toEqual(Array(5).fill(user.id));
    expect(found.map((f) => f?.written?.prompt ?? null)).toEqual(["submit 1", "submit 2", "submit 3", null, null]);
    const expire = Number(found[0]!.count.expire);
    expect(expire).toBeGreaterThanOrEqual(started + 60_000);
    expect(found.every((f) => Number(f!.count.expire) === expire)).toBe(true);
    const stored = await tasksOf(user.id);
    expect(stored.map((t) => t.prompt).sort()).toEqual(["submit 1", "submit 2", "submit 3"]);
    // Each written row is the Task as stored.
    for (const f of found.slice(0, 3)) expect(f!.written).toEqual(stored.find((t) => t.id === f!.written!.id));
    expect(await statementsThatWrote(stored.map((t) => t.id))).toBe(1);
    expect(await limiterRow(b, user.id)).toMatchObject({ points: 5 });
    // The triggers charged the month's ledger for the three stored tasks only.
    const [usage] = await ctx.db.$queryRaw<{ used: number }[]>`SELECT used FROM "UsageTotals" WHERE "userId" = ${user.id}`;
    expect(usage.used).toBe(3 * input.n);
  });

  it("spends nothing and stores nothing for a session that no longer stands, in a group with one that does", async () => {
    const [ok, disabled, stale] = await Promise.all([makeUser(ctx.db), makeUser(ctx.db), makeUser(ctx.db)]);
    await ctx.db.user.update({ where: { id: disabled.id }, data: { disabledAt: new Date() } });
    await ctx.db.user.update({ where: { id: stale.id }, data: { sessionVersion: 2 } });
    const b = budget(5);
    const found = await Promise.all([
      admit(b, { id: disabled.id, sv: 0 }),
      admit(b, { id: ok.id, sv: 0 }),
      admit(b, { id: stale.id, sv: 1 }),
      admit(b, { id: `nobody-${randomBytes(4).toString("hex")}`, sv: 0 }),
      admit(b, { id: ok.id, sv: 0 }),
    ]);
    expect(found.map((f) => f?.count.points ?? null)).toEqual([null, 1, null, null, 2]);
    expect(found[1]!.written!.userId).toBe(ok.id);
    expect(found[4]!.written!.userId).toBe(ok.id);
    expect(await statementsThatWrote([found[1]!.written!.id, found[4]!.written!.id])).toBe(1);
    for (const u of [disabled, stale]) {
      expect(await limiterRow(b, u.id)).toBeNull();
      expect(await tasksOf(u.id)).toEqual([]);
    }
    // The stale session's user, with a claim of the current version, is admitted: its budget is untouched.
    expect((await admit(b, { id: stale.id, sv: 2 }))?.count.points).toBe(1);
  });

  it("counts a submit of a user with a monthly image limit but leaves its storing to createTask, and restarts an expired window", async () => {
    const [limited, unlimited] = await Promise.all([makeUser(ctx.db), makeUser(ctx.db)]);
    await ctx.db.user.update({ where: { id: limited.id }, data: { monthlyImageQuota: 10 } });
    const b = budget(5);
    // The unlimited user's window ended a second ago, after 99 points.
    await ctx.db.$executeRawUnsafe(`INSERT INTO ${TABLE} (key, points, expire) VALUES ($1, 99, $2)`, `${b.keyPrefix}:${unlimited.id}`, Date.now() - 1000);
    const now = Date.now();
    const found = await Promise.all([admit(b, { id: limited.id, sv: 0 }), admit(b, { id: unlimited.id, sv: 0 }), admit(b, { id: unlimited.id, sv: 0 })]);
    expect(found[0]).toMatchObject({ user: { quota: { monthlyImageQuota: 10 } }, count: { points: 1 }, written: null });
    expect(await tasksOf(limited.id)).toEqual([]);
    expect(found.slice(1).map((f) => f!.count.points)).toEqual([1, 2]);
    expect(Number(found[1]!.count.expire)).toBeGreaterThanOrEqual(now + 60_000);
    expect(found.slice(1).every((f) => f!.written !== null)).toBe(true);
    expect(await limiterRow(b, unlimited.id)).toMatchObject({ points: 2 });
  });

  it("fails only the request whose row the database refuses: the group is undone and the others are admitted alone", async () => {
    const user = await makeUser(ctx.db);
    const b = budget(10);
    const results = await Promise.allSettled([
      admit(b, { id: user.id, sv: 0 }, request({ ...input, prompt: "first" })),
      // PostgreSQL's text holds no NUL character: this row alone cannot be stored (the route's schema refuses it
      // first; here it stands for any row the database refuses).
      admit(b, { id: user.id, sv: 0 }, { ...input, prompt: "bad \u0000 byte" }),
      admit(b, { id: user.id, sv: 0 }, request({ ...input, prompt: "third" })),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const admitted = results.flatMap((r) => (r.status === "fulfilled" ? [r.value!] : []));
    // Two points spent, one each (the failed group spent none), in whatever order the two went alone.
    expect(admitted.map((a) => a.count.points).sort()).toEqual([1, 2]);
    expect((await tasksOf(user.id)).map((t) => t.prompt).sort()).toEqual(["first", "third"]);
    expect(await limiterRow(b, user.id)).toMatchObject({ points: 2 });
  });

  it("stores every field as sent, whatever characters it holds, with the types Prisma reads", async () => {
    const user = await makeUser(ctx.db);
    const b = budget(5);
    const odd = [`quotes " and ' , {braces} \\ backslash NULL`, "ünïcödé 雪 🌋 \t tab\nnewline", "NULL"];
    const found = await Promise.all([
      ...odd.map((prompt) => admit(b, { id: user.id, sv: 0 }, request({ ...input, prompt, negative_prompt: prompt }))),
      admit(b, { id: user.id, sv: 0 }, request({ prompt: "defaults only" })),
    ]);
    for (const f of found) {
      const stored = await ctx.db.task.findUniqueOrThrow({ where: { id: f!.written!.id } });
      expect(f!.written).toEqual(stored);
    }
    expect(found.slice(0, 3).map((f) => [f!.written!.prompt, f!.written!.negativePrompt])).toEqual(odd.map((p) => [p, p]));
    expect(found[3]!.written).toMatchObject({ prompt: "defaults only", negativePrompt: null, imageRef: null, n: 1, aspectRatio: "16:9", imageFidelity: 0.5 });
    expect(found[0]!.written).toMatchObject({ imageFidelity: 0.25, n: 2, aspectRatio: "1:1", source: "web", status: "queued" });
  });
});
