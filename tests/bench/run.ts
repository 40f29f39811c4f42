// npm run bench -- --out bench.json [--pglite] [--rows N] [--seconds S] [--only a,b] [--cpu-prof DIR]
//
// The portal's hot paths in one run against a production build started as
// `npm start` starts it, with the standalone emulator in its own process as
// upstream (a real Kling is remote). PostgreSQL (TEST_DATABASE_URL, a fresh
// schema dropped afterwards) by default, embedded PGlite with --pglite. Every
// throughput is also given as a ratio to /api/ping measured in the same run:
// the machine is shared and noisy, absolute numbers mean little alone.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { createPostgresSchema, dropPostgresSchema } from "../drill/database";
import { buildOnce, portalEnv, startEmulatorProcess } from "../drill/processes";
import { freePort } from "../helpers/free-port";
import { startPortal } from "../e2e/helpers/portal";
import { signUp, type Session } from "../e2e/helpers/session";
import { measureLivePage } from "./live-page";
import { startWithNpm } from "./npm-start";
import { cpuMsBetween, namedCpuMs, rssSampler, treeCpuMs, treeRssMb } from "./process-tree";
import { CALLBACK_SECRET, CALLBACK_UPSTREAM_ID, explainHistory, seedHistory, settleTasksOf, sqlClient, userId, type BenchDb } from "./seed";

const { values: args } = parseArgs({
  options: {
    out: { type: "string" },
    pglite: { type: "boolean", default: false },
    rows: { type: "string", default: "1000000" },
    seconds: { type: "string", default: process.env.BENCH_SECONDS ?? "10" },
    only: { type: "string" },
    "cpu-prof": { type: "string" },
  },
});
const SECONDS = Number(args.seconds);
const ROWS = Number(args.rows);
const only = args.only ? new Set(args.only.split(",")) : null;
const want = (phase: string) => !only || only.has(phase);
/** Once the portal runs: its tree's peak RSS so far, logged with every line to show which phase raised it. */
let peakSoFar: (() => number) | null = null;
const log = (msg: string) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}${peakSoFar ? ` (peak RSS so far ${peakSoFar()} MB)` : ""}`);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const JSON_HEADERS = { "Content-Type": "application/json" };
/** The emulator's task length in the visibility phases: success comes this long after the submit arrives. */
const VISIBLE_DURATION_MS = 3000;
const VISIBLE_TASKS = 6;
/** Tasks as long as a real generation, for the status calls they cost with callbacks working. */
const LONG_TASK_MS = 20_000;
const LONG_TASKS = 4;

type Load = {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  timeouts: number;
  portalCpuMs: number;
  postgresCpuMs: number;
  /** Upstream status calls the reconciler made during the load, per answered request: background work its CPU figure includes. */
  statusCallsPerRequest: number;
};
/** Each load's time window on the monotonic clock, for reading a CPU profile phase by phase. */
const windows: { name: string; startUs: number; endUs: number }[] = [];
/** After the idle reading: ends a phase of the run, recording its own RSS peak (`rss_peak_by_phase_mb`). */
const phasePeaks: Record<string, number> = {};
let endPhase: ((label: string) => void) | null = null;
/** Once the portal runs: CPU ms used so far by its process tree and by PostgreSQL's processes. */
let cpuSoFar: (() => { portal: number; postgres: Map<number, number> }) | null = null;
/** Once the emulator runs: the upstream status calls it has answered so far. */
let statusCallsSoFar: (() => Promise<number>) | null = null;

async function load(name: string, opts: Parameters<typeof autocannon>[0] & { connections: number }): Promise<Load> {
  const statusBefore = await statusCallsSoFar?.();
  const cpuBefore = cpuSoFar?.();
  // CLOCK_MONOTONIC, the clock of a V8 CPU profile's timestamps: profile-summary.ts --phase picks this window.
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const r: Result = await autocannon({ duration: SECONDS, ...opts });
  windows.push({ name: `${name} @${opts.connections}`, startUs, endUs: Number(process.hrtime.bigint() / 1000n) });
  endPhase?.(`${name} @${opts.connections}`);
  const cpuAfter = cpuSoFar?.();
  const statusAfter = await statusCallsSoFar?.();
  // A wrong answer is a broken route; a few timeouts on a saturated shared machine are reported, not fatal.
  if (r.non2xx || r.errors > r.timeouts) throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts`);
  if (r.timeouts) log(`${name}: ${r.timeouts} requests timed out (10 s)`);
  // CPU per answered request: what each path costs, apart from how the machine's two cores were shared.
  const perRequest = (ms: number) => Math.round((ms / Math.max(1, r.requests.total)) * 100) / 100;
  const out = {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    timeouts: r.timeouts,
    portalCpuMs: cpuBefore && cpuAfter ? perRequest(cpuAfter.portal - cpuBefore.portal) : 0,
    postgresCpuMs: cpuBefore && cpuAfter ? perRequest(cpuMsBetween(cpuBefore.postgres, cpuAfter.postgres)) : 0,
    statusCallsPerRequest: statusBefore !== undefined && statusAfter !== undefined ? perRequest(statusAfter - statusBefore) : 0,
  };
  log(
    `${name}: ${out.rps} req/s, p50 ${out.p50} ms, p99 ${out.p99} ms (${opts.connections} connections); CPU per request: portal ${out.portalCpuMs} ms, PostgreSQL ${out.postgresCpuMs} ms; upstream status calls per request ${out.statusCallsPerRequest}`,
  );
  return out;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]);
};

