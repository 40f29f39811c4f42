// npm run db:restore -- <file>: restores a backup into the stopped embedded
// database (the previous folder is kept beside it); refuses while any process owns it.
import path from "node:path";
import { getConfig } from "../config";
import { databaseTarget } from "../db/adapter";
import { restoreDatabase } from "../db/restore-database";
import { runCli } from "./run-cli";

await runCli(async () => {
  const file = process.argv[2];
  if (!file) throw new Error("usage: npm run db:restore -- <file>");
  const target = databaseTarget(getConfig());
  if (target.kind === "postgres") throw new Error("DATABASE_URL points at PostgreSQL: restore it with pg_restore (or your provider's snapshots)");
  if (!target.dataDir) throw new Error("DATABASE_URL=pglite:memory has no folder to restore into");
  const summary = await restoreDatabase(path.resolve(file), target.dataDir);
  const total = Object.values(summary.rows).reduce((a, b) => a + b, 0);
  console.log(`Restored ${total} rows into ${target.dataDir} (migrations ${summary.migrations.join(", ") || "none"}).`);
  if (summary.movedAside) console.log(`The previous database is kept at ${summary.movedAside}.`);
  console.log("The next start applies any newer migrations.");
});
