// npx tsx tests/bench/table.ts <run.json> [<earlier run.json>]
// The README's table from `npm run bench -- --out` files: each figure, its
// ratio to bare_rps of the same run, and (given an earlier run) that run's.
import { readFileSync } from "node:fs";

type Run = Record<string, number | string | boolean | unknown>;
const [file, earlierFile] = process.argv.slice(2);
if (!file) throw new Error("usage: table.ts <run.json> [<earlier run.json>]");
const run = JSON.parse(readFileSync(file, "utf8")) as Run;
const earlier = earlierFile ? (JSON.parse(readFileSync(earlierFile, "utf8")) as Run) : null;

const rows: [key: string, label: string, kind: "rps" | "ms" | "n" | "mb" | "phase" | "cpu" | "pg" | "polls"][] = [
  ["bare_rps", "GET /api/ping (bare, 64 connections)", "rps"],
  ["submit_rps", "POST /api/tasks, n=1 (64 connections)", "rps"],
  ["submit_p99_ms_16c", "POST /api/tasks p99 at 16 connections", "ms"],
  ["submit_p50_ms_16c", "… its p50", "ms"],
  ["bare_p99_ms_16c", "GET /api/ping p99 at 16 connections (the latency ceiling)", "ms"],
  ["bare_p50_ms_16c", "… its p50", "ms"],
  ["list_rps", "GET /api/tasks?limit=24 (24 tasks with images)", "rps"],
  ["status_rps", "POST getImageStatus (gateway)", "rps"],
  ["callback_rps", "POST upstream callback (processing)", "rps"],
  ["history_10k_p50_ms", "/ for a user with 10,000 of 1,000,000 tasks, p50", "ms"],
  ["history_page_p50_ms", "/ for a user with one page (24 tasks), p50", "ms"],
  ["visible_callback_p95_ms", "upstream success → images in GET /api/tasks/<id>, callbacks, p95 (n=4 images)", "ms"],
  ["visible_poll_p95_ms", "the same with callbacks dropped, p95", "ms"],
  ["status_calls_per_task", "upstream status calls per task when callbacks arrive", "n"],
  ["status_calls_per_task_20s", "the same for 20 s tasks", "n"],
  ["live_page_streams", "history page with 9 cards in progress: streams opened", "n"],
  ["live_page_polls_per_min", "the same page: polls per minute", "n"],
  ["live_callback_to_screen_p50_ms", "callback → card changed in the browser, p50", "ms"],
  ["rss_idle_mb", "RSS of the npm start process tree, idle (MB)", "mb"],
  ["rss_peak_mb", "RSS of the npm start process tree, peak (MB)", "mb"],
  ["rss_peak_after_idle_mb", "the same, peak after the idle reading (MB)", "mb"],
  ["rss_startup_peak_mb", "… peak while starting (a first start creates the embedded database) (MB)", "mb"],
  // rss_peak_by_phase_mb: what raised the peak; "loads" is the highest of the autocannon loads.
  ["seed", "… peak while seeding the 1,000,000 tasks (MB)", "phase"],
  ["visible", "… peak in the visibility phases (MB)", "phase"],
  ["loads", "… peak in the loads (MB)", "phase"],
  // cpu_ms_per_request: the last load of each kind; bare is the last /api/ping run.
  ["bare", "server CPU per request (ms): GET /api/ping", "cpu"],
  ["submit16", "… POST /api/tasks (16 connections)", "cpu"],
  ["list", "… GET /api/tasks?limit=24", "cpu"],
  ["status", "… POST getImageStatus", "cpu"],
  ["callback", "… POST upstream callback", "cpu"],
  ["submit16", "PostgreSQL CPU per request (ms): POST /api/tasks (16 connections)", "pg"],
  ["list", "… GET /api/tasks?limit=24", "pg"],
  ["status", "… POST getImageStatus", "pg"],
  ["callback", "… POST upstream callback", "pg"],
  // upstream_status_calls_per_request: the reconciler's polls during a load, part of its CPU figure.
  ["submit16", "upstream status calls per request during the load: POST /api/tasks (16 connections)", "polls"],
];

const cell = (r: Run, key: string, kind: string) => {
  if (kind === "polls") {
    const v = (r.upstream_status_calls_per_request as Record<string, number> | undefined)?.[key];
    return typeof v === "number" ? v.toFixed(2) : "—";
  }
  if (kind === "phase") {
    const phases = (r.rss_peak_by_phase_mb ?? {}) as Record<string, number>;
    const v =
      key === "loads"
        ? Math.max(
            0,
            ...Object.entries(phases)
              .filter(([k]) => k.includes(" @"))
              .map(([, mb]) => mb),
          )
        : phases[key];
    return v ? String(v) : "—";
  }
  if (kind === "cpu" || kind === "pg") {
    const cpu = (r.cpu_ms_per_request as Record<string, { portal: number; postgres: number }> | undefined)?.[key];
    const v = cpu?.[kind === "cpu" ? "portal" : "postgres"];
    return typeof v === "number" && !(kind === "pg" && r.database !== "postgres") ? v.toFixed(2) : "—";
  }
  const v = r[key];
  if (typeof v !== "number") return "—";
  // A phase's own ratio (against the bare runs around it) when the run has one.
  const own = r[key.replace(/_rps$/, "_ratio")];
  if (kind === "rps") return `${v} (${key === "bare_rps" ? "1.00" : (typeof own === "number" ? own : v / (r.bare_rps as number)).toFixed(2)}×)`;
  return String(v);
};
const ratioNote = (r: Run) =>
  typeof r.history_10k_p50_ms === "number" ? ` (${((r.history_10k_p50_ms as number) / (r.history_page_p50_ms as number)).toFixed(2)}×)` : "";

console.log(`| Figure | ${earlier ? "Before | " : ""}Now |`);
console.log(`|---|${earlier ? "---:|" : ""}---:|`);
for (const [key, label, kind] of rows) {
  let now = cell(run, key, kind);
  let before = earlier ? cell(earlier, key, kind) : "";
  if (key === "history_10k_p50_ms") {
    now += ratioNote(run);
    if (earlier) before += ratioNote(earlier);
  }
  console.log(`| ${label} | ${earlier ? `${before} | ` : ""}${now} |`);
}
