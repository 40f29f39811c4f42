// The real processes a drill runs: the standalone emulator as upstream, the
// portal as `npm start` runs it, the worker, and the admin CLI. Everything
// listens on 127.0.0.1 only; ports are fixed per drill so a restarted portal
// keeps its PUBLIC_URL (the callback URLs upstream already holds stay valid).
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureBuild } from "../../lib/server/ensure-build";
import { startPortal, type Portal } from "../e2e/helpers/portal";
import { freePort } from "../helpers/free-port";
import { spawnCli, stopChild } from "../helpers/spawn";

const ROOT = path.resolve(import.meta.dirname, "../..");

export const AUTH_SECRET = "drill-secret-drill-secret-drill-secret-0123";
export const UPSTREAM_KEY = "drill";
// Only used when a drill runs KLING_PROVIDER=kling against the emulator's official routes.
export const KLING_KEYS = { KLING_ACCESS_KEY: "drill-access-key", KLING_SECRET_KEY: "drill-secret-key-drill-secret-key" };

/** Builds once up front: two portals starting together must not both run `next build`. */
export function buildOnce(log: (msg: string) => void): void {
  ensureBuild(ROOT, log);
}

export type EmulatorProcess = { url: string; controlUrl: string; stop(): Promise<void>; output(): string };

export async function startEmulatorProcess(opts: { durationMs: number; faults?: string }): Promise<EmulatorProcess> {
  const port = await freePort();
  const controlPort = await freePort();
  const cli = await spawnCli("lib/cli/emulator.ts", ["--port", String(port), "--control-port", String(controlPort)], {
    // A clean config: the emulator process must not inherit a provider that needs keys it lacks.
    env: {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      KLING_PROVIDER: "local",
      DATABASE_URL: "",
      EMULATOR_DURATION_MS: String(opts.durationMs),
      EMULATOR_FAULTS: opts.faults ?? "",
      EMULATOR_KEYS: "",
      // Its callbacks go to portals on 127.0.0.1.
      CALLBACK_ALLOW_PRIVATE: "true",
      ...KLING_KEYS,
    },
    ready: /Kling emulator listening at (\S+)/,
    timeoutMs: 60_000,
  });
  return {
    url: `http://127.0.0.1:${port}`,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    stop: () => stopChild(cli.child),
    output: cli.output,
  };
}

export type PortalEnv = Record<string, string>;

/** The portal's environment for a drill: upstream is the emulator process, limits out of the way, short leases. */
export function portalEnv(opts: { emulatorUrl: string; provider: "appypie" | "kling"; databaseUrl: string }): PortalEnv {
  return {
    KLING_PROVIDER: opts.provider,
    APPYPIE_BASE_URL: opts.emulatorUrl,
    APPYPIE_SUBSCRIPTION_KEY: UPSTREAM_KEY,
    KLING_BASE_URL: opts.emulatorUrl,
    ...(opts.provider === "kling" ? KLING_KEYS : {}),
    CALLBACK_ALLOW_PRIVATE: "true",
    RATE_LIMIT_SUBMIT_PER_MINUTE: "100000",
    RATE_LIMIT_STATUS_PER_MINUTE: "100000",
    // Short upstream calls make leases short, so a fault outlives several of them.
    KLING_TIMEOUT_MS: "5000",
    // A submit whose outcome is unknown (5xx, timeout) is never resent on Appy Pie, only confirmed by
    // a callback; upstream's callbacks come within seconds here, so ten minutes would only stretch the drill.
    SUBMIT_CONFIRM_SECONDS: "60",
    AUTH_SECRET,
    DATABASE_URL: opts.databaseUrl,
    LOG_LEVEL: "warn",
    RECONCILER_INTERVAL_MS: "1000",
  };
}

/** A portal slot: one port and data folder, started, killed and restarted in place. */
export class PortalSlot {
  private portal: Portal | undefined;
  constructor(
    readonly port: number,
    readonly dataDir: string,
    private env: PortalEnv,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  get pid() {
    return this.portal?.pid;
  }
  get running() {
    return !!this.portal;
  }

  async start(): Promise<void> {
    if (this.portal) throw new Error(`portal on ${this.port} is already running`);
    this.portal = await startPortal(this.env, { dataDir: this.dataDir, port: this.port });
  }

  /** SIGTERM (a clean stop) or SIGKILL (a crash); the data stays either way. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const p = this.portal;
    this.portal = undefined;
    await p?.stop({ signal, keepData: true });
  }

  output(): string {
    return this.portal?.output() ?? "";
  }
}

export type WorkerProcess = { stop(): Promise<void> };

export async function startWorker(env: PortalEnv & { DATA_DIR: string; PUBLIC_URL: string }): Promise<WorkerProcess> {
  const cli = await spawnCli("lib/cli/worker.ts", [], { env: { NODE_ENV: "production", ...env }, ready: /Worker running/, timeoutMs: 120_000 });
  return { stop: () => stopChild(cli.child) };
}

/** `npm run admin -- …` as an operator types it, against the same data while the portal runs. */
export async function runAdmin(args: string[], env: PortalEnv & { DATA_DIR: string }, timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "lib/cli/admin.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, output };
}
