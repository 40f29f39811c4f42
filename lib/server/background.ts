// Long-running work started beside the web server (and by `npm run worker`):
// the task reconciler, and the gateway's callback deliveries.
import type { Config } from "../config";
import { startDeliveryLoop } from "../gateway/callbacks/delivery-loop";
import { startReconciler } from "../tasks/reconciler";
import { stopTaskEvents } from "../tasks/task-events";

export type BackgroundService = { stop(): Promise<void> };

export function startBackgroundServices(config: Config): BackgroundService {
  const services: BackgroundService[] = [];
  if (config.RECONCILER_ENABLED) {
    services.push(startReconciler({ intervalMs: config.RECONCILER_INTERVAL_MS }));
    services.push(startDeliveryLoop({ intervalMs: config.RECONCILER_INTERVAL_MS }));
  }
  return {
    async stop() {
      await Promise.all(services.map((s) => s.stop()));
      // The live-update listener (if pages opened one) closes with the rest.
      await stopTaskEvents();
    },
  };
}
