// npm run db:backup -- <file>: a consistent snapshot of the embedded database,
// through the running portal when it owns the folder, or as owner meanwhile.
import path from "node:path";
import { getConfig } from "../config";
import { databaseTarget } from "../db/adapter";
import { backupDatabase } from "../db/backup-database";
import { closeDatabase, connectDatabase } from "../db/client";
import { runCli } from "./run-cli";

await runCli(async () => {
  const file = process.argv[2];
  if (!file) throw new Error("usage: npm run db:backup -- <file>   (e.g. backup.jsonl.gz)");
  const target = databaseTarget(getConfig());
  if (target.kind === "postgres") throw new Error("DATABASE_URL points at PostgreSQL: back it up with pg_dump (or your provider's snapshots)");
  const access = await connectDatabase("npm run db:backup");
  if (!access) throw new Error("DATABASE_URL=pglite:memory keeps nothing to back up");
  try {
    const summary = await backupDatabase(access, path.resolve(file));
    const total = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    const via = access.kind === "client" ? ` through pid ${access.owner.pid}` : "";
    console.log(`Backed up ${total} rows from ${Object.keys(summary.rows).length} tables${via} to ${summary.file}`);
    console.log(`Image files are not in it: copy ${path.join(getConfig().DATA_DIR, "images")} too.`);
  } finally {
    await closeDatabase();
  }
});
