// npm start: migrate, build when needed, then serve the portal (npm run dev: the same with hot reload).
// With the embedded database this process becomes the folder's one owner and
// serves it to the other commands on a Unix socket. With PostgreSQL (several
// instances) it neither migrates nor builds: it checks that `npm run db:migrate`
// and `npm run build` were run for this code, and refuses to start otherwise.
import { getAuthSecret } from "../auth/secret";
import { getConfig } from "../config";
import { databaseTarget } from "../db/adapter";
import { closeDatabase } from "../db/client";
import { createEmbeddedApart, embeddedDatabaseExists } from "../db/create-embedded-apart";
import { describeOwner, foreignOwnerHint } from "../db/data-dir-lock";
import { DatabaseInUseError } from "../db/embedded-access";
import { startPgliteOwnerThread } from "../db/pglite-owner-thread";
import { readySchema } from "../db/schema-status";
import { ensureBuild, requireBuild } from "../server/ensure-build";
import { startPortalServer } from "../server/portal-server";
import { runShutdown } from "../server/shutdown";
import { runCli } from "./run-cli";

const dev = process.argv.includes("--dev");
const root = process.cwd();

await runCli(
  async () => {
    const config = getConfig();
    // tsx turns source maps on for the whole process, so Node would also parse the
    // maps of every Next.js chunk it loads: about 40 MB kept only to rewrite stack traces.
    if (!dev && !config.SOURCE_MAPS) process.setSourceMapsEnabled(false);
    // Settle the auth secret now: a bad secret file stops start-up with its name, not the first sign-in.
    getAuthSecret();
    const target = databaseTarget(config);
    // A new folder is created and migrated by a child process first (its memory then given back);
    // a folder being created by another start's child is waited for by ours, then refused below.
    if (target.kind === "pglite" && target.dataDir && !embeddedDatabaseExists(target.dataDir)) await createEmbeddedApart();
    const shared = target.kind === "postgres";
    if (shared && !dev) requireBuild(root);
    // A folder is owned by this process's database thread, which serves it (to this thread too) before the
    // migration and the (possibly long) build, so admin commands work meanwhile; a live owner is refused at once.
    if (target.kind === "pglite" && target.dataDir) await ownEmbeddedDatabase(target.dataDir);
    const applied = await readySchema(config);
    if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);
    if (!dev && !shared) ensureBuild(root);
    const server = await startPortalServer({ config, dir: root, dev });
    const database = target.kind === "postgres" ? "PostgreSQL" : target.dataDir ? `embedded PGlite in ${target.dataDir}` : "in-memory PGlite";
    console.log(`Kling Portal ready on ${server.url} (public URL ${config.PUBLIC_URL}, provider ${config.KLING_PROVIDER}, database ${database})`);
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      console.log(`${signal}: shutting down…`);
      // 10 + 10 s: inside the 30 s an orchestrator (Kubernetes, systemd, Docker) waits before SIGKILL.
      await runShutdown([
        { name: "stopping the web server and background work", run: () => server.close(), timeoutMs: 10_000 },
        { name: "closing the database", run: closeDatabase, timeoutMs: 10_000 },
      ]);
      process.exit(0);
    };
    process.on("SIGINT", () => void shutdown("SIGINT"));
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
  },
  { exit: false },
);

async function ownEmbeddedDatabase(dir: string): Promise<void> {
  try {
    await startPgliteOwnerThread(dir, dev ? "npm run dev" : "npm start", (err) => {
      // Nothing could reach the database again: end, so a supervisor starts a whole portal anew.
      console.error(`The embedded database's thread failed: ${err.stack ?? err.message}`);
      process.exit(1);
    });
  } catch (err) {
    if (!(err instanceof DatabaseInUseError)) throw err;
    throw new Error(
      `The embedded database in ${dir} is already open in ${describeOwner(err.owner)}. ` +
        "One process owns it: stop that one first (the admin, migrate, worker and backup commands reach it while it runs), or use PostgreSQL (DATABASE_URL) for several portal processes." +
        foreignOwnerHint(dir, err.owner),
    );
  }
}
