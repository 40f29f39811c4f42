// Runs one drill end to end: fresh emulator process, fresh database (PGlite
// folder or PostgreSQL schema), portal(s), two callers (a signed-in web user
// and an API key), the drill's scenario, a generous wait for every task to be
// final, then the verdict from the database and upstream. Always tears down.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { signUp } from "../e2e/helpers/session";
import { onInterrupt } from "./cleanup";
import { planTasks, startBurst, waitAllFinal, type Burst, type Caller, type Submitted } from "./burst";
import { createPostgresSchema, dropPostgresSchema, liveReadable, readTaskRows, type DrillDb } from "./database";
import { measure, passes, type DrillMetrics } from "./metrics";
import { freePort } from "../helpers/free-port";
import { portalEnv, PortalSlot, startEmulatorProcess, startWorker, type EmulatorProcess, type PortalEnv, type WorkerProcess } from "./processes";
import { upstreamControl, type UpstreamControl } from "./upstream";

export type DrillSpec = {
  id: string;
  title: string;
  db: "pglite" | "postgres";
  provider?: "appypie" | "kling";
  portals?: number;
  worker?: boolean;
  /** How long upstream takes per task (default 3 s). */
  emulatorDurationMs?: number;
  /** Extra portal (and worker) configuration, e.g. KLING_MAX_CONCURRENCY. */
  env?: Record<string, string>;
  scenario(ctx: DrillContext): Promise<void>;
  /** Checks once every task is final (e.g. images readable through each portal). */
  afterFinal?(ctx: DrillContext, submitted: Submitted[]): Promise<void>;
};

export type DrillContext = {
  tasks: number;
  upstream: UpstreamControl;
  portals: PortalSlot[];
  env: PortalEnv;
  dataDir: string;
  db: DrillDb;
  callers: Caller[];
  /** Starts a burst of `count` tasks (default: all of them) over the current callers (or these) and portals; `n` fixes every task's image count. */
  burst(count?: number, opts?: { callers?: Caller[]; n?: number }): Burst;
  note(msg: string): void;
  /** Adds to paid_not_delivered: images the portal has but cannot serve. */
  undelivered(count: number, why: string): void;
  log(msg: string): void;
};

export class DrillNotRun extends Error {}

export type DrillResult = DrillMetrics & {
  id: string;
  title: string;
  database: "pglite" | "postgres";
  provider: string;
  result: "passed" | "failed" | "not run";
  seconds: number;
};

export type HarnessOptions = {
  tasks: number;
  provider?: "appypie" | "kling";
  postgresUrl?: string;
  finalWaitMs?: number;
  emulatorDurationMs?: number;
  log: (msg: string) => void;
};

