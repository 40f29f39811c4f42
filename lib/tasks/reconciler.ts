// The reconciler: needs no callback to finish a task. One pass claims due
// tasks and drives each a step; the loop repeats every interval, or sooner
// when woken (a callback arrived, a task was created).
import { randomBytes } from "node:crypto";
import os from "node:os";
import { logger } from "../log";
import { claimDueTasks } from "./claim-due-tasks";
import { reconcileTask } from "./reconcile-task";

export const newOwnerId = () => `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

export async function reconcileOnce(opts: { owner?: string; limit?: number; now?: Date; concurrency?: number; fetch?: typeof fetch } = {}): Promise<number> {
  const owner = opts.owner ?? newOwnerId();
  const now = opts.now ?? new Date();
  const tasks = await claimDueTasks({ owner, limit: opts.limit ?? 20, now });
  const queue = [...tasks];
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 4, queue.length) }, async () => {
    for (let task = queue.shift(); task; task = queue.shift()) {
      try {
        await reconcileTask(task, { owner, now, fetch: opts.fetch });
      } catch (err) {
        logger.error({ taskId: task.id, err }, "reconciling a task failed");
      }
    }
  });
  await Promise.all(workers);
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
        while (!stopped && (await reconcileOnce({ owner })) >= 20);
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
