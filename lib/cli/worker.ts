// npm run worker: the reconciler (and callback deliveries) without the web
// server, for deployments that run workers separately. With the embedded
// database it works through the running portal, or owns the folder itself
// (and then serves it to other commands, as the portal does).
import { getAuthSecret } from "../auth/secret";
import { getConfig } from "../config";
import { closeDatabase, connectDatabase } from "../db/client";
import { serveEmbedded } from "../db/embedded-access";
import { readySchema } from "../db/schema-status";
import { startBackgroundServices } from "../server/background";
import { runShutdown } from "../server/shutdown";
import { startMetricsListener } from "../ops/metrics-listener";
import { runCli } from "./run-cli";

await runCli(
  async () => {
    const config = { ...getConfig(), RECONCILER_ENABLED: true };
    // It signs image links and callers' notifications: a missing shared secret stops it now, not at the first delivery.
    getAuthSecret();
    const access = await connectDatabase("npm run worker");
    await readySchema(config);
    if (access?.kind === "owner") await serveEmbedded(access);
    const services = startBackgroundServices(config);
    // The config module makes METRICS_TOKEN required with the port.
    const metrics = config.WORKER_METRICS_PORT
      ? await startMetricsListener({ host: config.HOST, port: config.WORKER_METRICS_PORT, token: config.METRICS_TOKEN! })
      : null;
    const via = access?.kind === "client" ? `, through pid ${access.owner.pid}'s embedded database` : "";
    const scrape = metrics ? `; metrics at ${metrics.url}/metrics` : "";
    console.log(`Worker running (reconciler every ${config.RECONCILER_INTERVAL_MS} ms, provider ${config.KLING_PROVIDER}${via}${scrape}).`);
    const stop = async () => {
      await runShutdown([
        ...(metrics ? [{ name: "closing the metrics listener", run: () => metrics.close(), timeoutMs: 2_000 }] : []),
        { name: "stopping the reconciler and deliveries", run: () => services.stop(), timeoutMs: 10_000 },
        { name: "closing the database", run: closeDatabase, timeoutMs: 5_000 },
      ]);
      process.exit(0);
    };
    process.on("SIGINT", () => void stop());
    process.on("SIGTERM", () => void stop());
  },
  { exit: false },
);
