// GET /api/metrics (behind METRICS_TOKEN, 404 without it) carries the pipeline's
// state from the database and this process's counters; /api/health/live and
// /api/health/ready split liveness from readiness (database, storage).
import { afterEach, expect, it } from "vitest";
import { GET as live } from "@/app/api/health/live/route";
import { GET as ready } from "@/app/api/health/ready/route";
import { GET as metrics } from "@/app/api/metrics/route";
import { loadConfig, resetConfig } from "@/lib/config";
import { countUpstreamCalls } from "@/lib/kling/count-calls";
import type { KlingProvider } from "@/lib/kling/provider";
import { getUpstreamReachability, resetUpstreamReachability } from "@/lib/ops/upstream-reachability";
import { getBlobStore, setBlobStore } from "@/lib/storage";
import { archiveTask } from "@/lib/tasks/archive-task";
import { describeEachDb, withUnreachableDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";

const TOKEN = "metrics-token-0123456789";
const scrape = (auth?: string) =>
  metrics(new Request("http://portal/api/metrics", { headers: auth ? { Authorization: auth } : {} }), { params: Promise.resolve({}) });
const sample = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describeEachDb("metrics and health", (ctx) => {
  afterEach(() => {
    delete process.env.METRICS_TOKEN;
    resetConfig();
    setBlobStore(undefined);
    resetUpstreamReachability();
  });

  it("answers 404 without METRICS_TOKEN and 401 without the right bearer token", async () => {
    expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(404);
    process.env.METRICS_TOKEN = TOKEN;
    resetConfig();
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer metrics-token-9876543210")).status).toBe(401);
    // A guessable token is refused at start-up, naming the variable.
    expect(() => loadConfig({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
  });

  it("reports tasks by status, queue depth, reconciler lag, callback backlog, upstream calls, archive failures and memory", async () => {
    process.env.METRICS_TOKEN = TOKEN;
    resetConfig();
    const db = ctx.db;
    const user = await makeUser(db);
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const due = await makeTask(db, user.id, { status: "queued", nextCheckAt: minutesAgo(2) });
    await makeTask(db, user.id, { status: "processing", upstreamTaskId: "up-1", nextCheckAt: new Date(Date.now() + 60_000) });
    await makeTask(db, user.id, { status: "succeed", finishedAt: minutesAgo(1) });
    await db.callbackDelivery.create({
      data: { taskId: due.id, taskStatus: "submitted", url: "https://caller.example/hook", body: {}, createdAt: minutesAgo(3) },
    });

    // An image upstream delivered that can never be read ends the task: a final archive failure.
    const owner = "metrics-test";
    const broken = await makeTask(db, user.id, {
      status: "processing",
      upstreamSucceededAt: minutesAgo(1),
      upstreamImages: [{ index: 0, url: "ftp://images.example/0.png" }] as never,
      leaseOwner: owner,
      leaseUntil: new Date(Date.now() + 60_000),
    });
    await archiveTask(broken, { owner, now: new Date(), leaseSeconds: 60 });

    // Upstream calls counted by outcome: the KlingError kind when one fails.
    const accepted = { taskId: "up-2", status: "submitted", statusMsg: "", images: [] } as const;
    const fake: KlingProvider = {
      name: "local",
      submit: async () => ({ ...accepted, images: [] }),
      getStatus: async () => Promise.reject(Object.assign(new Error("no answer"), { kind: "timeout" })),
      parseCallback: () => ({ ...accepted, images: [] }),
    };
    const counted = countUpstreamCalls(fake);
    await counted.submit({ prompt: "x" } as never);
    await expect(counted.getStatus("up-2")).rejects.toThrow("no answer");
    expect(counted.lookup).toBeUndefined();

    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    const read = (series: Record<string, number>) => Object.fromEntries(Object.keys(series).map((s) => [s, sample(text, s)]));
    const exactly = {
      'kling_portal_tasks{status="queued"}': 1,
      'kling_portal_tasks{status="processing"}': 1,
      'kling_portal_tasks{status="succeed"}': 1,
      'kling_portal_tasks{status="failed"}': 1,
      kling_portal_queue_depth: 1,
      kling_portal_tasks_in_flight_upstream: 1,
      kling_portal_callback_backlog: 1,
    };
    expect(read(exactly)).toEqual(exactly);
    // Ages grow while the test runs; counters are process-wide and grow across suites.
    const atLeast = {
      kling_portal_reconciler_lag_seconds: 119,
      kling_portal_callback_backlog_oldest_seconds: 179,
      'kling_portal_archive_failures_total{outcome="final"}': 1,
      'kling_portal_upstream_calls_total{provider="local",operation="submit",outcome="ok"}': 1,
      'kling_portal_upstream_calls_total{provider="local",operation="status",outcome="timeout"}': 1,
      kling_portal_process_resident_memory_bytes: 1,
    };
    for (const [series, min] of Object.entries(atLeast)) expect(sample(text, series), series).toBeGreaterThanOrEqual(min);
    expect(text).toContain("# TYPE kling_portal_http_request_duration_seconds histogram");
  });

  it("is live without touching dependencies, and ready only with the database and storage working", async () => {
    const l = live();
    expect(l.status).toBe(200);
    expect(await l.json()).toMatchObject({ status: "ok" });

    const ok = await ready();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "ok", db: "ok", storage: "ok", provider: "local", upstream: { status: "unknown" } });

    const real = getBlobStore();
    setBlobStore({ ...real, put: () => Promise.reject(new Error("EROFS: read-only file system")) });
    const noStorage = await ready();
    expect(noStorage.status).toBe(503);
    expect(await noStorage.json()).toMatchObject({ status: "error", db: "ok", storage: "error: unreachable" });
    setBlobStore(undefined);

    await withUnreachableDb(async () => {
      const noDb = await ready();
      expect(noDb.status).toBe(503);
      expect(await noDb.json()).toMatchObject({ status: "error", db: "error: unreachable", storage: "ok" });
      // Liveness does not depend on the database.
      expect(live().status).toBe(200);
    });
  });
});

it("probes the upstream at most once per 30 s and reports it unreachable on a network fault", async () => {
  resetUpstreamReachability();
  const config = loadConfig({ KLING_PROVIDER: "appypie", APPYPIE_SUBSCRIPTION_KEY: "k", APPYPIE_BASE_URL: "https://gateway.example" });
  let calls = 0;
  const down = (async () => {
    calls++;
    throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
  }) as typeof fetch;
  const t0 = Date.now();
  expect(await getUpstreamReachability(config, { fetch: down, now: t0 })).toMatchObject({ status: "unreachable", detail: "ECONNREFUSED" });
  await getUpstreamReachability(config, { fetch: down, now: t0 + 29_000 });
  expect(calls).toBe(1);
  const up = (async (_url: string, init: RequestInit) => {
    calls++;
    expect(init.headers).toBeUndefined(); // no credentials on the probe
    return new Response(null, { status: 404 });
  }) as unknown as typeof fetch;
  expect(await getUpstreamReachability(config, { fetch: up, now: t0 + 31_000 })).toMatchObject({ status: "reachable" });
  expect(calls).toBe(2);
  resetUpstreamReachability();
});
