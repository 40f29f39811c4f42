// A web submit's admission: the session check and one point of the user's
// submit budget, in the session's own statement when the limiter counts in
// PostgreSQL (the rate limiter library's row) and by the library in memory.
import { expect, it } from "vitest";
import { submitterFor } from "@/lib/auth/session-submitter";
import { ApiError } from "@/lib/http/errors";
import { countedBudgets } from "../helpers/counted-budget";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

const makeBudget = countedBudgets();

/** The ApiError a call fails with (or null when it succeeds). */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => {
      if (!(err instanceof ApiError)) throw err;
      return err;
    },
  );

describeEachDb("web submit admission", (ctx) => {
  // The store the portal would use on this database, with a budget of `points` calls a minute.
  const budget = (points: number) => makeBudget(ctx, "web-submit", points);

  it("admits a standing session, spending one budget with the rate limiter library: beyond it, 429 with the minute's seconds", async () => {
    const b = budget(3);
    const user = await makeUser(ctx.db);
    const claims = { id: user.id, sv: 0 };
    expect(await submitterFor(claims, b)).toMatchObject({ id: user.id, email: user.email, quota: { monthlyImageQuota: null, quotaUnlimited: false } });
    expect(await b.library.consume("web-submit", user.id)).toBeNull(); // The library's count of the same user: the second.
    expect((await submitterFor(claims, b)).id).toBe(user.id);
    const over = await refusal(submitterFor(claims, b));
    expect(over).toMatchObject({ status: 429, code: "rate_limited" });
    const wait = Number(over!.headers?.["Retry-After"]);
    expect(wait).toBeGreaterThanOrEqual(59);
    expect(wait).toBeLessThanOrEqual(60);
    expect(over!.message).toBe(`Too many generations at once: try again in ${wait} s`);
    // Another user's budget is their own.
    const other = await makeUser(ctx.db);
    expect((await submitterFor({ id: other.id, sv: 0 }, b)).id).toBe(other.id);
    if (ctx.kind === "postgres") {
      // Counted in the library's table, in the row it keeps for this user.
      expect(b.store.sqlTable?.()).not.toBeNull();
      const [row] = await ctx.db.$queryRawUnsafe<{ points: number }[]>(`SELECT points FROM ${b.store.sqlTable!()} WHERE key = $1`, `web-submit:${user.id}`);
      expect(row!.points).toBe(4);
    }
  });

  it("refuses with 401 a session that no longer stands, and spends nothing for it", async () => {
    const b = budget(1);
    const user = await makeUser(ctx.db);
    const refusedWith = async (claims: unknown) => (await refusal(submitterFor(claims as never, b)))?.status;
    for (const claims of [
      null,
      {},
      { id: "" },
      { id: 42 },
      { id: "nobody", sv: 0 },
      { id: user.id, sv: 1 },
      { id: user.id, sv: 0.5 },
      { id: user.id, sv: 2 ** 40 },
    ])
      expect(await refusedWith(claims)).toBe(401);
    await ctx.db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await refusedWith({ id: user.id, sv: 0 })).toBe(401);
    await ctx.db.user.update({ where: { id: user.id }, data: { disabledAt: null, sessionVersion: 1 } });
    expect(await refusedWith({ id: user.id, sv: 0 })).toBe(401);
    expect(await refusedWith({ id: user.id })).toBe(401);
    // None of those spent the user's one submit a minute.
    expect((await submitterFor({ id: user.id, sv: 1 }, b)).id).toBe(user.id);
    expect(await refusedWith({ id: user.id, sv: 1 })).toBe(429);
  });

  it("starts a new minute afresh once the last one has ended", async () => {
    if (ctx.kind !== "postgres") return; // The memory store's windows are the library's own, tested there.
    const b = budget(1);
    const user = await makeUser(ctx.db);
    await submitterFor({ id: user.id, sv: 0 }, b);
    expect((await refusal(submitterFor({ id: user.id, sv: 0 }, b)))?.status).toBe(429);
    await ctx.db.$executeRawUnsafe(`UPDATE ${b.store.sqlTable!()} SET expire = $1 WHERE key = $2`, Date.now() - 1, `web-submit:${user.id}`);
    expect((await submitterFor({ id: user.id, sv: 0 }, b)).id).toBe(user.id);
    const [row] = await ctx.db.$queryRawUnsafe<{ points: number }[]>(`SELECT points FROM ${b.store.sqlTable!()} WHERE key = $1`, `web-submit:${user.id}`);
    expect(row!.points).toBe(1);
  });
});
