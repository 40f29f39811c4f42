// A gateway call's admission in one statement: the key with its owner and one
// point of the key's budget for the action, counted in the rate limiter
// library's own row (PostgreSQL) or by the library (memory).
import { expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/create-api-key";
import { admitKey } from "@/lib/gateway/key-admission";
import { countedBudgets } from "../helpers/counted-budget";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

const makeBudget = countedBudgets();

describeEachDb("gateway key admission", (ctx) => {
  it("admits a usable key within its submit budget, shared with the library; beyond it, the minute's seconds to wait", async () => {
    const b = makeBudget(ctx, "submit", 2);
    const user = await makeUser(ctx.db);
    const { key, id } = await createApiKey(user.id, "k");
    const first = await admitKey(key, b, null, ctx.db);
    expect(first.auth).toEqual({ ok: true, keyId: id, userId: user.id, quota: { monthlyImageQuota: null, quotaUnlimited: false } });
    expect(first.wait).toBeNull();
    expect(await b.library.consume("submit", id)).toBeNull(); // The library's count of the same key: the second.
    const over = await admitKey(key, b, null, ctx.db);
    expect(over.auth.ok).toBe(true);
    expect(over.wait).toBeGreaterThanOrEqual(59);
    expect(over.wait).toBeLessThanOrEqual(60);
    // Another key of the same owner has its own budget; the status budget of this key is another row.
    const other = await createApiKey(user.id, "k2");
    expect((await admitKey(other.key, b, null, ctx.db)).wait).toBeNull();
    expect((await admitKey(key, makeBudget(ctx, "status", 2), null, ctx.db)).wait).toBeNull();
    if (ctx.kind === "postgres") {
      const [row] = await ctx.db.$queryRawUnsafe<{ points: number }[]>(`SELECT points FROM ${b.store.sqlTable!()} WHERE key = $1`, `submit:${id}`);
      expect(row!.points).toBe(3);
    }
  });

  it("answers 401 for a missing or unknown key and 403 for a revoked one or a disabled owner, counting nothing for them", async () => {
    const b = makeBudget(ctx, "submit", 1);
    const user = await makeUser(ctx.db);
    const { key, id } = await createApiKey(user.id, "k");
    for (const k of [null, "", "kp_unknown", "x".repeat(201)])
      expect(await admitKey(k, b, null, ctx.db)).toEqual({ auth: { ok: false, status: 401 }, wait: null, row: null });
    await ctx.db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await admitKey(key, b, null, ctx.db)).toEqual({ auth: { ok: false, status: 403 }, wait: null, row: null });
    await ctx.db.user.update({ where: { id: user.id }, data: { disabledAt: null } });
    const { key: revoked, id: revokedId } = await createApiKey(user.id, "gone");
    await revokeApiKey(user.id, revokedId);
    expect((await admitKey(revoked, b, null, ctx.db)).auth).toEqual({ ok: false, status: 403 });
    // Refused calls spent none of the key's one call a minute.
    expect((await admitKey(key, b, null, ctx.db)).wait).toBeNull();
    expect(await b.library.consume("submit", revokedId)).toBeNull();
    expect((await admitKey(key, b, null, ctx.db)).wait).not.toBeNull();
    expect((await ctx.db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull();
  });
});
