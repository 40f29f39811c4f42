// A real portal for end-to-end tests: `npm start`'s entry point (production
// build, migrations, emulator, reconciler) on a free port with its own data.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../helpers/free-port";
import { spawnCli, stopChild } from "../../helpers/spawn";

export type Portal = {
  url: string;
  dataDir: string;
  pid: number;
  stop(opts?: { signal?: NodeJS.Signals; keepData?: boolean }): Promise<void>;
  output(): string;
};

export async function startPortal(env: Record<string, string> = {}, opts: { dataDir?: string; port?: number; nodeArgs?: string[] } = {}): Promise<Portal> {
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), "kling-portal-e2e-")));
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const cli = await spawnCli("lib/cli/start.ts", [], {
    env: {
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      LOG_LEVEL: "warn",
      EMULATOR_DURATION_MS: "1500",
      RECONCILER_INTERVAL_MS: "500",
      ...env,
    },
    ready: /Kling Portal ready on/,
    nodeArgs: opts.nodeArgs,
    timeoutMs: 300_000,
  }).catch(async (err: unknown) => {
    // A portal that refused to start leaves no folder behind, unless the caller owns it.
    if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    url,
    dataDir,
    pid: cli.child.pid!,
    output: cli.output,
    async stop({ signal, keepData } = {}) {
      await stopChild(cli.child, signal);
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
