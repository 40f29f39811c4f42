// A new embedded database is created (PGlite's initdb) and migrated by a
// short-lived child process running `npm run db:migrate`'s code, before the
// portal opens it. WebAssembly memory never shrinks: creating a folder and
// applying every migration grows PGlite's memory, and loads Prisma's schema
// engine, by a few hundred MB that the portal's long-lived process would keep
// (README, Performance). Opening an existing folder costs far less.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export function embeddedDatabaseExists(pgliteDir: string): boolean {
  return existsSync(path.join(pgliteDir, "PG_VERSION"));
}

/**
 * Runs lib/cli/migrate.ts with this process's environment and Node options (tsx), minus profilers, the
 * inspector, and the server's larger young generation (a one-off job gains nothing from it; 30-40 MB at its peak).
 */
export async function createEmbeddedApart(): Promise<void> {
  const script = fileURLToPath(new URL("../cli/migrate.ts", import.meta.url));
  const nodeArgs = process.execArgv.filter((a) => !/^--(inspect|cpu-prof|heap-prof|max-semi-space-size)/.test(a));
  const child = spawn(process.execPath, [...nodeArgs, script], { stdio: "inherit" });
  const code = await new Promise<number | string | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (status, signal) => resolve(status ?? signal));
  });
  if (code !== 0) throw new Error(`Creating the embedded database failed: npm run db:migrate ended with ${code} (its output is above).`);
}
