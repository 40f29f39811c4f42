// npm run db:migrate: applies pending migrations to the configured database.
import { getConfig } from "../config";
import { migrateDatabase } from "../db/migrate-database";
import { runCli } from "./run-cli";

await runCli(async () => {
  const applied = await migrateDatabase(getConfig());
  console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date.");
});
