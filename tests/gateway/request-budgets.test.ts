// Per-minute budgets counted in the limiter store: with PostgreSQL two
// instances (two stores on one database) spend from one budget, and a
// database that fails still limits, in memory (the insurance limiter).
import { afterAll, expect, it } from "vitest";
import { createRequestBudgets } from "@/lib/gateway/rate-limit";
import { databaseTarget } from "@/lib/db/adapter";
import { memoryStore, postgresStore, type LimiterStore } from "@/lib/rate-limit/limiter-store";
import { describeEachDb } from "../helpers/db";

const limits = { submitPerMinute: 3, statusPerMinute: 5 };

describeEachDb("request budgets", (ctx) => {
  const stores: LimiterStore[] = [];
  const instance = () => {
    const target = ctx.url ? databaseTarget({ DATABASE_URL: ctx.url, DATA_DIR: "/nonexistent" }) : null;
    const store = target?.kind === "postgres" ? postgresStore(target.url, target.schema) : memoryStore();
    stores.push(store);
    return createRequestBudgets(limits, store);
  };
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it("allows each key its submits per minute, then answers with the seconds to wait; other keys and actions are apart", async () => {
    const budgets = instance();
    for (let i = 0; i < 3; i++) expect(await budgets.consume("submit", "key-a")).toBeNull();
    const wait = await budgets.consume("submit", "key-a");
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await budgets.consume("submit", "key-b")).toBeNull();
    expect(await budgets.consume("status", "key-a")).toBeNull();
    expect(await budgets.consume("web-submit", "key-a")).toBeNull();
  });

  it(
    ctx.kind === "postgres"
      ? "shares one budget between instances on one database"
      : "keeps each process's budget in its memory (embedded PGlite has one process)",
    async () => {
      const [one, two] = [instance(), instance()];
      for (let i = 0; i < 5; i++) expect(await (i % 2 ? two : one).consume("status", "shared-key")).toBeNull();
      const [waitOne, waitTwo] = [await one.consume("status", "shared-key"), await two.consume("status", "shared-key")];
      if (ctx.kind === "postgres") {
        expect(waitOne).toBeGreaterThanOrEqual(1);
        expect(waitTwo).toBeGreaterThanOrEqual(1);
      } else {
        // Three spent in one, two in the other: each still has budget of its own.
        expect([waitOne, waitTwo]).toEqual([null, null]);
      }
    },
  );
});

it("still limits, in memory, while PostgreSQL cannot be reached", async () => {
  const store = postgresStore("postgresql://postgres@127.0.0.1:1/none");
  try {
    const budgets = createRequestBudgets(limits, store);
    for (let i = 0; i < 3; i++) expect(await budgets.consume("submit", "key-down")).toBeNull();
    expect(await budgets.consume("submit", "key-down")).toBeGreaterThanOrEqual(1);
  } finally {
    await store.close();
  }
});
