// Request budgets per minute, from configuration: per API key for the
// gateway, per user for submits from the web. Counted in the process's limiter
// store, so with PostgreSQL every instance spends from the same budget.
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { getConfig } from "../config";
import { ApiError } from "../http/errors";
import type { CountedBudget } from "../rate-limit/count-in-query";
import { configuredStore, type LimiterStore } from "../rate-limit/limiter-store";

export type GatewayAction = "submit" | "status" | "web-submit";
export type RequestLimits = { submitPerMinute: number; statusPerMinute: number };
export type RequestBudgets = {
  /** null when allowed; otherwise the seconds to wait. */
  consume(action: GatewayAction, id: string): Promise<number | null>;
};

/** Every budget is per minute. */
const WINDOW_SECONDS = 60;

export function createRequestBudgets(limits: RequestLimits, store: LimiterStore): RequestBudgets {
  const perMinute = (keyPrefix: string, points: number) => store.make({ keyPrefix, points, duration: WINDOW_SECONDS });
  const limiters: Record<GatewayAction, RateLimiterAbstract> = {
    submit: perMinute("submit", limits.submitPerMinute),
    status: perMinute("status", limits.statusPerMinute),
    // Web submits share the per-minute submit budget, counted per user.
    "web-submit": perMinute("web-submit", limits.submitPerMinute),
  };
  return {
    async consume(action, id) {
      await store.ready;
      try {
        await limiters[action].consume(id);
        return null;
      } catch (res) {
        if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw res;
      }
    },
  };
}

const key = Symbol.for("kling-portal.gateway-limiters");
type Holder = { [key]?: RequestBudgets };

function budgets(): RequestBudgets {
  const g = globalThis as Holder;
  if (!g[key]) {
    const c = getConfig();
    g[key] = createRequestBudgets({ submitPerMinute: c.RATE_LIMIT_SUBMIT_PER_MINUTE, statusPerMinute: c.RATE_LIMIT_STATUS_PER_MINUTE }, configuredStore());
  }
  return g[key];
}

/** A key's budget for a gateway action (key-admission.ts), or a user's for web submits (lib/auth/session-submitter.ts), counted in a query (lib/rate-limit/count-in-query.ts). */
export function gatewayBudget(action: GatewayAction): CountedBudget {
  const c = getConfig();
  return {
    store: configuredStore(),
    keyPrefix: action,
    points: action === "status" ? c.RATE_LIMIT_STATUS_PER_MINUTE : c.RATE_LIMIT_SUBMIT_PER_MINUTE,
    durationMs: WINDOW_SECONDS * 1000,
    consume: (id) => budgets().consume(action, id),
  };
}

/** The 429 for a user over the web submit budget. */
export function webSubmitRefusal(wait: number): ApiError {
  return new ApiError(429, "rate_limited", `Too many generations at once: try again in ${wait} s`, undefined, { "Retry-After": String(wait) });
}
