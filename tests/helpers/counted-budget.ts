// A counted budget (lib/gateway/rate-limit.ts) on the limiter store the portal
// would use on a suite's database: rate-limiter-flexible's PostgreSQL table, or
// memory on PGlite; `library` counts the same budget through the library itself.
import { afterAll } from "vitest";
import { databaseTarget } from "@/lib/db/adapter";
import { createRequestBudgets, type GatewayAction } from "@/lib/gateway/rate-limit";
import type { CountedBudget } from "@/lib/rate-limit/count-in-query";
import { memoryStore, postgresStore, type LimiterStore } from "@/lib/rate-limit/limiter-store";
import type { DbKind } from "./db";

export type TestBudget = CountedBudget & { library: ReturnType<typeof createRequestBudgets> };

/** Call at a file's top level: the stores made are closed after its suites. */
export function countedBudgets(): (ctx: { kind: DbKind; url: string | undefined }, action: GatewayAction, points: number) => TestBudget {
  const stores: LimiterStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });
  return (ctx, action, points) => {
    let store: LimiterStore;
    if (ctx.kind === "postgres") {
      const target = databaseTarget({ DATABASE_URL: ctx.url!, DATA_DIR: "" });
      store = postgresStore(ctx.url!, target.kind === "postgres" ? target.schema : undefined);
    } else store = memoryStore();
    stores.push(store);
    const library = createRequestBudgets({ submitPerMinute: points, statusPerMinute: points }, store);
    return { store, keyPrefix: action, points, durationMs: 60_000, consume: (id) => library.consume(action, id), library };
  };
}
