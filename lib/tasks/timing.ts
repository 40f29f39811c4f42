// How often tasks are looked at: exponential backoff with full jitter, capped.
export const POLL_INTERVAL_MS = 2000;
const CAP_MS = 60_000;

export function retryDelayMs(attempt: number, random = Math.random): number {
  const ceiling = Math.min(CAP_MS, 1000 * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function pollDelayMs(attempt: number): number {
  return Math.min(15_000, POLL_INTERVAL_MS * 1.5 ** Math.min(attempt, 10));
}
