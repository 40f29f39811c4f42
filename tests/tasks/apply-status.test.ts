import { beforeEach, expect, it } from "vitest";
import { applyStatus } from "@/lib/tasks/apply-status";
import type { UpstreamTask } from "@/lib/kling/provider";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";

let upstreamId = "";
const up = (status: UpstreamTask["status"], extra: Partial<UpstreamTask> = {}): UpstreamTask => ({
  taskId: upstreamId,
  status,
  statusMsg: "",
  images: status === "succeed" ? [{ index: 0, url: "http://127.0.0.1:9/x.png" }] : [],
  ...extra,
});

describeEachDb("applyStatus", (ctx) => {
  beforeEach(() => {
    upstreamId = `up-${Math.random().toString(36).slice(2)}`;
  });

  it("moves a task forward through submitted and processing", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { status: "queued" });
    expect(await applyStatus(task.id, up("submitted"))).toBe("advanced");
    expect(await applyStatus(task.id, up("processing"))).toBe("advanced");
    const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.status).toBe("processing");
    expect(row.upstreamTaskId).toBe(upstreamId);
  });

  it("marks a task as carried by callbacks on its first callback, even one a poll had already applied", async () => {
    const user = await makeUser(ctx.db);
    const now = new Date("2026-11-26T12:00:00Z");
    const polled = await makeTask(ctx.db, user.id, { status: "queued" });
    // A poll's report leaves the task on the usual schedule.
    expect(await applyStatus(polled.id, up("submitted"), now)).toBe("advanced");
    expect((await ctx.db.task.findUniqueOrThrow({ where: { id: polled.id } })).callbackAt).toBeNull();
    // The same report by callback changes no status but marks it and defers its next poll by 30 s.
    expect(await applyStatus(polled.id, up("submitted"), now, { clientCallbackUrl: null, callbackAt: null }, "callback")).toBe("unchanged");
    let row = await ctx.db.task.findUniqueOrThrow({ where: { id: polled.id } });
    expect(row.callbackAt).toEqual(now);
    expect(row.nextCheckAt).toEqual(new Date(now.getTime() + 30_000));
    // A later callback advancing it keeps it so.
    const later = new Date(now.getTime() + 5000);
    expect(await applyStatus(polled.id, up("processing"), later, { clientCallbackUrl: null, callbackAt: now }, "callback")).toBe("advanced");
    row = await ctx.db.task.findUniqueOrThrow({ where: { id: polled.id } });
    expect(row.status).toBe("processing");
    expect(row.nextCheckAt).toEqual(new Date(later.getTime() + 30_000));
  });

  it("writes nothing for a report its caller's read shows cannot change the task, and writes whenever the read leaves room", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { status: "submitted", upstreamTaskId: upstreamId });
    const carried = { clientCallbackUrl: null, callbackAt: new Date(), upstreamTaskId: upstreamId, upstreamSucceededAt: null };
    // A read saying "processing, with an upstream id, carried by callbacks": a repeated "processing" is skipped
    // without a query (the row, still "submitted" here, shows that no update ran).
    expect(await applyStatus(task.id, up("processing"), new Date(), { ...carried, status: "processing" }, "callback")).toBe("unchanged");
    expect((await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("submitted");
    // Without an upstream id in the read the task could have gone back to the queue: the update runs.
    expect(await applyStatus(task.id, up("processing"), new Date(), { ...carried, status: "processing", upstreamTaskId: null }, "callback")).toBe("advanced");
    // A first callback (callbackAt not yet set) still marks the task as carried by callbacks.
    const polled = await makeTask(ctx.db, user.id, { status: "processing", upstreamTaskId: `${upstreamId}-2` });
    const report = up("processing", { taskId: `${upstreamId}-2` });
    expect(
      await applyStatus(polled.id, report, new Date(), { ...carried, status: "processing", callbackAt: null, upstreamTaskId: `${upstreamId}-2` }, "callback"),
    ).toBe("unchanged");
    expect((await ctx.db.task.findUniqueOrThrow({ where: { id: polled.id } })).callbackAt).not.toBeNull();
    // Recorded upstream success is final for every later report.
    expect(await applyStatus(task.id, up("failed"), new Date(), { ...carried, status: "processing", upstreamSucceededAt: new Date() })).toBe("unchanged");
    expect((await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("processing");
  });

  it("never moves a task backwards when reports arrive out of order", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { status: "processing" });
    expect(await applyStatus(task.id, up("submitted"))).toBe("unchanged");
    expect(await applyStatus(task.id, up("processing"))).toBe("unchanged");
    expect((await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("processing");
  });

  it("records upstream success once and leaves the images for archival", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { status: "submitted" });
    expect(await applyStatus(task.id, up("succeed"))).toBe("needs-archive");
    // A duplicate success and a late "processing" change nothing.
    expect(await applyStatus(task.id, up("succeed"))).toBe("unchanged");
    expect(await applyStatus(task.id, up("processing"))).toBe("unchanged");
    expect(await applyStatus(task.id, up("failed", { statusMsg: "late failure" }))).toBe("unchanged");
    const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.status).toBe("processing");
    expect(row.upstreamSucceededAt).not.toBeNull();
    expect(row.upstreamImages).toEqual([{ index: 0, url: "http://127.0.0.1:9/x.png" }]);
  });

  it("makes failed final against everything but upstream success, with the upstream reason in words", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { status: "processing" });
    expect(await applyStatus(task.id, up("failed", { statusMsg: "Prompt violates the content policy" }))).toBe("advanced");
    expect(await applyStatus(task.id, up("processing"))).toBe("unchanged");
    expect(await applyStatus(task.id, up("submitted"))).toBe("unchanged");
    const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.status).toBe("failed");
    expect(row.statusMsg).toBe("Prompt violates the content policy");
    expect(row.finishedAt).not.toBeNull();
  });

  it("still takes the images of a task the portal had failed when upstream reports success after all", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { status: "failed", statusMsg: "Kling never confirmed this task", finishedAt: new Date() });
    expect(await applyStatus(task.id, up("succeed"))).toBe("needs-archive");
    const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    // Still failed until the images are stored; the archiver then makes it succeed.
    expect(row).toMatchObject({ status: "failed", finishedAt: null, statusMsg: "Kling finished this task after all; saving the images" });
    expect(row.upstreamSucceededAt).not.toBeNull();
    expect(await applyStatus(task.id, up("succeed"))).toBe("unchanged");
  });

  it("fails a success that carries no images instead of archiving nothing", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { status: "processing" });
    expect(await applyStatus(task.id, up("succeed", { images: [] }))).toBe("advanced");
    const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.status).toBe("failed");
    expect(row.statusMsg).toMatch(/no images/);
  });
});
