// A web submit without an Idempotency-Key or an upload is admitted and stored in
// one statement when the limiter counts in PostgreSQL (start-task.ts,
// insertAtAdmission; session-user.ts, sessionUserCounting): the row must be the
// Task as stored, and a refused or limited admission must store nothing.
import { expect, it } from "vitest";
import { submitterWriting } from "@/lib/auth/session-submitter";
import { ApiError } from "@/lib/http/errors";
import { insertAtAdmission } from "@/lib/tasks/start-task";
import { countedBudgets } from "../helpers/counted-budget";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

const makeBudget = countedBudgets();
const input = {
  prompt: "a lighthouse at dusk",
  negative_prompt: "fog",
  image_fidelity: 0.25,
  n: 2,
  aspect_ratio: "1:1" as const,
  image: "https://example.com/ref.png",
};
const web = { source: "web" as const };

/** The status of the ApiError a call fails with (or null when it succeeds). */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => {
      if (!(err instanceof ApiError)) throw err;
      return err.status;
    },
  );

// Each field's kind, as a caller would use it: Date, number, string, null or object.
const kinds = (row: object) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? "date" : v === null ? "null" : typeof v]));

describeEachDb("a web submit admitted and stored in one statement", (ctx) => {
  const budget = (points: number) => makeBudget(ctx, "web-submit", points);
  const tasksOf = (userId: string) => ctx.db.task.count({ where: { userId } });

  it("stores the task in the admission's statement where the limiter counts in SQL, as the Task it reads back, charged once", async () => {
    const user = await makeUser(ctx.db);
    const started = Date.now();
    const { user: admitted, written } = await submitterWriting({ id: user.id, sv: 0 }, insertAtAdmission(input, web), budget(5));
    expect(admitted).toMatchObject({ id: user.id, email: user.email, quota: { monthlyImageQuota: null, quotaUnlimited: false } });
    if (ctx.kind === "pglite") {
      // The embedded database's limiter counts in memory: the admission writes nothing and createTask stores the task.
      expect(written).toBeNull();
      expect(await tasksOf(user.id)).toBe(0);
      return;
    }
    const task = written!;
    const stored = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(kinds(task)).toEqual(kinds(stored));
    expect(task).toEqual(stored);
    expect(task).toMatchObject({
      userId: user.id,
      source: "web",
      prompt: input.prompt,
      negativePrompt: "fog",
      imageRef: input.image,
      n: 2,
      aspectRatio: "1:1",
      status: "queued",
      leaseOwner: `creator:${task.id}`,
      idempotencyKey: null,
      requestHash: null,
    });
    // Stored as sent under the creator's fresh hold, as createTask stores a task its creator sends at once.
    expect(task.submitSentAt!.getTime()).toBeGreaterThanOrEqual(started);
    expect(task.leaseUntil!.getTime()).toBeGreaterThan(task.submitSentAt!.getTime());
    // The insert's triggers ran: the month's ledger charged the two images once.
    const [usage] = await ctx.db.$queryRaw<{ used: number }[]>`SELECT used FROM "UsageTotals" WHERE "userId" = ${user.id}`;
    expect(usage.used).toBe(2);
    expect(await tasksOf(user.id)).toBe(1);
  });

  it("stores nothing for a refused admission: a session that no longer stands (401) or a submit beyond the budget (429)", async () => {
    const user = await makeUser(ctx.db);
    const b = budget(1);
    const write = insertAtAdmission(input, web);
    expect(await refusal(submitterWriting({ id: user.id, sv: 1 }, write, b))).toBe(401);
    expect(await tasksOf(user.id)).toBe(0);
    // The stale session spent nothing: the one submit of the minute is still there, and the next is refused.
    expect(await refusal(submitterWriting({ id: user.id, sv: 0 }, write, b))).toBeNull();
    const afterFirst = await tasksOf(user.id);
    expect(await refusal(submitterWriting({ id: user.id, sv: 0 }, write, b))).toBe(429);
    expect(await tasksOf(user.id)).toBe(afterFirst);
    await ctx.db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await refusal(submitterWriting({ id: user.id, sv: 0 }, write, budget(5)))).toBe(401);
    expect(await tasksOf(user.id)).toBe(afterFirst);
  });

  it("leaves a user with a monthly image limit to createTask, which stores under the budget's lock: admitted, nothing written", async () => {
    const limited = await makeUser(ctx.db);
    await ctx.db.user.update({ where: { id: limited.id }, data: { monthlyImageQuota: 10 } });
    const { user, written } = await submitterWriting({ id: limited.id, sv: 0 }, insertAtAdmission(input, web), budget(5));
    expect(user.quota).toEqual({ monthlyImageQuota: 10, quotaUnlimited: false });
    expect(written).toBeNull();
    expect(await tasksOf(limited.id)).toBe(0);
    // An override to unlimited is no limit.
    await ctx.db.user.update({ where: { id: limited.id }, data: { quotaUnlimited: true } });
    const again = await submitterWriting({ id: limited.id, sv: 0 }, insertAtAdmission(input, web), budget(5));
    expect(await tasksOf(limited.id)).toBe(again.written ? 1 : 0);
    expect(again.written !== null).toBe(ctx.kind === "postgres");
  });

  it("has no one-statement form for a request that needs createTask's steps first: an Idempotency-Key to look up, an upload to store", () => {
    expect(insertAtAdmission(input, { ...web, idempotencyKey: "k1" })).toBeUndefined();
    expect(insertAtAdmission({ ...input, image: Buffer.from("not really a png").toString("base64") }, web)).toBeUndefined();
    expect(insertAtAdmission({ ...input, image: undefined }, web)).toMatchObject({ kind: "task" });
    expect(insertAtAdmission(input, web)).toMatchObject({ kind: "task" });
  });
});
