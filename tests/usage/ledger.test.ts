// The image budget's ledger on both databases: charges and refunds written by
// the Task triggers whatever path changes a task, limits (default, override,
// grants), and concurrent submits at the edge of a budget.
import { afterEach, beforeEach, expect, it } from "vitest";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { authenticateApiKey } from "@/lib/gateway/key-admission";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { getConfig, resetConfig } from "@/lib/config";
import { createTask } from "@/lib/tasks/create-task";
import { deleteTask } from "@/lib/tasks/delete-task";
import { failTask } from "@/lib/tasks/fail-task";
import { createTaskSchema } from "@/lib/tasks/schema";
import { getUsage } from "@/lib/usage/budget";
import { periodEndOf, periodStartOf, renewalDay } from "@/lib/usage/period";
import { QuotaExceededError } from "@/lib/usage/reserve";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";
import { makePng } from "../helpers/images";

const input = (n: number, extra: Record<string, unknown> = {}) => createTaskSchema.parse({ prompt: "A lighthouse at dusk", n, ...extra });
// Uploaded references are kept under refs/ in the test's own DATA_DIR.
const storedRefs = async () => readdir(path.join(getConfig().DATA_DIR, "images", "refs")).catch(() => []);
const thisMonth = () => periodStartOf(new Date());

function setQuota(value: string | undefined) {
  if (value === undefined) delete process.env.QUOTA_IMAGES_PER_MONTH;
  else process.env.QUOTA_IMAGES_PER_MONTH = value;
  resetConfig();
}

