// Faults outside upstream: the portal's process, its database server and its
// image folder. Each returns only when the fault is fully in place or undone.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { DrillNotRun } from "./harness";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Restarts the machine's PostgreSQL cluster (Debian's pg_ctlcluster); DrillNotRun when not permitted. */
export async function restartPostgres(probeUrl: string): Promise<void> {
  const versions = existsSync("/etc/postgresql") ? readdirSync("/etc/postgresql") : [];
  if (versions.length !== 1) throw new DrillNotRun(`no single PostgreSQL cluster under /etc/postgresql (found ${versions.length})`);
  try {
    await run("pg_ctlcluster", ["--skip-systemctl-redirect", versions[0], "main", "restart"], { timeout: 120_000 });
  } catch (err) {
    throw new DrillNotRun(`pg_ctlcluster restart not permitted or failed: ${(err as Error).message.split("\n")[0]}`);
  }
  await waitForPostgres(probeUrl, 60_000);
}

export async function waitForPostgres(url: string, timeoutMs: number): Promise<void> {
  const u = new URL(url);
  u.searchParams.delete("schema");
  const until = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() > until) throw new Error(`PostgreSQL did not come back within ${timeoutMs / 1000} s: ${(err as Error).message}`);
      await sleep(500);
    }
  }
}

/**
 * Makes DATA_DIR/images unwritable for root too: chmod does not stop root, so
 * the folder is moved away and a regular file takes its name (every write
 * below it fails with ENOTDIR). Returns the function that puts it back.
 */
export async function breakImageFolder(dataDir: string): Promise<() => Promise<void>> {
  const images = path.join(dataDir, "images");
  const away = path.join(dataDir, "images.drill-away");
  await mkdir(images, { recursive: true });
  await rename(images, away);
  await writeFile(images, "storage fault injected by the drill\n");
  return async () => {
    if ((await stat(images).catch(() => null))?.isFile()) await rm(images);
    await rename(away, images);
  };
}
