// The system snapshot counts what the reconciler and the callback deliverer
// will see, on both databases, against a pinned clock.
import { expect, it } from "vitest";
import { getSystemSnapshot } from "@/lib/ops/system-snapshot";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";

const T = new Date(Math.floor(Date.now() / 1000) * 1000);
const ago = (seconds: number) => new Date(T.getTime() - seconds * 1000);

describeEachDb("getSystemSnapshot", (ctx) => {
  it("reports zeros, no lag and no failure rate on an empty database", async () => {
    const s = await getSystemSnapshot({ testNow: T });
    expect(s.tasks.byStatus).toEqual({ waiting: 0, queued: 0, submitted: 0, processing: 0, succeed: 0, failed: 0 });
    expect(s.queue).toEqual({ depth: 0, due: 0, pendingSubmit: 0, leased: 0, inFlightUpstream: 0, oldestDueAgeSeconds: 0 });
    expect(s.callbacks).toEqual({ backlog: 0, oldestBacklogAgeSeconds: 0, failedLast24h: 0 });
    expect(s.outcomes.failureRateLast24h).toBeNull();
    expect(s.takenAt).toBe(T.toISOString());
  });

  it("counts statuses, queue depth, reconciler lag, upstream in-flight and the callback backlog", async () => {
    const db = ctx.db;
    const user = await makeUser(db);
    const mk = (data: Parameters<typeof makeTask>[2]) => makeTask(db, user.id, { createdAt: ago(3600), ...data });
    // Due submit, claimable.
    const q1 = await mk({ status: "queued", nextCheckAt: ago(60) });
    // Submit backing off: pending, not due.
    await mk({ status: "queued", nextCheckAt: ago(-30) });
    // Due status check but leased by a worker: in the queue, not claimable.
    await mk({ status: "submitted", nextCheckAt: ago(10), leaseUntil: ago(-20), leaseOwner: "w1", upstreamTaskId: "u1" });
    await mk({ status: "processing", nextCheckAt: ago(-60), upstreamTaskId: "u2" });
    await mk({ status: "succeed", finishedAt: ago(7200), createdAt: ago(3 * 3600) });
    await mk({ status: "failed", finishedAt: ago(3600), createdAt: ago(2 * 86400) });
    await mk({ status: "failed", finishedAt: ago(3 * 86400), createdAt: ago(3 * 86400) });
    // In the fair queue, due for a slot: work still to do, yet no worker's to claim (the granter's).
    await mk({ status: "waiting", nextCheckAt: ago(600) });
    // Failed by the portal, yet upstream delivered: images to save, oldest due (300 s).
    await mk({ status: "failed", upstreamSucceededAt: ago(400), finishedAt: null, nextCheckAt: ago(300) });

    const delivery = (state: string, createdAt: Date, taskStatus: string) =>
      db.callbackDelivery.create({ data: { taskId: q1.id, taskStatus, url: "https://caller.example/hook", body: {}, state, createdAt } });
    await delivery("pending", ago(120), "submitted");
    await delivery("pending", ago(30), "processing");
    await delivery("delivered", ago(500), "queued");
    await delivery("failed", ago(900), "failed");

    const s = await getSystemSnapshot({ testNow: T });
    expect(s.tasks.byStatus).toEqual({ waiting: 1, queued: 2, submitted: 1, processing: 1, succeed: 1, failed: 3 });
    expect(s.tasks.createdLast24h).toEqual({ waiting: 1, queued: 2, submitted: 1, processing: 1, succeed: 1, failed: 1 });
    expect(s.queue).toEqual({ depth: 5, due: 2, pendingSubmit: 2, leased: 1, inFlightUpstream: 2, oldestDueAgeSeconds: 300 });
    expect(s.callbacks).toEqual({ backlog: 2, oldestBacklogAgeSeconds: 120, failedLast24h: 1 });
    expect(s.outcomes).toEqual({ finishedLast24h: 2, failedLast24h: 1, failureRateLast24h: 0.5 });
  });
});