async function main() {
  buildOnce(log);
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    database: args.pglite ? "pglite" : "postgres",
    cores: os.cpus().length,
    seconds_per_load: SECONDS,
    rows: ROWS,
  };
  const emulator = await startEmulatorProcess({ durationMs: VISIBLE_DURATION_MS });
  const setFaults = async (spec: string) => {
    const res = await fetch(`${emulator.controlUrl}/faults`, { method: "PUT", headers: JSON_HEADERS, body: JSON.stringify({ spec }) });
    if (!res.ok) throw new Error(`emulator faults: ${res.status}`);
  };
  const upstreamStatusCalls = async () => ((await (await fetch(`${emulator.controlUrl}/stats`)).json()) as { calls: { status: number } }).calls.status;
  statusCallsSoFar = upstreamStatusCalls;

  const pgDb = args.pglite ? null : await createPostgresSchema(process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test");
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "kling-bench-"));
  const db: BenchDb = pgDb ? { kind: "postgres", url: pgDb.url } : { kind: "pglite", dataDir };
  const port = await freePort();
  const env = {
    ...portalEnv({ emulatorUrl: emulator.url, provider: "appypie", databaseUrl: pgDb?.url ?? "" }),
    LOG_LEVEL: "error",
    KLING_TIMEOUT_MS: "30000",
    RECONCILER_INTERVAL_MS: "2000",
    SUBMIT_CONFIRM_SECONDS: "600",
  };
  const nodeArgs = args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args["cpu-prof"])}`] : [];
  log(`starting the portal on ${args.pglite ? "embedded PGlite" : `PostgreSQL (schema ${pgDb!.schema})`}`);
  // As `npm start` runs it (the whole tree is measured); a CPU profile needs Node flags, so then node directly.
  const portal = await startWithRetry<{ pid: number; url: string; startupPeakMb?: number; stop(): Promise<unknown>; output(): string }>(() =>
    nodeArgs.length ? startPortal(env, { dataDir, port, nodeArgs }) : startWithNpm({ ...env, DATA_DIR: dataDir, DATABASE_URL: pgDb?.url ?? "" }, port),
  ).catch(async (err) => {
    await emulator.stop();
    if (pgDb) await dropPostgresSchema(pgDb).catch(() => {});
    throw err;
  });
  const rss = rssSampler(portal.pid);
  peakSoFar = () => rss.peak;
  // On PGlite the database runs inside the server: its CPU is the server's.
  cpuSoFar = () => ({ portal: treeCpuMs(portal.pid), postgres: args.pglite ? new Map() : namedCpuMs("postgres") });
  const sql = await sqlClient(db);
  const base = portal.url;
  try {
    const suffix = randomBytes(3).toString("hex");
    const submitter = await signUp(base, `bench-${suffix}@example.com`);
    const historyUser = await signUp(base, `history-${suffix}@example.com`);
    const pageUser = await signUp(base, `page-${suffix}@example.com`);
    const liveUser = await signUp(base, `live-${suffix}@example.com`);
    const key = (await (await submitter.fetch("/api/keys", { method: "POST", headers: JSON_HEADERS, body: '{"name":"bench"}' })).json()).key as string;
    await sleep(3000);
    report.rss_idle_mb = treeRssMb(portal.pid);
    log(`idle RSS (process tree): ${report.rss_idle_mb} MB`);
    // From here on: the peak of the work itself, apart from what starting left resident (a first start on
    // a fresh PGlite folder creates the database and applies every migration, a one-time high).
    const loadRss = rssSampler(portal.pid);
    endPhase = (label) => {
      // A load run twice (the bare one) keeps its highest peak.
      phasePeaks[label] = Math.max(phasePeaks[label] ?? 0, loadRss.mark());
    };

    const ids = {
      history: await userId(sql, historyUser.email),
      page: await userId(sql, pageUser.email),
      live: await userId(sql, liveUser.email),
      submitter: await userId(sql, submitter.email),
    };
    if (want("history") || want("list") || want("callback") || want("live")) {
      const started = performance.now();
      await seedHistory(sql, { rows: ROWS, historyUser: ids.history, pageUser: ids.page, liveUser: ids.live });
      report.seed_seconds = Math.round((performance.now() - started) / 100) / 10;
      log(`seeded ${ROWS} tasks in ${report.seed_seconds} s`);
      endPhase("seed");
    }

    // Upstream success → images visible through GET /api/tasks/<id>, with callbacks and with callbacks dropped.
    let statusTaskId = "";
    if (want("visible")) {
      for (const mode of ["callback", "poll"] as const) {
        await setFaults(`duration=${VISIBLE_DURATION_MS}${mode === "poll" ? "; callbacks=drop" : ""}`);
        const before = await upstreamStatusCalls();
        const times: number[] = [];
        for (let i = 0; i < VISIBLE_TASKS; i++) {
          const { id, visibleMs } = await submitAndWatch(submitter, `visible ${mode} ${i}: a harbour at night`);
          times.push(visibleMs);
          statusTaskId = id;
        }
        report[`visible_${mode}_p95_ms`] = percentile(times, 95);
        report[`visible_${mode}_ms`] = times.map(Math.round);
        if (mode === "callback") report.status_calls_per_task = Math.round((((await upstreamStatusCalls()) - before) / VISIBLE_TASKS) * 100) / 100;
        log(`visible (${mode}): p95 ${report[`visible_${mode}_p95_ms`]} ms ${JSON.stringify(report[`visible_${mode}_ms`])}`);
      }
      log(`upstream status calls per task with callbacks: ${report.status_calls_per_task}`);

      // The same count for tasks as long as real generations (tens of seconds): the polls made
      // before a task's first callback decide it there (after it, only 30 s safety-net polls).
      await setFaults(`duration=${LONG_TASK_MS}`);
      const before = await upstreamStatusCalls();
      await Promise.all(
        Array.from({ length: LONG_TASKS }, (_, i) => submitAndWatch(submitter, `long task ${i}: a glacier at noon`, { durationMs: LONG_TASK_MS, pollMs: 250 })),
      );
      report.status_calls_per_task_20s = Math.round((((await upstreamStatusCalls()) - before) / LONG_TASKS) * 100) / 100;
      log(`upstream status calls per task with callbacks, ${LONG_TASK_MS / 1000} s tasks: ${report.status_calls_per_task_20s}`);
      endPhase("visible");
    }

    // Load phases: upstream accepts at once and finishes much later, calling back never, so nothing
    // archives in the background; what a phase leaves in flight is ended before the next.
    await setFaults("duration=600000; callbacks=drop");
    const cookie = (s: Session) => ({ Cookie: s.cookie });
    // Every load phase sits between two bare runs and is quoted against their mean: the machine is
    // shared, and what others run shifts the ceiling from one minute to the next.
    const loads: Record<string, Load> = {};
    const bares: number[] = [];
    const bareBefore: Record<string, number> = {};
    let lastBare: Load = { rps: 0, p50: 0, p99: 0, total: 0, timeouts: 0, portalCpuMs: 0, postgresCpuMs: 0, statusCallsPerRequest: 0 };
    const bareRun = async () => {
      lastBare = await load("GET /api/ping", { url: `${base}/api/ping`, connections: 64 });
      bares.push(lastBare.rps);
    };
    const phase = async (name: string, run: () => Promise<Load>) => {
      await bareRun();
      bareBefore[name] = bares.length - 1;
      loads[name] = await run();
    };
    if (want("submit")) {
      const submit = {
        url: `${base}/api/tasks`,
        method: "POST",
        headers: { ...JSON_HEADERS, ...cookie(submitter) },
        body: JSON.stringify({ prompt: "bench: a lighthouse at dawn", n: 1 }),
      };
      await phase("submit", () => load("POST /api/tasks", { ...submit, connections: 64 }));
      await settleTasksOf(sql, ids.submitter);
      loads.submit16 = await load("POST /api/tasks", { ...submit, connections: 16 });
      await settleTasksOf(sql, ids.submitter);
      // The latency ceiling at the same concurrency: what the bare route's own tail is on this machine.
      loads.bare16 = await load("GET /api/ping", { url: `${base}/api/ping`, connections: 16 });
    }
    if (want("list"))
      await phase("list", () => load("GET /api/tasks?limit=24", { url: `${base}/api/tasks?limit=24`, headers: cookie(pageUser), connections: 64 }));
    if (want("status") && !statusTaskId) {
      // Without the visibility phases, any task of the key's owner will do.
      const res = await submitter.fetch("/api/tasks", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ prompt: "status target", n: 1 }) });
      statusTaskId = ((await res.json()) as { id: string }).id;
    }
    if (want("status")) {
      await phase("status", () =>
        load("POST getImageStatus", {
          url: `${base}/kling-ai-polling/v1/getImageStatus`,
          method: "POST",
          headers: { ...JSON_HEADERS, "Ocp-Apim-Subscription-Key": key },
          body: JSON.stringify({ task_id: statusTaskId }),
          connections: 64,
        }),
      );
    }
    if (want("callback")) {
      const body = {
        task_id: CALLBACK_UPSTREAM_ID,
        task_status: "processing",
        task_status_msg: "",
        task_result: { images: [] },
        created_at: Date.now() - 1000,
        updated_at: Date.now(),
      };
      await phase("callback", () =>
        load("POST upstream callback (processing)", {
          url: `${base}/api/callbacks/kling/${CALLBACK_SECRET}`,
          method: "POST",
          headers: JSON_HEADERS,
          body: JSON.stringify(body),
          connections: 64,
        }),
      );
    }
    await bareRun();
    report.bare_rps = Math.round(bares.reduce((a, b) => a + b, 0) / bares.length);
    report.bare_runs = bares;
    report.timeouts = Object.fromEntries(Object.entries(loads).map(([k, v]) => [k, v.timeouts]));
    report.load_windows_us = windows;
    report.cpu_ms_per_request = Object.fromEntries(
      Object.entries({ ...loads, bare: lastBare }).map(([k, v]) => [k, { portal: v.portalCpuMs, postgres: v.postgresCpuMs }]),
    );
    report.upstream_status_calls_per_request = Object.fromEntries(Object.entries(loads).map(([k, v]) => [k, v.statusCallsPerRequest]));
    const ratio = (name: string) => {
      const i = bareBefore[name];
      return Math.round((loads[name].rps / ((bares[i] + bares[i + 1]) / 2)) * 100) / 100;
    };
    if (loads.submit)
      Object.assign(report, {
        submit_rps: loads.submit.rps,
        submit_ratio: ratio("submit"),
        submit_p99_ms_16c: loads.submit16.p99,
        submit_p50_ms_16c: loads.submit16.p50,
        submit_rps_16c: loads.submit16.rps,
        bare_p99_ms_16c: loads.bare16.p99,
        bare_p50_ms_16c: loads.bare16.p50,
        bare_rps_16c: loads.bare16.rps,
      });
    if (loads.list) Object.assign(report, { list_rps: loads.list.rps, list_ratio: ratio("list"), list_p99_ms: loads.list.p99 });
    if (loads.status) Object.assign(report, { status_rps: loads.status.rps, status_ratio: ratio("status") });
    if (loads.callback) Object.assign(report, { callback_rps: loads.callback.rps, callback_ratio: ratio("callback") });

    if (want("history")) {
      // One at a time, as a person loads the page: the median of many loads, the two users interleaved.
      const times = { history: [] as number[], page: [] as number[] };
      for (let i = 0; i < 60; i++) {
        for (const [who, s] of [
          ["history", historyUser],
          ["page", pageUser],
        ] as const) {
          const t = performance.now();
          const res = await s.fetch("/");
          await res.text();
          if (res.status !== 200) throw new Error(`GET / for ${who}: ${res.status}`);
          if (i >= 10) times[who].push(performance.now() - t);
        }
      }
      report.history_10k_p50_ms = percentile(times.history, 50);
      report.history_page_p50_ms = percentile(times.page, 50);
      report.history_ratio = Math.round(((report.history_10k_p50_ms as number) / (report.history_page_p50_ms as number)) * 100) / 100;
      const plans = await explainHistory(sql, ids.history);
      report.history_explain = plans;
      report.history_explain_index_only = plans.every((p) => /Index (Only )?Scan/.test(p) && !/Seq Scan/.test(p));
      endPhase("history");
      log(
        `history page p50: 10k tasks ${report.history_10k_p50_ms} ms, one page ${report.history_page_p50_ms} ms (${report.history_ratio}×); index scans only: ${report.history_explain_index_only}`,
      );
    }

    if (want("live")) {
      Object.assign(report, await measureLivePage(base, liveUser.cookie, { watchSeconds: 20 }));
      log(
        `live page: ${report.live_page_streams} stream(s), ${report.live_page_polls_per_min} polls/min; callback → screen p50 ${report.live_callback_to_screen_p50_ms} ms`,
      );
    }
    if (want("live")) endPhase("live");
    // From the spawn on: a first start's creation of the embedded folder counts too.
    report.rss_peak_after_idle_mb = loadRss.peak;
    report.rss_startup_peak_mb = portal.startupPeakMb ?? null;
    report.rss_peak_mb = Math.max(rss.peak, report.rss_peak_after_idle_mb as number, (report.rss_startup_peak_mb as number | null) ?? 0);
    report.rss_peak_by_phase_mb = phasePeaks;
    loadRss.stop();
    log(
      `peak RSS (process tree): ${report.rss_peak_mb} MB; while starting ${report.rss_startup_peak_mb} MB; after the idle reading ${report.rss_peak_after_idle_mb} MB`,
    );
  } catch (err) {
    // What the server said about the failure (its errors: LOG_LEVEL is "error").
    log(`the portal's last output:\n${portal.output().slice(-4000) || "(none)"}`);
    throw err;
  } finally {
    rss.stop();
    await sql.end().catch(() => {});
    await portal.stop();
    await emulator.stop();
    if (pgDb) await dropPostgresSchema(pgDb).catch((err) => log(`could not drop ${pgDb.schema}: ${err}`));
    await rm(dataDir, { recursive: true, force: true });
  }
  const json = JSON.stringify(report, null, 2);
  if (args.out) writeFileSync(args.out, `${json}\n`);
  console.log(json);
}

