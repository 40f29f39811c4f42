// npm start: migrate, build when needed, then serve the portal (npm run dev: the same with hot reload).
import { getConfig } from "../config";
import { disconnectDb } from "../db/client";
import { migrateDatabase } from "../db/migrate-database";
import { ensureBuild } from "../server/ensure-build";
import { startPortalServer } from "../server/portal-server";
import { runCli } from "./run-cli";

const dev = process.argv.includes("--dev");
const root = process.cwd();

await runCli(
  async () => {
    const config = getConfig();
    const applied = await migrateDatabase(config);
    if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);
    if (!dev) ensureBuild(root);
    const server = await startPortalServer({ config, dir: root, dev });
    console.log(`Kling Portal ready on ${server.url} (public URL ${config.PUBLIC_URL}, provider ${config.KLING_PROVIDER}, database ${config.DATABASE_URL ? "PostgreSQL" : "embedded PGlite in " + config.DATA_DIR})`);
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      console.log(`${signal}: shutting down…`);
      await server.close().catch(() => {});
      await disconnectDb().catch(() => {});
      process.exit(0);
    };
    process.on("SIGINT", () => void shutdown("SIGINT"));
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
  },
  { exit: false },
);
