// The fair queue in front of the Kling account's concurrency (issue 14):
// round-robin grants, the limit in image slots, strict order, 1302/1303 sending
// a task back to wait, and several granters sharing one database.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { seedStatusOf } from "@/lib/gateway/seed-status";
import type { Task } from "@/lib/generated/prisma/client";
import { KlingError } from "@/lib/kling/errors";
import { parseFaults } from "@/lib/kling/emulator/faults";
import { createOfficialClient } from "@/lib/kling/official-client";
import { setProvider } from "@/lib/tasks/provider";
import { createTask } from "@/lib/tasks/create-task";
import { grantSlots, slotsHeld } from "@/lib/tasks/fair-queue";
import { BUSY_MSG } from "@/lib/tasks/queue-messages";
import { estimateSeconds, queuePositions, resetTypicalTaskSeconds } from "@/lib/tasks/queue-position";
import { reconcileOnce } from "@/lib/tasks/reconciler";
import { claimDueTasks } from "@/lib/tasks/task-lease";
import { createTaskSchema } from "@/lib/tasks/schema";
import { sendStarted, startTask } from "@/lib/tasks/start-task";
import { getTaskOrThrow } from "@/lib/tasks/get-task-or-throw";
import { listTasks } from "@/lib/tasks/list-tasks";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";
import { startLifecycle, type Lifecycle } from "../helpers/lifecycle";

const input = (n = 1) => createTaskSchema.parse({ prompt: "A lighthouse at dusk", n, aspect_ratio: "1:1" });
const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
const setLimit = (limit: number | undefined) => {
  if (limit === undefined) delete process.env.KLING_MAX_CONCURRENCY;
  else process.env.KLING_MAX_CONCURRENCY = String(limit);
  resetConfig();
};