/** Migrations take a server-wide advisory lock: other test runs on the same PostgreSQL can hold it past Prisma's 10 s. */
async function startWithRetry<T>(start: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= tries || !String((err as Error).message).includes("advisory lock")) throw err;
      log("migration lock busy (another run migrating); trying again");
    }
  }
}

/** Submits an n=4 task and times from the emulator's success (its submit + the task length) to the images visible in the API. */
async function submitAndWatch(s: Session, prompt: string, { durationMs = VISIBLE_DURATION_MS, pollMs = 20 } = {}): Promise<{ id: string; visibleMs: number }> {
  const sent = performance.now();
  const res = await s.fetch("/api/tasks", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ prompt, n: 4 }) });
  if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  // The upstream task cannot end before the submit was sent: this is the earliest success, so never an underestimate.
  const succeededAt = sent + durationMs;
  for (;;) {
    const t = (await (await s.fetch(`/api/tasks/${id}`)).json()) as { status: string; images: unknown[] };
    if (t.status === "succeed" && t.images.length === 4) return { id, visibleMs: performance.now() - succeededAt };
    if (t.status === "failed") throw new Error(`visible task ${id} failed`);
    if (performance.now() - sent > 120_000) throw new Error(`visible task ${id} not done after 2 minutes`);
    await sleep(pollMs);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
