// The reconciler: needs no callback to finish a task. One pass claims due
// tasks and drives each a step; the loop repeats every interval, or sooner
// when woken (a callback arrived, a task was created).
import { randomBytes } from "node:crypto";
import os from "node:os";
import { getConfig } from "../config";
import { logger } from "../log";
import { grantSlots } from "./fair-queue";
import { reconcileTask } from "./reconcile-task";
import { claimDueTasks } from "./task-lease";
import { leaseSeconds } from "./timing";

export const newOwnerId = () => `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

export type ReconcileOptions = {
  owner?: string;
  /** How many tasks are worked at once; no more are claimed than that. */
  concurrency?: number;
  /** Tests move time forward; production uses the database clock for leases. */
  now?: Date;
  leaseSeconds?: number;
};

/** One pass: claims as many due tasks as there are free workers and drives each a step. */
export async function reconcileOnce(opts: ReconcileOptions = {}): Promise<number> {
  const config = getConfig();
  const owner = opts.owner ?? newOwnerId();
  const clock = { leaseSeconds: opts.leaseSeconds ?? leaseSeconds(config), testNow: opts.now };
  // With a concurrency limit, free slots go to waiting tasks first (a no-op without one).
  await grantSlots({ testNow: opts.now }).catch((err) => logger.error({ err }, "granting Kling slots failed"));
  // Before the claim is sent: the lease it takes ends no sooner than this plus its length. A monotonic clock: a
  // wall clock stepped back would make the claim look younger than it is.
  const claimedAt = opts.now ? undefined : performance.now();
  const tasks = await claimDueTasks({ ...clock, owner, limit: opts.concurrency ?? config.RECONCILER_CONCURRENCY });
  await Promise.all(
    tasks.map(async (task) => {
      try {
        await reconcileTask(task, { ...clock, owner, now: opts.now ?? new Date(), claimedAt });
      } catch (err) {
        logger.error({ taskId: task.id, err }, "reconciling a task failed");
      }
    }),
  );
  return tasks.length;
}

export type Reconciler = { wake(): void; stop(): Promise<void> };

const wakeKey = Symbol.for("kling-portal.reconciler-wake");
type Holder = { [wakeKey]?: () => void };

/** Asks the in-process reconciler (if any) to run now instead of at its next tick. */
export function wakeReconciler(): void {
  (globalThis as Holder)[wakeKey]?.();
}

export function startReconciler(opts: { intervalMs: number }): Reconciler {
  const owner = newOwnerId();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let again = false;
  let running: Promise<void> | undefined;

  const tick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = (async () => {
      try {
        // Keep going while full batches come back, then sleep.
        const concurrency = getConfig().RECONCILER_CONCURRENCY;
        while (!stopped && (await reconcileOnce({ owner, concurrency })) >= concurrency);
      } catch (err) {
        logger.error({ err }, "reconciler pass failed");
      } finally {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, again ? 0 : opts.intervalMs);
        again = false;
      }
    })();
  };
  (globalThis as Holder)[wakeKey] = () => setTimeout(tick, 50);
  timer = setTimeout(tick, 0);
  return {
    wake: tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      delete (globalThis as Holder)[wakeKey];
      await running;
    },
  };
}
