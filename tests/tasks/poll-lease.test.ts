// A status poll rides on the claim that took its task while that claim's lease
// still outlasts a whole call; later, the lease is renewed and proven first.
import { afterEach, beforeEach, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { parseFaults } from "@/lib/kling/emulator/faults";
import { claimCoversCall, reconcileTask } from "@/lib/tasks/reconcile-task";
import { createTaskSchema } from "@/lib/tasks/schema";
import { startTask } from "@/lib/tasks/start-task";
import { claimDueTasks } from "@/lib/tasks/task-lease";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";
import { startLifecycle, type Lifecycle } from "../helpers/lifecycle";

const LEASE_SECONDS = 45;
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

it("counts a claim as covering a poll only while its lease outlasts one call and 5 s of slack", () => {
  const timeout = getConfig().KLING_TIMEOUT_MS;
  const claimedAt = 1_000_000;
  const window = LEASE_SECONDS * 1000 - timeout - 5000;
  expect(window).toBeGreaterThan(0);
  expect(claimCoversCall({ claimedAt, leaseSeconds: LEASE_SECONDS }, claimedAt)).toBe(true);
  expect(claimCoversCall({ claimedAt, leaseSeconds: LEASE_SECONDS }, claimedAt + window)).toBe(true);
  expect(claimCoversCall({ claimedAt, leaseSeconds: LEASE_SECONDS }, claimedAt + window + 1)).toBe(false);
  // A lease shorter than one call never stands in for a renewal; nor does a claim of unknown age (a test clock).
  expect(claimCoversCall({ claimedAt, leaseSeconds: Math.floor(timeout / 1000) }, claimedAt)).toBe(false);
  expect(claimCoversCall({ leaseSeconds: LEASE_SECONDS }, claimedAt)).toBe(false);
});

describeEachDb("status polls on a claim's lease", (ctx) => {
  let life: Lifecycle;
  beforeEach(() => ctx.db.task.deleteMany());
  afterEach(() => life?.close());

  const leaseOf = async (id: string) => (await ctx.db.task.findUniqueOrThrow({ where: { id } })).leaseUntil;

  /** A running task no callback reaches, due now and claimed by `owner`. */
  async function claimed(owner: string) {
    const user = await makeUser(ctx.db);
    const { task } = await startTask(createTaskSchema.parse({ prompt: "A quarry in fog", n: 1 }), { userId: user.id });
    expect(task.status).toBe("submitted");
    await ctx.db.task.update({ where: { id: task.id }, data: { nextCheckAt: new Date(Date.now() - 1000) } });
    const [row] = await claimDueTasks({ owner, limit: 1, leaseSeconds: LEASE_SECONDS });
    expect(row?.id).toBe(task.id);
    return row;
  }

  it("polls right after the claim without renewing its lease, and renews it first once the claim is older", async () => {
    life = await startLifecycle({ durationMs: 60_000, faults: parseFaults("callbacks=drop") });
    for (const [age, renewed] of [
      [0, false],
      [LEASE_SECONDS * 1000, true],
    ] as const) {
      await ctx.db.task.deleteMany();
      const task = await claimed("worker");
      // Shortened under the claim, so that a renewal (to the database's now plus the lease) shows while the call hangs.
      const shortened = new Date(Date.now() + 20_000);
      await ctx.db.task.update({ where: { id: task.id }, data: { leaseUntil: shortened } });
      // The emulator holds the status call 2 s before it answers (and counts it).
      life.emulator.injectFaults(parseFaults("latency=2000"), 1);
      const calls = life.emulator.calls.status;
      const polling = reconcileTask(task, { owner: "worker", now: new Date(), leaseSeconds: LEASE_SECONDS, claimedAt: performance.now() - age });
      await sleep(700);
      const during = (await leaseOf(task.id))!.getTime();
      expect(life.emulator.calls.status, "the status call is still in flight").toBe(calls);
      if (renewed) expect(during).toBeGreaterThan(shortened.getTime() + 10_000);
      else expect(during).toBe(shortened.getTime());
      await polling;
      expect(life.emulator.calls.status).toBe(calls + 1);
      const after = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
      expect(after).toMatchObject({ status: "submitted", leaseOwner: null, leaseUntil: null, attempts: task.attempts + 1 });
    }
  });

  it("skips the status call when a claim too old to stand in for a renewal lost its lease", async () => {
    life = await startLifecycle({ durationMs: 60_000, faults: parseFaults("callbacks=drop") });
    const task = await claimed("a");
    // Worker "a" stalled past its lease; worker "b" took the task over.
    await ctx.db.task.update({ where: { id: task.id }, data: { leaseOwner: "b", leaseUntil: new Date(Date.now() + 60_000) } });
    const calls = life.emulator.calls.status;
    for (const claimedAt of [performance.now() - LEASE_SECONDS * 1000, undefined]) {
      await reconcileTask(task, { owner: "a", now: new Date(), leaseSeconds: LEASE_SECONDS, claimedAt });
    }
    expect(life.emulator.calls.status).toBe(calls);
    expect(await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ status: "submitted", leaseOwner: "b" });
  });
});
