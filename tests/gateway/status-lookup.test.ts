// getImageStatus's one-query lookup: the key's answer, its budget counted in the
// rate limiter library's own row (PostgreSQL) or by the library (memory), and the task.
import { expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/create-api-key";
import { lookupStatus } from "@/lib/gateway/status-lookup";
import { countedBudgets } from "../helpers/counted-budget";
import { describeEachDb } from "../helpers/db";
import { makeImageRows, makeTask, makeUser } from "../helpers/fixtures";

const makeBudget = countedBudgets();

describeEachDb("getImageStatus lookup", (ctx) => {
  // The store the portal would use on this database, with a budget of `points` calls a minute.
  const budget = (points = 3) => makeBudget(ctx, "status", points);

  it("answers 401 for a missing or unknown key and 403 for a revoked one or a disabled owner, counting nothing for them", async () => {
    const b = budget(1);
    const user = await makeUser(ctx.db);
    const { key, id } = await createApiKey(user.id, "k");
    expect((await lookupStatus(null, "t", b, ctx.db)).auth).toEqual({ ok: false, status: 401 });
    expect((await lookupStatus("kp_unknown", "t", b, ctx.db)).auth).toEqual({ ok: false, status: 401 });
    await ctx.db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await lookupStatus(key, "t", b, ctx.db)).toEqual({ auth: { ok: false, status: 403 }, wait: null, task: null });
    await ctx.db.user.update({ where: { id: user.id }, data: { disabledAt: null } });
    await revokeApiKey(user.id, id);
    expect((await lookupStatus(key, "t", b, ctx.db)).auth).toEqual({ ok: false, status: 403 });
    // Refused calls spent none of the key's one call a minute.
    expect(await b.library.consume("status", id)).toBeNull();
  });

  it("returns the key owner's task with its image indexes in order, and no task for another user's id or an unknown one", async () => {
    const b = budget(100);
    const owner = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const { key, id } = await createApiKey(owner.id, "k");
    const task = await makeTask(ctx.db, owner.id, { status: "succeed", statusMsg: "done" });
    await makeImageRows(ctx.db, task.id, [2, 0, 1]);
    const foreign = await makeTask(ctx.db, other.id);
    const found = await lookupStatus(key, task.id, b, ctx.db);
    expect(found.auth).toEqual({ ok: true, keyId: id, userId: owner.id, quota: { monthlyImageQuota: null, quotaUnlimited: false } });
    expect(found.wait).toBeNull();
    expect(found.task).toEqual({
      id: task.id,
      status: "succeed",
      statusMsg: "done",
      createdAt: task.createdAt,
      updatedAt: task.updatedAt,
      images: [{ index: 0 }, { index: 1 }, { index: 2 }],
    });
    const queued = await makeTask(ctx.db, owner.id);
    expect((await lookupStatus(key, queued.id, b, ctx.db)).task).toMatchObject({ status: "queued", images: [] });
    expect((await lookupStatus(key, foreign.id, b, ctx.db)).task).toBeNull();
    expect((await lookupStatus(key, "no-such-task", b, ctx.db)).task).toBeNull();
    // Its use is recorded, as by every key check.
    expect((await ctx.db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull();
  });

  it("spends one budget with the rate limiter library: over it, 429's seconds until the minute ends", async () => {
    const b = budget(3);
    const user = await makeUser(ctx.db);
    const { key, id } = await createApiKey(user.id, "k");
    expect((await lookupStatus(key, "t", b, ctx.db)).wait).toBeNull();
    expect(await b.library.consume("status", id)).toBeNull(); // The library's own count of the same key: the second call.
    expect((await lookupStatus(key, "t", b, ctx.db)).wait).toBeNull();
    const over = await lookupStatus(key, "t", b, ctx.db);
    expect(over.wait).toBeGreaterThanOrEqual(59);
    expect(over.wait).toBeLessThanOrEqual(60);
    expect(await b.library.consume("status", id)).toBeGreaterThanOrEqual(59);
    if (ctx.kind === "postgres") {
      // Counted in the library's table, in the row it keeps for this key.
      expect(b.store.sqlTable?.()).not.toBeNull();
      const [row] = await ctx.db.$queryRawUnsafe<{ points: number }[]>(`SELECT points FROM ${b.store.sqlTable!()} WHERE key = $1`, `status:${id}`);
      expect(row!.points).toBe(5);
    }
  });

  it("starts a new minute afresh once the last one has ended", async () => {
    if (ctx.kind !== "postgres") return; // The memory store's windows are the library's own, tested there.
    const b = budget(1);
    const user = await makeUser(ctx.db);
    const { key, id } = await createApiKey(user.id, "k");
    expect((await lookupStatus(key, "t", b, ctx.db)).wait).toBeNull();
    expect((await lookupStatus(key, "t", b, ctx.db)).wait).not.toBeNull();
    await ctx.db.$executeRawUnsafe(`UPDATE ${b.store.sqlTable!()} SET expire = $1 WHERE key = $2`, Date.now() - 1, `status:${id}`);
    expect((await lookupStatus(key, "t", b, ctx.db)).wait).toBeNull();
    const [row] = await ctx.db.$queryRawUnsafe<{ points: number; expire: bigint }[]>(
      `SELECT points, expire FROM ${b.store.sqlTable!()} WHERE key = $1`,
      `status:${id}`,
    );
    expect(row!.points).toBe(1);
    expect(Number(row!.expire)).toBeGreaterThan(Date.now() + 50_000);
  });
});
