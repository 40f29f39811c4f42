// GET /api/metrics (behind METRICS_TOKEN, 404 without it) carries the pipeline's
// state from the database and this process's counters; /api/health/live and
// /api/health/ready split liveness from readiness (database, storage).
import { PrismaPg } from "@prisma/adapter-pg";
import { afterEach, expect, it } from "vitest";
import { GET as live } from "@/app/api/health/live/route";
import { GET as ready } from "@/app/api/health/ready/route";
import { GET as metrics } from "@/app/api/metrics/route";
import { loadConfig, resetConfig } from "@/lib/config";
import { getDb, setDb } from "@/lib/db/client";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { countUpstreamCalls } from "@/lib/kling/count-calls";
import type { KlingProvider } from "@/lib/kling/provider";
import { getUpstreamReachability, resetUpstreamReachability } from "@/lib/ops/upstream-reachability";
import { getBlobStore, setBlobStore } from "@/lib/storage";
import { archiveTask } from "@/lib/tasks/archive-task";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";

const TOKEN = "metrics-token-0123456789";
const scrape = (auth?: string) =>
  metrics(new Request("http://portal/api/metrics", { headers: auth ? { Authorization: auth } : {} }), { params: Promise.resolve({}) });
const sample = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
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
    await db.callbackDelivery.create({ data: { taskId: due.id, taskStatus: "submitted", url: "https://caller.example/hook", body: {}, createdAt: minutesAgo(3) } });

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
    const fake: KlingProvider = {
      name: "local",
      submit: async () => ({ taskId: "up-2", status: "submitted", statusMsg: "", images: [] }),
      getStatus: async () => Promise.reject(Object.assign(new Error("no answer"), { kind: "timeout" })),
      parseCallback: () => ({ taskId: "up-2", status: "submitted", statusMsg: "", images: [] }),
    };
    const counted = countUpstreamCalls(fake);
    await counted.submit({ prompt: "x" } as never);
    await expect(counted.getStatus("up-2")).rejects.toThrow("no answer");
    expect(counted.lookup).toBeUndefined();

    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(sample(text, 'kling_portal_tasks{status="queued"}')).toBe(1);
    expect(sample(text, 'kling_portal_tasks{status="processing"}')).toBe(1);
    expect(sample(text, 'kling_portal_tasks{status="succeed"}')).toBe(1);
    expect(sample(text, 'kling_portal_tasks{status="failed"}')).toBe(1);
    expect(sample(text, "kling_portal_queue_depth")).toBe(1);
    expect(sample(text, "kling_portal_tasks_in_flight_upstream")).toBe(1);
    expect(sample(text, "kling_portal_reconciler_lag_seconds")).toBeGreaterThanOrEqual(119);
    expect(sample(text, "kling_portal_callback_backlog")).toBe(1);
    expect(sample(text, "kling_portal_callback_backlog_oldest_seconds")).toBeGreaterThanOrEqual(179);
    expect(sample(text, 'kling_portal_archive_failures_total{outcome="final"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kling_portal_upstream_calls_total{provider="local",operation="submit",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kling_portal_upstream_calls_total{provider="local",operation="status",outcome="timeout"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, "kling_portal_process_resident_memory_bytes")).toBeGreaterThan(0);
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

    const working = getDb();
    const broken = new PrismaClient({ adapter: new PrismaPg({ connectionString: "postgresql://nobody@127.0.0.1:1/none", connectionTimeoutMillis: 500 }) });
    setDb(broken);
    try {
      const noDb = await ready();
      expect(noDb.status).toBe(503);
      expect(await noDb.json()).toMatchObject({ status: "error", db: "error: unreachable", storage: "ok" });
      // Liveness does not depend on the database.
      expect(live().status).toBe(200);
    } finally {
      setDb(working);
      await broken.$disconnect().catch(() => {});
    }
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