describeEachDb("image budget ledger", (ctx) => {
  beforeEach(() => setQuota(undefined));
  afterEach(() => setQuota(undefined));

  const entries = (taskId: string) => ctx.db.usageEntry.findMany({ where: { taskId }, orderBy: { createdAt: "asc" } });
  // Sorted: entries written within one millisecond have no order by createdAt.
  const kinds = async (taskId: string) => (await entries(taskId)).map((e) => `${e.kind}:${e.images}`).sort();

  it("charges n images against the current UTC month when a task is stored", async () => {
    const user = await makeUser(ctx.db);
    const { task } = await createTask(input(3), { userId: user.id });
    const [charge] = await entries(task.id);
    expect(charge).toMatchObject({ userId: user.id, kind: "charge", images: 3 });
    expect(charge.periodStart.toISOString()).toBe(thisMonth().toISOString());
    expect((await getUsage(user.id)).used).toBe(3);
  });

  it("refunds a task when it fails upstream or in the portal, once, and charges it again when upstream succeeds after all", async () => {
    const user = await makeUser(ctx.db);
    const { task } = await createTask(input(4), { userId: user.id });
    // The portal gives up (deadline, lost submit): failTask under the creator's lease.
    expect(await failTask(task.id, task.leaseOwner!, "Timed out", new Date())).toBe(true);
    expect(await kinds(task.id)).toEqual(["charge:4", "refund:4"]);
    // A second write of failed (message only) refunds nothing more.
    await ctx.db.task.update({ where: { id: task.id }, data: { statusMsg: "Timed out (again)" } });
    expect(await kinds(task.id)).toEqual(["charge:4", "refund:4"]);
    expect((await getUsage(user.id)).used).toBe(0);
    // Upstream finished after all (apply-status moves failed → processing): the images exist and are charged.
    await ctx.db.task.update({ where: { id: task.id }, data: { status: "processing", upstreamSucceededAt: new Date() } });
    await ctx.db.task.update({ where: { id: task.id }, data: { status: "succeed" } });
    expect(await kinds(task.id)).toEqual(["charge:4", "charge:4", "refund:4"]);
    expect((await getUsage(user.id)).used).toBe(4);
  });

  it("refunds an upstream failure (any path that writes failed, here a plain update as a callback would)", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { n: 2, status: "submitted", upstreamTaskId: "up-1" });
    await ctx.db.task.update({ where: { id: task.id }, data: { status: "failed", statusMsg: "Upstream said no" } });
    expect(await kinds(task.id)).toEqual(["charge:2", "refund:2"]);
  });

  it("refunds a task deleted before it was sent, but not one deleted after it was sent or finished", async () => {
    const user = await makeUser(ctx.db);
    const unsent = await makeTask(ctx.db, user.id, { n: 2 });
    const sent = await makeTask(ctx.db, user.id, { n: 3, status: "submitted", submitSentAt: new Date() });
    const done = await makeTask(ctx.db, user.id, { n: 1, status: "succeed", upstreamTaskId: "up-2" });
    expect((await getUsage(user.id)).used).toBe(6);
    for (const t of [unsent, sent, done]) await deleteTask({ id: t.id, userId: user.id });
    const all = await ctx.db.usageEntry.findMany({ where: { userId: user.id }, orderBy: { createdAt: "asc" } });
    // The entries stay (deleting a task never gives its images back) and say which task they were for.
    expect(all.every((e) => e.taskId === null)).toBe(true);
    const refunds = all.filter((e) => e.kind === "refund");
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ images: 2, note: `task ${unsent.id} deleted before it was sent` });
    expect(all.find((e) => e.kind === "charge" && e.images === 3)?.note).toContain(sent.id);
    expect((await getUsage(user.id)).used).toBe(4);
  });

  it("refunds in the month the task was charged, and counts each month apart", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { n: 5 });
    const lastMonth = new Date(Date.UTC(2026, 9, 1));
    // As if stored in October: its charge counts there, and so does its refund.
    await ctx.db.usageEntry.updateMany({ where: { taskId: task.id }, data: { periodStart: lastMonth } });
    await ctx.db.task.update({ where: { id: task.id }, data: { status: "failed" } });
    const refund = (await entries(task.id)).find((e) => e.kind === "refund")!;
    expect(refund.periodStart.toISOString()).toBe(lastMonth.toISOString());
    expect((await getUsage(user.id)).used).toBe(0);
    expect((await getUsage(user.id, new Date(Date.UTC(2026, 9, 31, 23, 59, 59)))).used).toBe(0);
  });

  it("answers the period's bounds in UTC, the last millisecond of a month still in it", async () => {
    const user = await makeUser(ctx.db);
    const edge = new Date(Date.UTC(2026, 10, 30, 23, 59, 59, 999));
    const usage = await getUsage(user.id, edge);
    expect(usage.periodStart.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(usage.periodEnd.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(periodStartOf(new Date(edge.getTime() + 1)).toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(periodEndOf(new Date(Date.UTC(2026, 11, 15))).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(renewalDay(edge)).toBe("1 December");
    expect(renewalDay(new Date(Date.UTC(2026, 11, 31, 23, 59)))).toBe("1 January");
  });

  it("is unlimited without QUOTA_IMAGES_PER_MONTH; the default, a per-user number, unlimited and grants set the limit", async () => {
    const user = await makeUser(ctx.db);
    expect((await getUsage(user.id)).limit).toBeNull();
    setQuota("500");
    expect((await getUsage(user.id)).limit).toBe(500);
    await ctx.db.user.update({ where: { id: user.id }, data: { monthlyImageQuota: 20 } });
    expect((await getUsage(user.id)).limit).toBe(20);
    await ctx.db.usageEntry.create({ data: { userId: user.id, kind: "grant", images: 5, periodStart: thisMonth(), note: "launch" } });
    expect((await getUsage(user.id)).limit).toBe(25);
    await ctx.db.user.update({ where: { id: user.id }, data: { quotaUnlimited: true } });
    expect((await getUsage(user.id)).limit).toBeNull();
  });

  it("refuses a submit past the budget with the images left, storing nothing (not even the uploaded reference)", async () => {
    setQuota("5");
    const user = await makeUser(ctx.db);
    await createTask(input(3), { userId: user.id });
    const png = (await makePng(320, 320)).toString("base64");
    const err = await createTask(input(4, { image: png }), { userId: user.id }).catch((e) => e);
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect(err.status).toBe(403);
    expect(err.code).toBe("quota_exceeded");
    expect(err.message).toBe(`This needs 4 images but only 2 of your 5 images are left this month. Your budget renews on ${renewalDay(new Date())}.`);
    expect(await ctx.db.task.count({ where: { userId: user.id } })).toBe(1);
    expect(await storedRefs()).toEqual([]);
    expect((await getUsage(user.id)).used).toBe(3);
    // Exactly what is left still passes.
    await createTask(input(2), { userId: user.id });
    expect((await getUsage(user.id)).used).toBe(5);
    const none = await createTask(input(1), { userId: user.id }).catch((e) => e);
    expect(none.message).toMatch(/^This needs 1 image but none of your 5 images are left this month\./);
  });

  it("lets exactly the remaining images through when ten submits race at the edge of a budget", async () => {
    setQuota("5");
    const user = await makeUser(ctx.db);
    await createTask(input(3), { userId: user.id });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => createTask(input(1), { userId: user.id })));
    const accepted = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(accepted).toHaveLength(2);
    expect(refused.every((r) => (r as PromiseRejectedResult).reason instanceof QuotaExceededError)).toBe(true);
    expect(await getUsage(user.id)).toMatchObject({ used: 5, limit: 5 });
    expect(await ctx.db.task.count({ where: { userId: user.id } })).toBe(3);
  });

  it("takes the override authentication already read (session or API key) instead of reading it again", async () => {
    setQuota("1");
    const user = await makeUser(ctx.db);
    const { key } = await createApiKey(user.id, "k");
    await ctx.db.user.update({ where: { id: user.id }, data: { monthlyImageQuota: 3 } });
    const auth = await authenticateApiKey(key);
    expect(auth).toMatchObject({ ok: true, quota: { monthlyImageQuota: 3, quotaUnlimited: false } });
    const quota = auth.ok ? auth.quota : undefined;
    await createTask(input(3), { userId: user.id, quota });
    await expect(createTask(input(1), { userId: user.id, quota })).rejects.toBeInstanceOf(QuotaExceededError);
    // An unlimited override skips the check altogether.
    await createTask(input(2), { userId: user.id, quota: { monthlyImageQuota: null, quotaUnlimited: true } });
    expect((await getUsage(user.id)).used).toBe(5);
  });

  it("gives back a failed task's images so the budget can be used again", async () => {
    setQuota("2");
    const user = await makeUser(ctx.db);
    const { task } = await createTask(input(2), { userId: user.id });
    await expect(createTask(input(1), { userId: user.id })).rejects.toBeInstanceOf(QuotaExceededError);
    await failTask(task.id, task.leaseOwner!, "Upstream failed", new Date());
    await expect(createTask(input(2), { userId: user.id })).resolves.toMatchObject({ created: true });
  });

  it("deletes a user's ledger with the user (account deletion still works with tasks)", async () => {
    const user = await makeUser(ctx.db);
    await makeTask(ctx.db, user.id, { n: 2 });
    await ctx.db.user.delete({ where: { id: user.id } });
    expect(await ctx.db.usageEntry.count({ where: { userId: user.id } })).toBe(0);
  });
});
