// The process's Prometheus registry and the metrics the code records as it
// works (requests, upstream calls, archive failures). One set per process on
// globalThis: the custom server and the Next.js bundle each load this file.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

const PREFIX = "kling_portal_";

function create() {
  const registry = new Registry();
  // Process memory, CPU, event-loop lag, heap: prom-client's standard set.
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];
  return {
    registry,
    httpDuration: new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: "Time to answer an HTTP request, by route pattern (never the raw path), method and status",
      labelNames: ["route", "method", "status_code"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    upstreamCalls: new Counter({
      name: `${PREFIX}upstream_calls_total`,
      help: "Calls to the Kling upstream made by this process, by operation and outcome (ok, or the error kind)",
      labelNames: ["provider", "operation", "outcome"] as const,
      registers,
    }),
    upstreamDuration: new Histogram({
      name: `${PREFIX}upstream_call_duration_seconds`,
      help: "Time of calls to the Kling upstream made by this process, by operation",
      labelNames: ["provider", "operation"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    archiveFailures: new Counter({
      name: `${PREFIX}archive_failures_total`,
      help: "Failed attempts to save a task's images in this process: retry (will try again) or final (task failed)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    // Read from the database at each scrape (lib/ops/render-metrics.ts): the same on every instance.
    tasks: new Gauge({ name: `${PREFIX}tasks`, help: "Tasks in the database by status", labelNames: ["status"] as const, registers }),
    queueDepth: new Gauge({ name: `${PREFIX}queue_depth`, help: "Tasks with work due now or a submit not yet sent", registers }),
    tasksInFlight: new Gauge({ name: `${PREFIX}tasks_in_flight_upstream`, help: "Tasks upstream is working on", registers }),
    reconcilerLag: new Gauge({
      name: `${PREFIX}reconciler_lag_seconds`,
      help: "Age of the oldest due task no worker has claimed (0 when none)",
      registers,
    }),
    callbackBacklog: new Gauge({ name: `${PREFIX}callback_backlog`, help: "Caller notifications not yet delivered", registers }),
    callbackBacklogAge: new Gauge({
      name: `${PREFIX}callback_backlog_oldest_seconds`,
      help: "Age of the oldest undelivered caller notification (0 when none)",
      registers,
    }),
  };
}

export type PortalMetrics = ReturnType<typeof create>;

const key = Symbol.for("kling-portal.metrics");
type Holder = { [key]?: PortalMetrics };

export function getMetrics(): PortalMetrics {
  return ((globalThis as Holder)[key] ??= create());
}
