// Long-running work started beside the web server: the reconciler (issue 4)
// and gateway callback deliveries (issue 5) register here.
import type { Config } from "../config";

export type BackgroundService = { stop(): Promise<void> };

export function startBackgroundServices(_config: Config): BackgroundService {
  const services: BackgroundService[] = [];
  return { stop: async () => void (await Promise.all(services.map((s) => s.stop()))) };
}
