// Request budgets per minute, from configuration: per API key for the
// gateway, per user for submits from the web.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { getConfig } from "../config";
import { ApiError } from "../http/errors";

export type GatewayAction = "submit" | "status" | "web-submit";

const key = Symbol.for("kling-portal.gateway-limiters");
type Holder = { [key]?: Record<GatewayAction, RateLimiterMemory> };

function limiters() {
  const g = globalThis as Holder;
  if (!g[key]) {
    const c = getConfig();
    g[key] = {
      submit: new RateLimiterMemory({ keyPrefix: "submit", points: c.RATE_LIMIT_SUBMIT_PER_MINUTE, duration: 60 }),
      status: new RateLimiterMemory({ keyPrefix: "status", points: c.RATE_LIMIT_STATUS_PER_MINUTE, duration: 60 }),
      // Web submits share the per-minute submit budget, counted per user.
      "web-submit": new RateLimiterMemory({ keyPrefix: "web-submit", points: c.RATE_LIMIT_SUBMIT_PER_MINUTE, duration: 60 }),
    };
  }
  return g[key];
}

/** null when allowed; otherwise the seconds to wait. */
export async function consumeRateLimit(action: GatewayAction, keyId: string): Promise<number | null> {
  try {
    await limiters()[action].consume(keyId);
    return null;
  } catch (res) {
    if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    throw res;
  }
}

/** Every web action that starts a task (submit, re-run) spends the user's one submit budget: a 429 beyond it. */
export async function enforceWebSubmitLimit(userId: string): Promise<void> {
  const wait = await consumeRateLimit("web-submit", userId);
  if (wait !== null) {
    throw new ApiError(429, "rate_limited", `Too many generations at once: try again in ${wait} s`, undefined, { "Retry-After": String(wait) });
  }
}

/** Forgets all budgets (tests, config changes). */
export function resetRateLimits(): void {
  delete (globalThis as Holder)[key];
}
