// A reconciler's claim reads due work through the partial index "Task_due_idx" in due
// order and stops at its limit: with thousands of tasks in flight it used to read and
// sort every due one (5 ms of PostgreSQL's CPU per claim under the bench's submit load).
import { beforeEach, expect, it } from "vitest";
import { claimDueSql, claimDueTasks } from "@/lib/tasks/task-lease";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

const IN_FLIGHT = 3000;

describeEachDb("claiming due tasks", (ctx) => {
  let userId: string;
  beforeEach(async () => {
    await ctx.db.task.deleteMany();
    userId = (await makeUser(ctx.db)).id;
  });

  /**
   * `count` tasks of `status`, the g-th due g seconds ago plus `dueAgoSeconds` (the last one is the most overdue);
   * `upstreamSucceeded`: upstream reported their success (a failed one is then still work: its archive).
   */
  const insertTasks = (prefix: string, count: number, status: string, dueAgoSeconds: number, upstreamSucceeded = false) =>
    ctx.db.$executeRaw`
      INSERT INTO "Task" (id, "userId", prompt, provider, "callbackSecret", status, "deadlineAt", "nextCheckAt", "updatedAt", "upstreamSucceededAt")
      SELECT ${prefix} || lpad(g::text, 5, '0'), ${userId}, 'a harbour at dusk', 'appypie', ${prefix} || 'secret' || g, ${status}::"TaskStatus",
             now() + interval '1 hour', now() - (g + ${dueAgoSeconds}) * interval '1 second', now(), CASE WHEN ${upstreamSucceeded} THEN now() END
      FROM generate_series(1, ${count}) g`;

  it("reads due tasks through the due-work index in due order, without sorting them all", async () => {
    await insertTasks("run", IN_FLIGHT, "submitted", 60);
    await insertTasks("done", IN_FLIGHT, "succeed", 60);
    await ctx.db.$executeRaw`ANALYZE "Task"`;
    const plan = (await ctx.db.$queryRaw<{ "QUERY PLAN": string }[]>`EXPLAIN ${claimDueSql({ owner: "w", limit: 4, leaseSeconds: 45 })}`)
      .map((r) => r["QUERY PLAN"])
      .join("\n");
    expect(plan).toContain("Task_due_idx");
    expect(plan).not.toMatch(/Sort Key:[^\n]*nextCheckAt/);
  });

  it("takes the most overdue claimable tasks first, skipping waiting, leased and finished ones", async () => {
    await insertTasks("run", 50, "submitted", 0);
    // More overdue than any running one, yet not claimable: waiting for a slot, held by another worker, or done
    // (succeeded; failed without upstream's success; failed after it, with its images saved).
    await insertTasks("wait", 5, "waiting", 1000);
    await insertTasks("held", 5, "processing", 1000);
    await ctx.db.task.updateMany({ where: { id: { startsWith: "held" } }, data: { leaseOwner: "other", leaseUntil: new Date(Date.now() + 60_000) } });
    await insertTasks("done", 5, "succeed", 1000);
    await insertTasks("lost", 5, "failed", 1000);
    await insertTasks("kept", 5, "failed", 1000, true);
    await ctx.db.task.updateMany({ where: { id: { startsWith: "kept" } }, data: { finishedAt: new Date() } });
    // Claimable though more overdue: a failed task whose images upstream delivered after all (its archive is still
    // to do), and a task whose worker's lease ran out.
    await insertTasks("late", 1, "failed", 2000, true);
    await insertTasks("stale", 1, "processing", 1500);
    await ctx.db.task.updateMany({ where: { id: { startsWith: "stale" } }, data: { leaseOwner: "gone", leaseUntil: new Date(Date.now() - 1000) } });

    // Earliest due first (an UPDATE … RETURNING answers in no particular order).
    const dueOrder = (tasks: { id: string; nextCheckAt: Date }[]) => [...tasks].sort((a, b) => +a.nextCheckAt - +b.nextCheckAt).map((t) => t.id);
    const claimed = await claimDueTasks({ owner: "me", limit: 4, leaseSeconds: 45 });
    expect(dueOrder(claimed)).toEqual(["late00001", "stale00001", "run00050", "run00049"]);
    expect(claimed.every((t) => t.leaseOwner === "me")).toBe(true);
    // The next claim goes on where this one stopped: what is leased now is skipped.
    expect(dueOrder(await claimDueTasks({ owner: "me", limit: 2, leaseSeconds: 45 }))).toEqual(["run00048", "run00047"]);
  });
});
