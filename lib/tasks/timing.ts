// How often tasks are looked at: exponential backoff with full jitter, capped.
import type { Config } from "../config";

export const POLL_INTERVAL_MS = 2000;

/**
 * How long one upstream call may take with all its retries, plus slack: a
 * lease must outlive it, or a second worker could submit the same task.
 */
export function leaseSeconds(config: Pick<Config, "KLING_TIMEOUT_MS" | "KLING_MAX_RETRIES">): number {
  const worstCallMs = config.KLING_TIMEOUT_MS * (config.KLING_MAX_RETRIES + 1) + 60_000 * config.KLING_MAX_RETRIES;
  return Math.max(60, Math.ceil(worstCallMs / 1000) + 30);
}
/** The creator submits once inline (no retries): its hold only needs to outlive one call. */
export function creatorHoldSeconds(config: Pick<Config, "KLING_TIMEOUT_MS">): number {
  return Math.ceil(config.KLING_TIMEOUT_MS / 1000) + 30;
}

const CAP_MS = 60_000;

export function retryDelayMs(attempt: number, random = Math.random): number {
  const ceiling = Math.min(CAP_MS, 1000 * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function pollDelayMs(attempt: number): number {
  return Math.min(15_000, POLL_INTERVAL_MS * 1.5 ** Math.min(attempt, 10));
}
