/**
 * An abort signal that fires after `ms` (with a TimeoutError, as AbortSignal.timeout does) or when
 * `parent` aborts, ended by the caller with `clear()` once the work is done.
 *
 * Why not AbortSignal.timeout: Node keeps its timer until the signal itself has been collected by a
 * full garbage collection (and frees it only after another), and that timer, created inside a
 * request, holds the request's AsyncLocalStorage stores (Next.js's hold the whole request). Each
 * upstream call kept its request that long; cleared here as soon as the call ends.
 */
export type Deadline = {
  signal: AbortSignal;
  /** True when the time ran out (not when the parent aborted). */
  timedOut(): boolean;
  /** Stops the timer and lets go of the parent; safe to call more than once. */
  clear(): void;
};

export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const onParentAbort = () => controller.abort(parent?.reason);
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`The operation timed out after ${ms} ms`, "TimeoutError"));
  }, ms);
  // Like AbortSignal.timeout's, the timer alone does not keep the process running.
  timer.unref();
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener("abort", onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
}
