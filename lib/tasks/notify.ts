// Called after a task's status changed: tells open pages (where no database
// notification does) and queues the gateway caller's notification (when the
// task has a callback_url).
import { enqueueClientCallback } from "../gateway/callbacks/enqueue-delivery";
import { logger } from "../log";
import { taskEvents } from "./task-events";

const wakeKey = Symbol.for("kling-portal.deliveries-wake");
type Holder = { [wakeKey]?: () => void };

/**
 * `known` is what the caller already read of the task: when it has no callback_url
 * (every web task), there is nothing to queue and no need to read the task again.
 */
export async function notifyTaskChanged(taskId: string, known?: { clientCallbackUrl: string | null }): Promise<void> {
  taskEvents().announce({ taskId, op: "update" });
  if (known && !known.clientCallbackUrl) return;
  try {
    if (await enqueueClientCallback(taskId)) (globalThis as Holder)[wakeKey]?.();
  } catch (err) {
    logger.error({ taskId, err }, "could not queue the caller's callback");
  }
}

export function onDeliveriesQueued(wake: (() => void) | undefined): void {
  (globalThis as Holder)[wakeKey] = wake;
}
