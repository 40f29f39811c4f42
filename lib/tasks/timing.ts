// How long work may take and how often tasks are looked at: leases, backoff
// with full jitter, poll intervals, and how long paid work is retried.
import type { Config } from "../config";

export const POLL_INTERVAL_MS = 2000;
/** Each archived image must arrive within this (a lease must outlive it). */
export const DOWNLOAD_TIMEOUT_MS = 30_000;
/** Transient download and storage errors are retried this long after upstream success (URLs live 30 days). */
export const ARCHIVE_RETRY_MS = 24 * 3600_000;

/**
 * A lease must outlive the longest single step done under it: every upstream
 * call runs without in-call retries and the lease is renewed and proven right
 * before each one (or taken so recently that it outlasts the call), so one call
 * (or one image download) plus slack suffices.
 */
export function leaseSeconds(config: Pick<Config, "KLING_TIMEOUT_MS">): number {
  return Math.ceil(Math.max(config.KLING_TIMEOUT_MS, DOWNLOAD_TIMEOUT_MS) / 1000) + 15;
}
/** The creator submits once inline: its hold only needs to outlive one call. */
export function creatorHoldSeconds(config: Pick<Config, "KLING_TIMEOUT_MS">): number {
  return Math.ceil(config.KLING_TIMEOUT_MS / 1000) + 15;
}

const CAP_MS = 60_000;

export function retryDelayMs(attempt: number, random = Math.random, capMs = CAP_MS): number {
  const ceiling = Math.min(capMs, 1000 * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Archive retries back off further (to 10 minutes): they may run for a day. */
export const archiveRetryDelayMs = (attempt: number, random = Math.random) => retryDelayMs(attempt, random, 600_000);

export function pollDelayMs(attempt: number): number {
  return Math.min(15_000, POLL_INTERVAL_MS * 1.5 ** Math.min(attempt, 10));
}

/**
 * Once a callback for a task has arrived, callbacks carry it: it is polled
 * only this often, so a lost final callback still ends it, at most this late.
 */
export const CALLBACK_SAFETY_POLL_MS = 30_000;

/** The wait before a running task's next status call (the safety interval is longer than any pollDelayMs). */
export function nextPollDelayMs(task: { attempts: number; callbackAt: Date | null }): number {
  return task.callbackAt ? CALLBACK_SAFETY_POLL_MS : pollDelayMs(task.attempts);
}
