// The running totals the database's triggers keep (UserTotals, UsageTotals) on
// both databases: after every kind of change they equal a count over the rows
// they stand for, so the history page and the budget can read one row.
import { expect, it } from "vitest";
import { deleteImage } from "@/lib/images/delete-image";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { createTask } from "@/lib/tasks/create-task";
import { deleteTask } from "@/lib/tasks/delete-task";
import { failTask } from "@/lib/tasks/fail-task";
import { listTasks } from "@/lib/tasks/list-tasks";
import { createTaskSchema } from "@/lib/tasks/schema";
import { grantImages } from "@/lib/usage/admin-quota";
import { getUsage } from "@/lib/usage/budget";
import { periodStartOf } from "@/lib/usage/period";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";

const input = (n: number) => createTaskSchema.parse({ prompt: "A lighthouse at dusk", n });

async function addImages(db: PrismaClient, taskId: string, count: number) {
  await db.taskImage.createMany({
    data: Array.from({ length: count }, (_, index) => ({
      taskId,
      index,
      upstreamUrl: `http://127.0.0.1:9/${index}.png`,
      storageKey: `images/${taskId}/${index}.png`,
      thumbKey: `images/${taskId}/${index}.webp`,
      contentType: "image/png",
      bytes: 1,
      width: 1,
      height: 1,
      sha256: "0".repeat(64),
    })),
  });
}

describeEachDb("running totals kept by triggers", (ctx) => {
  /** The stored totals beside what counting the rows gives. */
  const historyTotals = async (userId: string) => {
    const stored = await ctx.db.userTotals.findUnique({ where: { userId } });
    const tasks = await ctx.db.task.count({ where: { userId } });
    const images = await ctx.db.taskImage.count({ where: { task: { userId } } });
    return { stored: { tasks: stored?.tasks ?? 0, images: stored?.images ?? 0 }, counted: { tasks, images } };
  };
  const usageTotals = async (userId: string) => {
    const periodStart = periodStartOf(new Date());
    const stored = await ctx.db.usageTotals.findUnique({ where: { userId_periodStart: { userId, periodStart } } });
    const sums = await ctx.db.usageEntry.groupBy({ by: ["kind"], where: { userId, periodStart }, _sum: { images: true } });
    const sum = (kind: string) => sums.find((s) => s.kind === kind)?._sum.images ?? 0;
    return { stored: { used: stored?.used ?? 0, granted: stored?.granted ?? 0 }, summed: { used: sum("charge") - sum("refund"), granted: sum("grant") } };
  };

  it("counts a user's tasks and images through new tasks, archived images, a deleted image and a deleted task, and no one else's", async () => {
    const user = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const tasks = await Promise.all([0, 1, 2].map(() => makeTask(ctx.db, user.id, { status: "succeed", n: 4 })));
    await addImages(ctx.db, tasks[0].id, 4);
    await addImages(ctx.db, tasks[1].id, 2);
    await addImages(ctx.db, (await makeTask(ctx.db, other.id, { status: "succeed" })).id, 1);
    expect(await historyTotals(user.id)).toEqual({ stored: { tasks: 3, images: 6 }, counted: { tasks: 3, images: 6 } });

    await deleteImage({ taskId: tasks[0].id, index: "1", userId: user.id });
    expect((await historyTotals(user.id)).stored).toEqual({ tasks: 3, images: 5 });
    // Deleting a task takes its images with it (a cascade): both totals drop, the images once.
    await deleteTask({ id: tasks[0].id, userId: user.id });
    expect(await historyTotals(user.id)).toEqual({ stored: { tasks: 2, images: 2 }, counted: { tasks: 2, images: 2 } });
    // The last image of a task deleted deletes the task too.
    await deleteImage({ taskId: tasks[1].id, index: "0", userId: user.id });
    await deleteImage({ taskId: tasks[1].id, index: "1", userId: user.id });
    expect(await historyTotals(user.id)).toEqual({ stored: { tasks: 1, images: 0 }, counted: { tasks: 1, images: 0 } });
    expect(await historyTotals(other.id)).toEqual({ stored: { tasks: 1, images: 1 }, counted: { tasks: 1, images: 1 } });

    // Deleting the user takes its totals along; nobody else's change.
    await ctx.db.user.delete({ where: { id: user.id } });
    expect(await ctx.db.userTotals.findUnique({ where: { userId: user.id } })).toBeNull();
    expect((await historyTotals(other.id)).stored).toEqual({ tasks: 1, images: 1 });
  });

  it("answers the history's first page with the stored totals, and counts the matches when filtered", async () => {
    const user = await makeUser(ctx.db);
    const done = await makeTask(ctx.db, user.id, { status: "succeed", aspectRatio: "1:1" });
    await addImages(ctx.db, done.id, 3);
    await makeTask(ctx.db, user.id, { status: "failed" });
    expect(await listTasks(user.id, { limit: 24, count: true })).toMatchObject({ total: 2, totalImages: 3 });
    expect(await listTasks(user.id, { limit: 24, count: true, status: "failed" })).toMatchObject({ total: 1, totalImages: 0 });
    expect(await listTasks(user.id, { limit: 24, count: true, aspect_ratio: "1:1" })).toMatchObject({ total: 1, totalImages: 3 });
    // A user who never made a task has no row: zero, not an error.
    expect(await listTasks((await makeUser(ctx.db)).id, { limit: 24, count: true })).toMatchObject({ total: 0, totalImages: 0 });
  });

  it("keeps the month's used and granted equal to the ledger's sums through charges, refunds, grants and deletions", async () => {
    const user = await makeUser(ctx.db);
    const { task: kept } = await createTask(input(3), { userId: user.id });
    const { task: failed } = await createTask(input(2), { userId: user.id });
    const { task: unsent } = await createTask(input(4), { userId: user.id });
    expect(await usageTotals(user.id)).toEqual({ stored: { used: 9, granted: 0 }, summed: { used: 9, granted: 0 } });
    // Failing refunds; deleting a task never sent refunds; a grant raises the limit, not the use.
    await failTask(failed.id, failed.leaseOwner!, "Timed out", new Date());
    await deleteTask({ id: unsent.id, userId: user.id });
    await grantImages(user.email, 10, "support");
    expect(await usageTotals(user.id)).toEqual({ stored: { used: 3, granted: 10 }, summed: { used: 3, granted: 10 } });
    expect(await getUsage(user.id)).toMatchObject({ used: 3 });
    expect(kept.n).toBe(3);
  });

  it("loses no count when one user's tasks are stored concurrently", async () => {
    const user = await makeUser(ctx.db);
    await Promise.all(Array.from({ length: 12 }, (_, i) => createTask(input((i % 4) + 1), { userId: user.id })));
    expect(await historyTotals(user.id)).toEqual({ stored: { tasks: 12, images: 0 }, counted: { tasks: 12, images: 0 } });
    expect(await usageTotals(user.id)).toEqual({ stored: { used: 30, granted: 0 }, summed: { used: 30, granted: 0 } });
  });
});
