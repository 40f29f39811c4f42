// npm run worker: the reconciler (and callback deliveries) without the web
// server, for deployments that run workers separately. Needs PostgreSQL when
// the web server also runs: embedded PGlite allows a single process.
import { getConfig } from "../config";
import { disconnectDb } from "../db/client";
import { migrateDatabase } from "../db/migrate-database";
import { startBackgroundServices } from "../server/background";
import { runCli } from "./run-cli";

await runCli(
  async () => {
    const config = { ...getConfig(), RECONCILER_ENABLED: true };
    await migrateDatabase(config);
    const services = startBackgroundServices(config);
    console.log(`Worker running (reconciler every ${config.RECONCILER_INTERVAL_MS} ms, provider ${config.KLING_PROVIDER}).`);
    const stop = async () => {
      await services.stop();
      await disconnectDb();
      process.exit(0);
    };
    process.on("SIGINT", () => void stop());
    process.on("SIGTERM", () => void stop());
  },
  { exit: false },
);
