// npm run db:migrate: applies pending migrations to the configured database
// (through the running portal when it owns the embedded database).
import { getConfig } from "../config";
import { closeDatabase, connectDatabase } from "../db/client";
import { migrateDatabase } from "../db/migrate-database";
import { runCli } from "./run-cli";

await runCli(async () => {
  const access = await connectDatabase("npm run db:migrate");
  if (access?.kind === "client") console.error(`Using the embedded database through pid ${access.owner.pid} (${access.owner.command}).`);
  try {
    const applied = await migrateDatabase(getConfig());
    console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date.");
  } finally {
    await closeDatabase();
  }
});
