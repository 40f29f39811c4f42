// No blind resubmission with Kling's official API: a submit whose outcome is
// unknown is looked up by its external_task_id (the portal's task id) and
// adopted when found, and sent again under the same id only when upstream has
// none, so a late first copy is refused as a duplicate. Against the emulator's
// official routes over HTTP, the real callback handler and a real database.
import { afterEach, beforeEach, expect, it } from "vitest";
import { parseFaults } from "@/lib/kling/emulator/faults";
import { createOfficialClient } from "@/lib/kling/official-client";
import { klingImageRequestSchema } from "@/lib/kling/schema";
import { createTask } from "@/lib/tasks/create-task";
import { setProvider } from "@/lib/tasks/provider";
import { reconcileOnce } from "@/lib/tasks/reconciler";
import { createTaskSchema } from "@/lib/tasks/schema";
import { startTask } from "@/lib/tasks/start-task";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";
import { finishTask, startLifecycle, waitFor, type Lifecycle } from "../helpers/lifecycle";

const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const input = (extra: Record<string, unknown> = {}) => createTaskSchema.parse({ prompt: "A lighthouse at dusk", n: 1, aspect_ratio: "1:1", ...extra });

describeEachDb("task lifecycle on the official API", (ctx) => {
  let life: Lifecycle;
  beforeEach(() => ctx.db.task.deleteMany());
  afterEach(() => life?.close());

  const row = (id: string) => ctx.db.task.findUniqueOrThrow({ where: { id }, include: { images: true } });
  const official = (timeoutMs = 3000) =>
    setProvider(createOfficialClient({ baseUrl: life.url, accessKey: "ak", secretKey: "sk-0123456789", timeoutMs, maxRetries: 0 }));
  const refOf = (id: string) => life.emulator.stats().refs[id];

  const finish = (id: string) => finishTask(ctx.db, id);

  it("runs a task end to end with the official client (external_task_id = the portal's task id)", async () => {
    life = await startLifecycle();
    official();
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input({ n: 2 }), { userId: user.id });
    expect(task.status).toBe("submitted");
    const done = await finish(task.id);
    expect(done.status).toBe("succeed");
    expect(done.images).toHaveLength(2);
    expect(refOf(task.id)).toMatchObject({ submissions: 1, succeeded: true });
  });

  it("looks up a submit answered with a 5xx and, since upstream never got it, sends it again under the same id", async () => {
    life = await startLifecycle({ faults: parseFaults("callbacks=drop") });
    official();
    life.emulator.injectFaults(parseFaults("status=502"), 1);
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    expect(task).toMatchObject({ status: "queued" });
    expect(task.submitSentAt).not.toBeNull();
    expect((await finish(task.id)).status).toBe("succeed");
    expect(life.emulator.calls.lookup).toBeGreaterThanOrEqual(1);
    expect(refOf(task.id)).toMatchObject({ submissions: 1 });
    expect(refOf(task.id).taskIds).toHaveLength(1);
  });

  it("adopts, by lookup, a task whose submit answer was lost, without sending it again", async () => {
    life = await startLifecycle({ faults: parseFaults("callbacks=drop") });
    official(400);
    life.emulator.injectFaults(parseFaults("latency=1000"), 1);
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    expect(task.statusMsg).toMatch(/^Waiting for Kling to confirm the task \(Kling did not answer in time/);
    await waitFor(async () => refOf(task.id), "the slow submit to land upstream");
    expect((await finish(task.id)).status).toBe("succeed");
    const t = await row(task.id);
    expect(t.upstreamTaskId).toBe(refOf(task.id).taskIds[0]);
    expect(refOf(task.id)).toMatchObject({ submissions: 1 });
  });

  it("refuses a late first copy as a duplicate, so two copies of one submit make one upstream task", async () => {
    life = await startLifecycle({ faults: parseFaults("callbacks=drop") });
    official(300);
    // The first copy is slow; the lookup before it lands finds nothing, so a second copy goes out.
    life.emulator.injectFaults(parseFaults("latency=1500"), 1);
    const user = await makeUser(ctx.db);
    const { task } = await startTask(input(), { userId: user.id });
    await reconcileOnce({ now: later(5) });
    expect((await row(task.id)).status).toBe("submitted");
    await sleep(1600);
    expect(refOf(task.id)).toMatchObject({ submissions: 2 });
    expect(refOf(task.id).taskIds).toHaveLength(1);
    expect((await finish(task.id)).status).toBe("succeed");
  });

  it("looks a task up when upstream answers that its external id already exists", async () => {
    life = await startLifecycle({ faults: parseFaults("callbacks=drop") });
    official();
    const user = await makeUser(ctx.db);
    const { task } = await createTask(input(), { userId: user.id, holdSeconds: 0 });
    // Upstream already holds a task under this id (sent by a process that died before recording anything).
    const direct = createOfficialClient({ baseUrl: life.url, accessKey: "ak", secretKey: "sk-0123456789", timeoutMs: 3000, maxRetries: 0 });
    const existing = await direct.submit(klingImageRequestSchema.parse({ prompt: "A lighthouse at dusk" }), { externalTaskId: task.id });
    await reconcileOnce({ now: later(1) });
    const t = await row(task.id);
    expect(t.status).toBe("queued");
    expect(t.statusMsg).toBe("Checking with Kling whether it has this task");
    expect((await finish(task.id)).status).toBe("succeed");
    expect((await row(task.id)).upstreamTaskId).toBe(existing.taskId);
    expect(refOf(task.id).taskIds).toEqual([existing.taskId]);
  });

  it("looks up, then sends once, a task stored as sent whose submit never left (the creator died right after storing it)", async () => {
    life = await startLifecycle();
    official();
    const user = await makeUser(ctx.db);
    // startTask stores its task as sent (the creator sends it next); here the creator died before sending.
    const { task } = await createTask(input(), { userId: user.id, holdSeconds: 0, sendNow: true });
    expect(task.submitSentAt).not.toBeNull();
    await reconcileOnce({ now: later(1) });
    expect((await finish(task.id)).status).toBe("succeed");
    expect(refOf(task.id).submissions).toBe(1);
    expect(life.emulator.calls.lookup).toBeGreaterThanOrEqual(1);
  });
});
