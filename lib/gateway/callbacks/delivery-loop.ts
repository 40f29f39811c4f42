// Runs callback deliveries in the background, woken as soon as one is queued.
import { logger } from "../../log";
import { onDeliveriesQueued } from "../../tasks/notify";
import { deliverDueCallbacks } from "./deliver-callbacks";

export function startDeliveryLoop(opts: { intervalMs: number }) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (stopped || running) return;
    clearTimeout(timer);
    running = (async () => {
      try {
        // Again while anything went out: a task's next status is sent only after the previous one.
        while (!stopped && (await deliverDueCallbacks({ concurrency: 4 })) > 0);
      } catch (err) {
        logger.error({ err }, "callback delivery pass failed");
      } finally {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, opts.intervalMs);
      }
    })();
  };
  onDeliveriesQueued(() => setTimeout(tick, 20));
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      onDeliveriesQueued(undefined);
      await running;
    },
  };
}