describeEachDb("fair queue", (ctx) => {
  let life: Lifecycle | undefined;
  beforeAll(() => setLimit(4));
  afterAll(() => setLimit(undefined));
  beforeEach(async () => {
    setLimit(4);
    resetTypicalTaskSeconds();
    await ctx.db.task.deleteMany();
  });
  afterEach(async () => {
    await life?.close();
    life = undefined;
  });

  const statusOf = async (id: string) => (await ctx.db.task.findUniqueOrThrow({ where: { id } })).status;
  /** A task that took its slot and finished upstream: it holds none any more. */
  const finishUpstream = (id: string) => ctx.db.task.update({ where: { id }, data: { status: "succeed", finishedAt: new Date() } });
  const make = async (userId: string, n = 1) => (await createTask(input(n), { userId })).task;

  it("creates tasks waiting, holding no slot, and the gateway reports them as submitted", async () => {
    const user = await makeUser(ctx.db);
    const task = await make(user.id);
    expect(task.status).toBe("waiting");
    expect(task.leaseOwner).toBeNull();
    expect(await slotsHeld()).toBe(0);
    expect(seedStatusOf(task.status)).toBe("submitted");
  });

  it("grants round-robin: a user's single task goes before another user's 30-task burst", async () => {
    const a = await makeUser(ctx.db);
    const b = await makeUser(ctx.db);
    const burst: Task[] = [];
    for (let i = 0; i < 30; i++) burst.push(await make(a.id));
    // A's first four fill the account.
    expect(await grantSlots()).toEqual(burst.slice(0, 4).map((t) => t.id));
    const single = await make(b.id);
    expect(await grantSlots()).toEqual([]);
    // One of A's tasks ends: the slot goes to B, not to A's fifth.
    await finishUpstream(burst[0]!.id);
    expect(await grantSlots()).toEqual([single.id]);
    // Then A again, in the order it submitted.
    await finishUpstream(burst[1]!.id);
    expect(await grantSlots()).toEqual([burst[4]!.id]);
  });

  it("counts slots in images: a task of n holds n, and the limit is never exceeded", async () => {
    const a = await makeUser(ctx.db);
    const b = await makeUser(ctx.db);
    const big = await make(a.id, 3);
    const two = await make(b.id, 2);
    expect(await grantSlots()).toEqual([big.id]);
    expect(await slotsHeld()).toBe(3);
    // B's 2 images do not fit in the one free slot, and nothing overtakes it (strict order).
    const one = await make(a.id, 1);
    expect(await grantSlots()).toEqual([]);
    expect(await statusOf(one.id)).toBe("waiting");
    await finishUpstream(big.id);
    expect(await grantSlots()).toEqual([two.id, one.id]);
    expect(await slotsHeld()).toBe(3);
  });

  it("a task of more images than the whole limit is sent alone, once nothing is in flight", async () => {
    setLimit(2);
    const a = await makeUser(ctx.db);
    const small = await make(a.id, 1);
    const huge = await make(a.id, 4);
    expect(await grantSlots()).toEqual([small.id]);
    expect(await grantSlots()).toEqual([]);
    await finishUpstream(small.id);
    expect(await grantSlots()).toEqual([huge.id]);
    expect(await slotsHeld()).toBe(4);
  });

  it("a task with upstream success (being archived) gives its slot back", async () => {
    const a = await makeUser(ctx.db);
    const tasks = [await make(a.id), await make(a.id), await make(a.id), await make(a.id), await make(a.id)];
    await grantSlots();
    expect(await statusOf(tasks[4]!.id)).toBe("waiting");
    await ctx.db.task.update({ where: { id: tasks[0]!.id }, data: { status: "processing", upstreamSucceededAt: new Date() } });
    expect(await grantSlots()).toEqual([tasks[4]!.id]);
  });

  it("granting resets the deadline: time waiting in the portal is not Kling's delay", async () => {
    const a = await makeUser(ctx.db);
    const task = await make(a.id);
    const grantAt = later(3600);
    expect(await grantSlots({ testNow: grantAt })).toEqual([task.id]);
    const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.status).toBe("queued");
    expect(row.deadlineAt.getTime()).toBe(grantAt.getTime() + 900_000);
    expect(row.nextCheckAt.getTime()).toBe(grantAt.getTime());
  });

  it("without a limit tasks are created queued and held by their creator, as before", async () => {
    setLimit(undefined);
    const a = await makeUser(ctx.db);
    const { task } = await createTask(input(), { userId: a.id });
    expect(task.status).toBe("queued");
    expect(task.leaseOwner).toBe(`creator:${task.id}`);
  });

  it("submits inline when a slot is free, answers at once with the waiting task when none is", async () => {
    life = await startLifecycle({ durationMs: 60_000 });
    setLimit(2);
    const a = await makeUser(ctx.db);
    const first = await startTask(input(2), { userId: a.id });
    expect(first.task.status).toBe("submitted");
    const second = await startTask(input(), { userId: a.id });
    expect(second.task.status).toBe("waiting");
    expect(life.emulator.calls.submit).toBe(1);
    // The reconciler neither claims nor sends a waiting task.
    await reconcileOnce({ now: later(1) });
    expect(await statusOf(second.task.id)).toBe("waiting");
    expect(life.emulator.calls.submit).toBe(1);
  });

  it("Kling's 1303 (account parallel limit) sends the task back to wait with backoff; it is never failed for it", async () => {
    life = await startLifecycle({ durationMs: 60_000, faults: parseFaults("concurrency=1") });
    setProvider(createOfficialClient({ baseUrl: life.url, accessKey: "ak", secretKey: "sk-0123456789", timeoutMs: 3000, maxRetries: 0 }));
    const a = await makeUser(ctx.db);
    // Someone else's use of the account (outside this portal) fills it.
    const other = await startTask(input(), { userId: a.id });
    expect(other.task.status).toBe("submitted");
    const { task } = await startTask(input(), { userId: a.id });
    // The portal had a slot (limit 4), Kling did not: back to waiting, slot given back, due after a backoff.
    const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.status).toBe("waiting");
    expect(row.statusMsg).toBe(BUSY_MSG);
    expect(row.submitSentAt).toBeNull();
    expect(row.leaseOwner).toBeNull();
    expect(row.nextCheckAt.getTime()).toBeGreaterThan(Date.now());
    expect(life.emulator.calls.busy).toBe(1);
    expect(await slotsHeld()).toBe(1);
    // What Kling answered was the official business code 1303.
    const answer = await createOfficialClient({ baseUrl: life.url, accessKey: "ak", secretKey: "sk-0123456789", timeoutMs: 3000, maxRetries: 0 })
      .submit({ ...input(), callback_url: undefined }, { externalTaskId: "probe", maxRetries: 0 })
      .catch((err: unknown) => err);
    expect(answer).toBeInstanceOf(KlingError);
    expect((answer as KlingError).code).toBe(1303);
    expect((answer as KlingError).kind).toBe("rate_limited");
    // Not due yet: no grant before its backoff.
    expect(await grantSlots()).toEqual([]);
    // Long past its deadline it is still not failed: it keeps waiting, then is granted a fresh deadline.
    for (let i = 1; i <= 3; i++) await reconcileOnce({ now: later(i * 2000) });
    const after = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(after.status).toBe("waiting");
    expect(after.statusMsg).toBe(BUSY_MSG);
    expect(life.emulator.calls.busy).toBe(5);
    // Kling frees its slot: the next grant sends it.
    life.emulator.setFaults({});
    await reconcileOnce({ now: later(9000) });
    expect(await statusOf(task.id)).toBe("submitted");
  });

  it("the seed gateway's 429 also sends the task back to wait", async () => {
    life = await startLifecycle({ durationMs: 60_000 });
    const a = await makeUser(ctx.db);
    life.emulator.injectFaults(parseFaults("status=429; retry-after=3"));
    const { task } = await startTask(input(), { userId: a.id });
    const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.status).toBe("waiting");
    expect(row.nextCheckAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 2000);
  });

  it("a creator's own task, when granted, is leased to it in the grant: a reconciler's claim right after cannot take it", async () => {
    setLimit(1);
    const user = await makeUser(ctx.db);
    const task = await make(user.id);
    expect(await grantSlots({ hold: { id: task.id, owner: `creator:${task.id}`, leaseSeconds: 45 } })).toEqual([task.id]);
    const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row).toMatchObject({ status: "queued", leaseOwner: `creator:${task.id}` });
    expect(row.leaseUntil!.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect((await claimDueTasks({ owner: "reconciler", limit: 10, leaseSeconds: 45 })).map((t) => t.id)).not.toContain(task.id);
    // Granted without a hold (the reconciler's own pass), a task is free for any worker's claim.
    const other = await make(user.id);
    await finishUpstream(task.id);
    expect(await grantSlots()).toEqual([other.id]);
    expect((await claimDueTasks({ owner: "reconciler", limit: 10, leaseSeconds: 45 })).map((t) => t.id)).toContain(other.id);
  });

  it("a creator's new waiting task is held by it: another granter's pass leaves it, the creator's grant sends it", async () => {
    life = await startLifecycle({ durationMs: 60_000 });
    setLimit(1);
    const user = await makeUser(ctx.db);
    // Stored as startTask stores it, before its creator's grant: another granter's pass comes first.
    const { task } = await createTask(input(), { userId: user.id, sendNow: true });
    expect(task).toMatchObject({ status: "waiting", leaseOwner: `creator:${task.id}` });
    expect(await grantSlots()).toEqual([]);
    await reconcileOnce({ now: later(1) });
    expect(await statusOf(task.id)).toBe("waiting");
    expect(life.emulator.calls.submit).toBe(0);
    // The creator's own grant and send, as startTask goes on.
    const sent = await sendStarted(task, Date.now());
    expect(sent.status).toBe("submitted");
    expect(life.emulator.calls.submit).toBe(1);
    // Without it (the creator died), its hold lapses and another granter's pass grants it.
    const orphan = (await createTask(input(), { userId: user.id, sendNow: true, holdSeconds: 1 })).task;
    await finishUpstream(task.id);
    const lapse = orphan.leaseUntil!.getTime();
    expect(await grantSlots({ testNow: new Date(lapse - 1) })).toEqual([]);
    expect(await grantSlots({ testNow: new Date(lapse + 1) })).toEqual([orphan.id]);
  });

  it("a creator's task not granted for want of a slot leaves its creator's hold and takes the next free slot", async () => {
    setLimit(1);
    const user = await makeUser(ctx.db);
    const first = await make(user.id);
    expect(await grantSlots()).toEqual([first.id]);
    const { task } = await createTask(input(), { userId: user.id, sendNow: true });
    expect(await grantSlots({ hold: { id: task.id, owner: `creator:${task.id}`, leaseSeconds: 45 } })).toEqual([]);
    expect(await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ status: "waiting", leaseOwner: null, leaseUntil: null });
    await finishUpstream(first.id);
    expect(await grantSlots()).toEqual([task.id]);
  });

  it("a creator whose grant fails gives its hold up, so the next granter's pass takes the task at once", async () => {
    setLimit(1);
    const user = await makeUser(ctx.db);
    const { task } = await createTask(input(), { userId: user.id, sendNow: true });
    // The grant fails (a busy pool); the task stays stored, waiting.
    const broken = await sendStarted(task, Date.now(), { grant: () => Promise.reject(new Error("pool busy")) });
    expect(broken).toMatchObject({ status: "waiting", leaseOwner: null });
    expect(await grantSlots()).toEqual([task.id]);
    // Without a limit (removed while tasks wait), every waiting task goes on, holds ended but the caller's own.
    const a = (await createTask(input(), { userId: user.id, sendNow: true })).task;
    const b = (await createTask(input(), { userId: user.id, sendNow: true })).task;
    setLimit(undefined);
    expect((await grantSlots({ hold: { id: a.id, owner: `creator:${a.id}`, leaseSeconds: 45 } })).sort()).toEqual([a.id, b.id].sort());
    expect(await ctx.db.task.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ status: "queued", leaseOwner: `creator:${a.id}` });
    expect(await ctx.db.task.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ status: "queued", leaseOwner: null, leaseUntil: null });
  });

  it("a task reaching its end frees its slot and the reconciler's pass grants it", async () => {
    life = await startLifecycle({ durationMs: 200 });
    setLimit(1);
    const a = await makeUser(ctx.db);
    const first = await startTask(input(), { userId: a.id });
    const second = await startTask(input(), { userId: a.id });
    expect([first.task.status, second.task.status]).toEqual(["submitted", "waiting"]);
    // The emulator's callbacks bring the first to upstream success; the next pass archives it and grants the slot.
    for (let i = 0; i < 50 && (await statusOf(second.task.id)) === "waiting"; i++) {
      await reconcileOnce({ now: later(1) });
      await new Promise((ok) => setTimeout(ok, 100));
    }
    expect(await statusOf(second.task.id)).not.toBe("waiting");
    expect(life.emulator.calls.busy).toBe(0);
  });

  it("shows each waiting task's global position and an estimate in the DTOs", async () => {
    const a = await makeUser(ctx.db);
    const b = await makeUser(ctx.db);
    for (let i = 0; i < 6; i++) await make(a.id);
    await grantSlots();
    const single = await make(b.id);
    // A: 4 in flight, 2 waiting; B: 1 waiting, first in line.
    const mine = await queuePositions(b.id);
    expect(mine.get(single.id)).toEqual({ position: 1, estimateSeconds: 30 });
    const theirs = [...(await queuePositions(a.id)).values()].map((q) => q.position).sort();
    expect(theirs).toEqual([2, 3]);
    const dto = await getTaskOrThrow({ id: single.id, userId: b.id });
    expect(dto.queue).toEqual({ position: 1, estimateSeconds: 30 });
    const list = await listTasks(a.id, {});
    expect(list.tasks.filter((t) => t.queue).map((t) => t.queue!.position)).toEqual([3, 2]);
    expect(list.tasks.filter((t) => t.status === "queued").every((t) => t.queue === null)).toBe(true);
  });

  it("estimates whole slot turnovers times a typical task, never sooner than the backoff", () => {
    // 4 slots all busy, 5 images ahead: this one needs two turnovers.
    expect(estimateSeconds({ n: 1, ahead: 5, held: 4, dueIn: 0 }, 4, 20)).toBe(40);
    // Slots free and nothing ahead: it goes now.
    expect(estimateSeconds({ n: 1, ahead: 0, held: 2, dueIn: 0 }, 4, 20)).toBe(0);
    expect(estimateSeconds({ n: 1, ahead: 0, held: 2, dueIn: 7.2 }, 4, 20)).toBe(8);
  });

  it("several instances granting at once share one queue: never over the limit, never a task twice", async () => {
    const users = await Promise.all([makeUser(ctx.db), makeUser(ctx.db), makeUser(ctx.db)]);
    for (let i = 0; i < 60; i++) await make(users[i % 3]!.id, 1 + (i % 2));
    const grantedTimes = new Map<string, number>();
    let maxHeld = 0;
    // Slots turn over while four "instances" grant (on PostgreSQL, separate connections of the pool).
    // Without the advisory lock this fails on PostgreSQL (8 slots granted of 4 when tried).
    const finishOldest = async () => {
      const running = await ctx.db.task.findFirst({ where: { status: "queued" }, orderBy: { createdAt: "asc" } });
      if (running) await finishUpstream(running.id);
    };
    for (let round = 0; round < 40; round++) {
      const results = await Promise.all([grantSlots(), grantSlots(), finishOldest(), grantSlots(), grantSlots()]);
      for (const ids of results) for (const id of ids ?? []) grantedTimes.set(id, (grantedTimes.get(id) ?? 0) + 1);
      const held = await slotsHeld();
      maxHeld = Math.max(maxHeld, held);
      expect(held).toBeLessThanOrEqual(4);
    }
    // Busy (tasks of 2 images may leave one slot free), never over.
    expect(maxHeld).toBeGreaterThanOrEqual(3);
    expect(grantedTimes.size).toBeGreaterThan(20);
    expect([...grantedTimes.values()].every((n) => n === 1)).toBe(true);
  });

  it("two instances' reconcilers over one database keep Kling's account within its limit and send every task once", async () => {
    life = await startLifecycle({ durationMs: 300, faults: parseFaults("concurrency=4") });
    const a = await makeUser(ctx.db);
    const b = await makeUser(ctx.db);
    for (let i = 0; i < 16; i++) await make(a.id);
    for (let i = 0; i < 4; i++) await make(b.id, i % 2 ? 2 : 1);
    let maxHeld = 0;
    for (let round = 0; round < 200; round++) {
      await Promise.all([reconcileOnce({ owner: "instance-1" }), reconcileOnce({ owner: "instance-2" })]);
      maxHeld = Math.max(maxHeld, await slotsHeld());
      if ((await ctx.db.task.count({ where: { status: { not: "succeed" } } })) === 0) break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    expect(await ctx.db.task.count({ where: { status: "succeed" } })).toBe(20);
    expect(maxHeld).toBeLessThanOrEqual(4);
    // Kling never refused one for its parallel limit, and received each task once.
    expect(life.emulator.calls.busy).toBe(0);
    expect(life.emulator.calls.submit).toBe(20);
  });
});
