// Every transition and fault of a generation, against the real emulator over
// HTTP, the real callback handler and a real database.
import { afterEach, beforeEach, expect, it } from "vitest";
import { parseFaults } from "@/lib/kling/emulator/faults";
import { getBlobStore, setBlobStore } from "@/lib/storage";
import { createS3Store } from "@/lib/storage/s3-store";
import { createTask } from "@/lib/tasks/create-task";
import { deleteTask } from "@/lib/tasks/delete-task";
import { reconcileOnce } from "@/lib/tasks/reconciler";
import { createTaskSchema } from "@/lib/tasks/schema";
import { startTask } from "@/lib/tasks/start-task";
import { submitTask } from "@/lib/tasks/submit-task";
import { setProvider } from "@/lib/tasks/provider";
import { createAppyPieClient } from "@/lib/kling/appypie-client";
import { startScriptedServer } from "../helpers/http-server";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";
import { finishTask, startLifecycle, waitFor, type Lifecycle } from "../helpers/lifecycle";
import { startS3 } from "../helpers/s3";

const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const input = (extra: Record<string, unknown> = {}) => createTaskSchema.parse({ prompt: "A lighthouse at dusk", n: 2, aspect_ratio: "9:16", ...extra });

describeEachDb("task lifecycle", (ctx) => {
  let life: Lifecycle;
  // Each test sees only its own tasks: a pass claims just a few due tasks.
  beforeEach(() => ctx.db.task.deleteMany());
  afterEach(() => life?.close());

  const row = (id: string) => ctx.db.task.findUniqueOrThrow({ where: { id }, include: { images: true } });

  const finish = (id: string) => finishTask(ctx.db, id);
  // The image budget's ledger entries of a task (written by the Task triggers), sorted.
  const ledger = async (taskId: string) => (await ctx.db.usageEntry.findMany({ where: { taskId } })).map((e) => `${e.kind}:${e.images}`).sort();

  async function expectArchived(id: string, n: number) {
    const t = await row(id);
    expect(t.status).toBe("succeed");
    expect(t.images).toHaveLength(n);
    for (const img of t.images) {
      expect([img.width, img.height]).toEqual([576, 1024]);
      const blob = await getBlobStore().get(img.storageKey);
      expect(blob?.contentType).toBe("image/png");
      expect((await getBlobStore().get(img.thumbKey))?.contentType).toBe("image/webp");
    }
    return t;
  }

  it("submits with the per-task callback URL, follows callbacks and archives every image once", async () => {
    life = await startLifecycle();
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    expect(task.status).toBe("submitted");
    expect(task.upstreamTaskId).toBeTruthy();
    // Callbacks alone bring it to upstream success; the archiver stores the images.
    await waitFor(async () => (await row(task.id)).upstreamSucceededAt, "the succeed callback");
    expect(life.callbackStatuses).toEqual([200, 200]);
    expect(await reconcileOnce()).toBe(1);
    await expectArchived(task.id, 2);
    expect(life.emulator.calls.images).toBe(2);
    // Nothing is left to do: no more upstream calls.
    const polls = life.emulator.calls.status;
    await reconcileOnce({ now: later(600) });
    expect(life.emulator.calls.status).toBe(polls);
  });

  it("polls a task carried by callbacks only as a safety net, 30 s apart", async () => {
    life = await startLifecycle({ durationMs: 2000 });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    // The processing callback (at 25% of the task) marks it as carried by callbacks and defers its next poll.
    const marked = await waitFor(async () => (await row(task.id)).callbackAt, "the processing callback");
    expect((await row(task.id)).nextCheckAt.getTime() - marked.getTime()).toBe(30_000);
    // Where its first poll was due (2 s), nothing is asked upstream.
    await reconcileOnce({ now: later(5) });
    expect(life.emulator.calls.status).toBe(0);
    // The safety-net poll, when it comes, schedules the next one as far out.
    await reconcileOnce({ now: later(31) });
    expect(life.emulator.calls.status).toBe(1);
    const polled = await row(task.id);
    expect(polled.status).toBe("processing");
    expect(polled.nextCheckAt.getTime() - Date.now()).toBeGreaterThan(55_000);
    // The succeed callback ends it with no further status call.
    await waitFor(async () => (await row(task.id)).upstreamSucceededAt, "the succeed callback");
    await reconcileOnce();
    await expectArchived(task.id, 2);
    expect(life.emulator.calls.status).toBe(1);
  });

  it("still ends a task carried by callbacks whose final callback is lost, at the safety-net poll", async () => {
    life = await startLifecycle({ durationMs: 1000, loseCallbacksAfter: 1 });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    await waitFor(async () => life.callbackStatuses.length === 2, "both callbacks, the second lost");
    expect(life.callbackStatuses).toEqual([200, 502]);
    const carried = await row(task.id);
    expect(carried.status).toBe("processing");
    expect(carried.callbackAt).not.toBeNull();
    await reconcileOnce({ now: later(20) });
    expect(life.emulator.calls.status).toBe(0);
    await reconcileOnce({ now: later(31) });
    expect(life.emulator.calls.status).toBe(1);
    await finish(task.id);
    await expectArchived(task.id, 2);
  });

  it("keeps polling at the usual pace a task no callback reached", async () => {
    life = await startLifecycle({ durationMs: 60_000, faults: parseFaults("callbacks=drop") });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    await reconcileOnce({ now: later(3) });
    expect(life.emulator.calls.status).toBe(1);
    const t = await row(task.id);
    expect(t.callbackAt).toBeNull();
    expect(t.nextCheckAt.getTime() - Date.now()).toBeLessThan(3000 + 4000);
  });

  it("ignores duplicate callbacks", async () => {
    life = await startLifecycle({ faults: parseFaults("callbacks=duplicate") });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    await waitFor(async () => life.callbackStatuses.length === 4, "four callbacks");
    await finish(task.id);
    await expectArchived(task.id, 2);
    expect(life.emulator.calls.images).toBe(2);
  });

  it("never moves a task backwards when callbacks arrive out of order", async () => {
    life = await startLifecycle({ faults: parseFaults("callbacks=reorder") });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    await waitFor(async () => life.callbackStatuses.length === 2, "both callbacks");
    const t = await row(task.id);
    expect(t.status).toBe("processing");
    expect(t.upstreamSucceededAt).not.toBeNull();
    await finish(task.id);
    await expectArchived(task.id, 2);
  });

  it("finishes a task whose callbacks were all dropped by polling", async () => {
    life = await startLifecycle({ faults: parseFaults("callbacks=drop") });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    await sleep(400);
    expect(life.callbackStatuses).toEqual([]);
    await finish(task.id);
    await expectArchived(task.id, 2);
  });

  it("keeps a task queued through a storm of 429s and submits it once the storm passes", async () => {
    life = await startLifecycle();
    life.emulator.injectFaults(parseFaults("status=429; retry-after=1"), 6);
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input({ n: 1 }), { userId: user.id });
    expect(task.status).toBe("queued");
    expect(task.statusMsg).toMatch(/^Waiting to retry: Kling is rate limiting/);
    await finish(task.id);
    const done = await row(task.id);
    expect(done.status).toBe("succeed");
    expect(life.emulator.calls.submit).toBe(1);
  });

  it("never resends a submit answered with a 5xx (the outcome is unknown) and says so when it is not confirmed", async () => {
    life = await startLifecycle();
    life.emulator.injectFaults(parseFaults("status=502"), 1);
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input({ n: 1 }), { userId: user.id });
    expect(task.status).toBe("queued");
    expect(task.submitSentAt).not.toBeNull();
    expect(task.statusMsg).toMatch(/^Waiting for Kling to confirm the task \(Kling had a server error/);
    // Within the confirmation window nothing is sent: only a callback could confirm it.
    await reconcileOnce({ now: later(60) });
    expect((await row(task.id)).status).toBe("queued");
    await reconcileOnce({ now: later(11 * 60) });
    const t = await row(task.id);
    expect(t.status).toBe("failed");
    expect(t.statusMsg).toMatch(/^Kling never confirmed this task: .* It was not sent again, so it cannot have been charged twice/);
    // The emulator counts the submits it accepted: the faulted one was not, and none followed.
    expect(life.emulator.calls.submit).toBe(0);
  });

  it("sends again a submit that never left (connection refused), once upstream is reachable", async () => {
    life = await startLifecycle();
    const closed = await startScriptedServer();
    await closed.close(); // its port now refuses connections
    setProvider(createAppyPieClient({ name: "local", baseUrl: closed.url, subscriptionKey: "k", timeoutMs: 2000, maxRetries: 0 }));
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input({ n: 1 }), { userId: user.id });
    expect(task).toMatchObject({ status: "queued", submitSentAt: null });
    expect(task.statusMsg).toMatch(/^Waiting to retry: Kling could not be reached.*ECONNREFUSED/);
    setProvider(createAppyPieClient({ name: "local", baseUrl: life.url, subscriptionKey: "k", timeoutMs: 3000, maxRetries: 0 }));
    expect((await finish(task.id)).status).toBe("succeed");
    expect(life.emulator.calls.submit).toBe(1);
  });

  it("adopts a task whose submit answer was lost (upstream slower than the timeout) from its callback, without resending", async () => {
    life = await startLifecycle({ timeoutMs: 400 });
    life.emulator.injectFaults(parseFaults("latency=1200"), 1);
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input({ n: 1 }), { userId: user.id });
    expect(task.status).toBe("queued");
    expect(task.statusMsg).toMatch(/Waiting for Kling to confirm the task \(Kling did not answer in time/);
    await reconcileOnce({ now: later(5) });
    // Upstream took it after all: its callbacks confirm it and carry its id.
    const t = await waitFor(async () => (await row(task.id)).upstreamSucceededAt && row(task.id), "the callbacks of the slow submit");
    expect(t.upstreamTaskId).toBeTruthy();
    expect((await finish(task.id)).status).toBe("succeed");
    expect(life.emulator.calls.submit).toBe(1);
  });

  it("never submits twice when two reconcilers race and upstream is slower than the lease", async () => {
    // Each call times out (0.4 s) before its 1 s lease ends; upstream answers only after 1.5 s.
    life = await startLifecycle({ timeoutMs: 400, faults: parseFaults("latency=1500") });
    const user = await makeUser(ctx.db);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await createTask(input({ n: 1, prompt: `slow ${i}` }), { userId: user.id, holdSeconds: 0 })).task.id);
    const until = Date.now() + 4000;
    const loop = async (owner: string) => {
      while (Date.now() < until) {
        await reconcileOnce({ owner, concurrency: 2, leaseSeconds: 1 });
        await sleep(100);
      }
    };
    await Promise.all([loop("a"), loop("b")]);
    await sleep(1600); // let any late submit land before counting
    expect(life.emulator.calls.submit).toBe(8);
    for (const id of ids) expect((await row(id)).submitSentAt).not.toBeNull();
  });

  it("skips the submit when its lease was lost to another worker", async () => {
    life = await startLifecycle();
    const user = await makeUser(ctx.db);
    const { task } = await createTask(input({ n: 1 }), { userId: user.id, holdSeconds: 0 });
    // Worker "a" claimed it; its lease ran out and worker "b" took it over.
    await ctx.db.task.update({ where: { id: task.id }, data: { leaseOwner: "b", leaseUntil: later(60) } });
    const after = await submitTask(task, { owner: "a", now: new Date(), leaseSeconds: 60 });
    expect(after).toMatchObject({ status: "queued", submitSentAt: null, leaseOwner: "b" });
    expect(life.emulator.calls.submit).toBe(0);
  });

  it("delivers the images when upstream reports success after the portal gave up on an unconfirmed submit", async () => {
    // The submit's answer is lost and the callbacks come late (reordered: all at the end).
    life = await startLifecycle({ timeoutMs: 400 });
    life.emulator.injectFaults(parseFaults("latency=800; duration=2500; callbacks=reorder"), 1);
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input({ n: 2 }), { userId: user.id });
    await reconcileOnce({ now: later(11 * 60) });
    expect((await row(task.id)).statusMsg).toMatch(/^Kling never confirmed this task/);
    const revived = await waitFor(async () => (await row(task.id)).upstreamSucceededAt && row(task.id), "the late success callback");
    expect(revived.status).toBe("failed");
    // Given up on: refunded. Upstream made the images after all: charged again once they are saved.
    expect(await ledger(task.id)).toEqual(["charge:2", "refund:2"]);
    await reconcileOnce();
    await expectArchived(task.id, 2);
    expect(await ledger(task.id)).toEqual(["charge:2", "charge:2", "refund:2"]);
    expect(life.emulator.calls.submit).toBe(1);
  });

  it("retries failing storage for as long as it takes, with its own attempt counter, then archives", async () => {
    life = await startLifecycle();
    const real = getBlobStore();
    // Storage fails for eight passes (each pass tries every image of the task at once), then recovers.
    let failing = true;
    setBlobStore({ ...real, put: async (k, b, t) => (failing ? Promise.reject(new Error("EROFS: read-only file system")) : real.put(k, b, t)) });
    try {
      const user = await makeUser(ctx.db);
      const { task } = await startTask(input(), { userId: user.id });
      // It polled for a long time first: that must not use up the archive's retries.
      await ctx.db.task.update({ where: { id: task.id }, data: { attempts: 40 } });
      await waitFor(async () => (await row(task.id)).upstreamSucceededAt, "upstream success");
      for (let pass = 1; pass <= 8; pass++) {
        await reconcileOnce({ now: later(pass * 700) });
        const t = await row(task.id);
        expect(t.status).toBe("processing");
        expect(t.archiveAttempts).toBe(pass);
        expect(t.statusMsg).toMatch(/^Saving images \(will retry: EROFS/);
      }
      failing = false;
      await reconcileOnce({ now: later(9 * 700) });
      await expectArchived(task.id, 2);
    } finally {
      setBlobStore(undefined);
    }
  });

  it("gives up on saving images only a day after upstream's success", async () => {
    life = await startLifecycle();
    const real = getBlobStore();
    setBlobStore({ ...real, put: async () => Promise.reject(new Error("EROFS: read-only file system")) });
    try {
      const user = await makeUser(ctx.db);
      const { task } = await startTask(input({ n: 1 }), { userId: user.id });
      await waitFor(async () => (await row(task.id)).upstreamSucceededAt, "upstream success");
      await reconcileOnce({ now: later(23 * 3600) });
      expect((await row(task.id)).status).toBe("processing");
      await reconcileOnce({ now: later(25 * 3600) });
      const t = await row(task.id);
      expect(t.status).toBe("failed");
      expect(t.statusMsg).toBe("The images could not be saved: EROFS: read-only file system");
    } finally {
      setBlobStore(undefined);
    }
  });

  it("fails a task rejected upstream with a 4xx, with the upstream's message", async () => {
    life = await startLifecycle({ keys: ["the-right-key"], key: "a-wrong-key" });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    expect(task.status).toBe("failed");
    expect(task.statusMsg).toBe("Kling refused the API credentials (HTTP 401): Invalid or missing authentication");
    expect(await ledger(task.id)).toEqual(["charge:2", "refund:2"]);
  });

  it("shows the upstream's reason when a task fails upstream", async () => {
    life = await startLifecycle();
    life.emulator.injectFaults({ outcome: "failed" }, 1);
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    await waitFor(async () => (await row(task.id)).status === "failed", "the failed callback");
    expect((await row(task.id)).statusMsg).toMatch(/failed this task on purpose/);
    // Failed upstream: its images are given back to the user's budget.
    expect(await ledger(task.id)).toEqual(["charge:2", "refund:2"]);
  });

  it("submits a task stored just before a crash, after the creator's hold runs out", async () => {
    life = await startLifecycle();
    const user = await makeUser(ctx.db);
    // Stored, never submitted: the process died here.
    const { task } = await createTask(input(), { userId: user.id });
    expect(await reconcileOnce()).toBe(0);
    expect(await reconcileOnce({ now: later(61) })).toBe(1);
    expect((await row(task.id)).status).toBe("submitted");
    await finish(task.id);
    await expectArchived(task.id, 2);
    expect(life.emulator.calls.submit).toBe(1);
  });

  it("stores the creator's task as sent when it sends it at once, unless an upload must be read back first", async () => {
    life = await startLifecycle();
    const user = await makeUser(ctx.db);
    const { makePng } = await import("../helpers/images");
    const sending = await createTask(input(), { userId: user.id, sendNow: true });
    expect(sending.task).toMatchObject({ status: "queued", leaseOwner: `creator:${sending.task.id}` });
    expect(sending.task.submitSentAt).not.toBeNull();
    const image = (await makePng(320, 320)).toString("base64");
    expect((await createTask(input({ image }), { userId: user.id, sendNow: true })).task.submitSentAt).toBeNull();
    expect((await createTask(input(), { userId: user.id })).task.submitSentAt).toBeNull();
    // Started, both kinds are sent exactly once and recorded as submitted.
    const plain = await startTask(input(), { userId: user.id });
    const upload = await startTask(input({ image }), { userId: user.id });
    for (const { task } of [plain, upload]) expect(task).toMatchObject({ status: "submitted", leaseOwner: null });
    expect(life.emulator.calls.submit).toBe(2);
  });

  it("never sends a task stored as sent whose submit never left (the creator died right after storing it)", async () => {
    life = await startLifecycle();
    const user = await makeUser(ctx.db);
    const { task } = await createTask(input(), { userId: user.id, holdSeconds: 0, sendNow: true });
    // Without a lookup only a callback could confirm it: it is not sent again, and fails when none comes.
    await reconcileOnce({ now: later(60) });
    expect((await row(task.id)).status).toBe("queued");
    await reconcileOnce({ now: later(11 * 60) });
    expect((await row(task.id)).statusMsg).toMatch(/^Kling never confirmed this task: .* It was not sent again/);
    expect(life.emulator.calls.submit).toBe(0);
  });

  it("never submits or downloads twice when two reconcilers race on the same tasks", async () => {
    life = await startLifecycle();
    const user = await makeUser(ctx.db);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await createTask(input({ prompt: `race ${i}` }), { userId: user.id, holdSeconds: 0 })).task.id);
    const passes = () => Promise.all([reconcileOnce({ owner: "a", now: later(1) }), reconcileOnce({ owner: "b", now: later(1) })]);
    const [a, b] = await passes();
    expect(a + b).toBe(6);
    expect(life.emulator.calls.submit).toBe(6);
    await sleep(400);
    for (let round = 0; round < 30 && (await ctx.db.task.count({ where: { id: { in: ids }, status: { not: "succeed" } } })) > 0; round++) {
      await Promise.all([reconcileOnce({ owner: "a", now: later(120) }), reconcileOnce({ owner: "b", now: later(120) })]);
    }
    for (const id of ids) await expectArchived(id, 2);
    expect(life.emulator.calls.images).toBe(12);
  });

  it("follows a task upstream accepted past the deadline, saying it takes longer than usual", async () => {
    life = await startLifecycle({ durationMs: 60_000 });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    await reconcileOnce({ now: later(16 * 60) });
    const t = await row(task.id);
    expect(t.status).toBe("submitted");
    expect(t.statusMsg).toBe("Taking longer than usual; Kling is still working on it");
  });

  it("fails at the deadline a task upstream never accepted, saying nothing was charged", async () => {
    life = await startLifecycle({ faults: parseFaults("status=429; retry-after=1") });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    await reconcileOnce({ now: later(5 * 60) });
    expect((await row(task.id)).status).toBe("queued");
    await reconcileOnce({ now: later(16 * 60) });
    const t = await row(task.id);
    expect(t.status).toBe("failed");
    expect(t.statusMsg).toMatch(
      /^Kling did not accept this task within 15 minutes \(last answer: Kling is rate limiting requests.*\)\. Nothing was charged\. Try again\.$/,
    );
    // Nothing charged upstream, and its images are back in the user's budget.
    expect(await ledger(task.id)).toEqual(["charge:2", "refund:2"]);
    expect(life.emulator.calls.submit).toBe(0);
  });

  it("returns the same task for a retried submit with the same Idempotency-Key", async () => {
    life = await startLifecycle();
    const user = await makeUser(ctx.db);
    const first = await startTask(input(), { userId: user.id, idempotencyKey: "key-1" });
    const again = await startTask(input(), { userId: user.id, idempotencyKey: "key-1" });
    expect(again).toMatchObject({ created: false, task: { id: first.task.id } });
    expect(life.emulator.calls.submit).toBe(1);
  });

  it("archives into an S3 bucket when one is configured", async () => {
    const s3 = await startS3();
    setBlobStore(createS3Store(s3.options));
    try {
      life = await startLifecycle();
      const user = await makeUser(ctx.db);
      const { task } = await startTask(input(), { userId: user.id });
      await finish(task.id);
      const done = await expectArchived(task.id, 2);
      const direct = createS3Store(s3.options);
      expect((await direct.get(done.images[0].storageKey))?.body.length).toBe(done.images[0].bytes);
    } finally {
      setBlobStore(undefined);
      await s3.close();
    }
  });

  it("deletes a task with its archived images and uploaded reference", async () => {
    life = await startLifecycle();
    const user = await makeUser(ctx.db);
    const { makePng } = await import("../helpers/images");
    const image = (await makePng(320, 320)).toString("base64");
    const { task } = await startTask(input({ n: 1, image, image_fidelity: 0.8 }), { userId: user.id });
    const done = await finish(task.id);
    expect(done.imageRef).toMatch(/^blob:refs\//);
    const keys = [done.images[0].storageKey, done.images[0].thumbKey, done.imageRef!.slice(5)];
    for (const k of keys) expect(await getBlobStore().get(k)).not.toBeNull();
    await expect(deleteTask({ id: task.id, userId: "someone-else" })).rejects.toThrow(/not found/i);
    await deleteTask({ id: task.id, userId: user.id });
    expect(await ctx.db.task.findUnique({ where: { id: task.id } })).toBeNull();
    for (const k of keys) expect(await getBlobStore().get(k)).toBeNull();
  });
});