export async function runDrill(spec: DrillSpec, opts: HarnessOptions): Promise<DrillResult> {
  const started = Date.now();
  const log = (msg: string) => opts.log(`[${spec.id} ${Math.round((Date.now() - started) / 1000)}s] ${msg}`);
  const notes: string[] = [];
  const provider = opts.provider ?? spec.provider ?? "appypie";
  const base = { id: spec.id, title: spec.title, database: spec.db, provider };
  const empty = { tasks: 0, terminal: 0, lost: 0, duplicated: 0, paid_not_delivered: 0, failed: 0, images: 0 };
  if (spec.db === "postgres" && !opts.postgresUrl) {
    return { ...base, ...empty, result: "not run", seconds: 0, notes: ["TEST_DATABASE_URL is not set"] };
  }

  let emulator: EmulatorProcess | undefined;
  let worker: WorkerProcess | undefined;
  let db: DrillDb | undefined;
  const portals: PortalSlot[] = [];
  const bursts: Burst[] = [];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `kling-drill-${spec.id}-`));
  let extraUndelivered = 0;
  let notRun: string | undefined;
  let metrics: DrillMetrics | undefined;

  const teardown = async () => {
    await stopAll().catch(() => {});
    await emulator?.stop().catch(() => {});
    if (db?.kind === "postgres") await dropPostgresSchema(db).catch((err) => notes.push(`dropping the schema failed: ${err.message}`));
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  };
  const forget = onInterrupt(teardown);

  try {
    emulator = await startEmulatorProcess({ durationMs: spec.emulatorDurationMs ?? opts.emulatorDurationMs ?? 3000 });
    const upstream = upstreamControl(emulator.controlUrl);
    db = spec.db === "postgres" ? await createPostgresSchema(opts.postgresUrl!) : { kind: "pglite" };
    const env = { ...portalEnv({ emulatorUrl: emulator.url, provider, databaseUrl: db.kind === "postgres" ? db.url : "" }), ...spec.env };
    for (let i = 0; i < (spec.portals ?? 1); i++) {
      const slot = new PortalSlot(await freePort(), dataDir, env);
      // One at a time: the first applies the migrations the others then find done.
      await slot.start();
      portals.push(slot);
    }
    log(`portal${portals.length > 1 ? "s" : ""} up at ${portals.map((p) => p.url).join(", ")}; emulator ${emulator.url}`);
    if (spec.worker) {
      // A supervisor restarts a worker that dies at start-up (seen: "database server was reached but
      // timed out" while the shared machine is busy); the drill does the same, and says so.
      for (let attempt = 1; !worker; attempt++) {
        try {
          worker = await startWorker({ ...env, DATA_DIR: dataDir, PUBLIC_URL: portals[0].url });
        } catch (err) {
          const why = (err as Error).message.split("\n").slice(0, 2).join(" ");
          notes.push(`worker start ${attempt} failed: ${why}`);
          if (attempt >= 3) throw err;
        }
      }
      log("worker up");
    }

    const web = await signUp(portals[0].url, `web-${spec.id}@drill.example`);
    const owner = await signUp(portals[0].url, `api-${spec.id}@drill.example`);
    const keyRes = await owner.fetch("/api/keys", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "drill" }) });
    if (keyRes.status !== 201 && keyRes.status !== 200) throw new Error(`creating an API key failed: ${keyRes.status} ${await keyRes.text()}`);
    const key = ((await keyRes.json()) as { key: string }).key;
    const callers: Caller[] = [
      { kind: "web", cookie: web.cookie, email: web.email },
      { kind: "api", key, label: "drill key" },
    ];

    let planned = 0;
    const ctx: DrillContext = {
      tasks: opts.tasks,
      upstream,
      portals,
      env,
      dataDir,
      db,
      callers,
      burst(count = opts.tasks - planned, o = {}) {
        const plan = planTasks(count, spec.id).map((p) => ({ ...p, seq: p.seq + planned, n: o.n ?? p.n }));
        planned += count;
        const b = startBurst({ tasks: plan, callers: () => o.callers ?? callers, portals: () => portals.map((p) => p.url) });
        bursts.push(b);
        return b;
      },
      note: (msg) => notes.push(msg),
      undelivered(count, why) {
        extraUndelivered += count;
        if (count) notes.push(why);
      },
      log,
    };

    try {
      await spec.scenario(ctx);
    } catch (err) {
      if (err instanceof DrillNotRun) notRun = err.message;
      else notes.push(`scenario error: ${(err as Error).message}`);
      log(`scenario stopped: ${(err as Error).message}`);
    } finally {
      // Whatever happened, upstream is healthy again for the final wait.
      await upstream.setMode("normal").catch(() => {});
      await upstream.setFaults("").catch(() => {});
    }
    const submitted = (await Promise.all(bursts.map((b) => b.done))).flat();
    log(`${submitted.filter((s) => s.taskId).length}/${submitted.length} submits acknowledged; waiting for every task to be final`);

    const urls = () => portals.filter((p) => p.running).map((p) => p.url);
    const waitStarted = Date.now();
    const stillOpen = await waitAllFinal(submitted, urls, opts.finalWaitMs ?? 240_000, (open) => log(`${open} tasks not final yet`));
    // How long the tail took once the fault was gone: a crash leaves the dead process's leases to expire.
    if (!stillOpen.size) notes.push(`all final ${Math.round((Date.now() - waitStarted) / 1000)} s after the burst and fault ended`);
    if (spec.afterFinal) {
      try {
        await spec.afterFinal(ctx, submitted);
      } catch (err) {
        notes.push(`final check error: ${(err as Error).message}`);
      }
    }

    const stats = await upstream.stats();
    // PGlite is single-process: without a live socket to read through, the portal must let go first.
    if (!(await liveReadable(db, dataDir))) await stopAll();
    const rows = await readTaskRows(db, dataDir);
    metrics = measure({ submitted, rows, stats, stillOpen });
    metrics.paid_not_delivered += extraUndelivered;
  } catch (err) {
    notes.push(`drill error: ${(err as Error).message.split("\n").slice(0, 3).join(" ")}`);
    log(`drill error: ${(err as Error).stack ?? err}`);
    for (const p of portals) if (p.running) log(`portal ${p.port} output tail:\n${p.output().slice(-2000)}`);
  } finally {
    forget();
    await teardown();
  }

  async function stopAll() {
    await worker?.stop();
    worker = undefined;
    for (const p of portals) await p.stop();
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  if (notRun) return { ...base, ...(metrics ?? empty), result: "not run", seconds, notes: [notRun, ...notes, ...(metrics?.notes ?? [])] };
  if (!metrics) return { ...base, ...empty, result: "failed", seconds, notes };
  const m = metrics;
  const ok = passes(m) && !notes.some((n) => n.startsWith("scenario error") || n.startsWith("final check error"));
  return {
    ...base,
    result: ok ? "passed" : "failed",
    tasks: m.tasks,
    terminal: m.terminal,
    lost: m.lost,
    duplicated: m.duplicated,
    paid_not_delivered: m.paid_not_delivered,
    failed: m.failed,
    images: m.images,
    seconds,
    notes: [...notes, ...m.notes],
  };
}
