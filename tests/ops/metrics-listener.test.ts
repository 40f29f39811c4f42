// The worker's own metrics port: Prometheus text with the metrics token,
// 401 without it, 404 for anything but GET /metrics.
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig, ConfigError } from "@/lib/config";
import { startMetricsListener, type MetricsListener } from "@/lib/ops/metrics-listener";
import { describeEachDb } from "../helpers/db";

const TOKEN = "worker-metrics-token-0123456789";

describeEachDb("the worker's metrics listener", () => {
  let listener: MetricsListener;
  beforeAll(async () => {
    listener = await startMetricsListener({ host: "127.0.0.1", port: 0, token: TOKEN });
  });
  afterAll(() => listener.close());

  it("answers GET /metrics with the portal's metrics only with the token", async () => {
    const ok = await fetch(`${listener.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await ok.text();
    expect(text).toContain("kling_portal_upstream_calls_total");
    expect(text).toMatch(/kling_portal_tasks\{status="queued"\} \d+/);

    expect((await fetch(`${listener.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${listener.url}/metrics`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${listener.url}/`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect((await fetch(`${listener.url}/metrics`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});

it("WORKER_METRICS_PORT needs METRICS_TOKEN", () => {
  expect(() => loadConfig({ WORKER_METRICS_PORT: "9464" })).toThrow(ConfigError);
  expect(() => loadConfig({ WORKER_METRICS_PORT: "9464" })).toThrow(/METRICS_TOKEN is required with WORKER_METRICS_PORT/);
  expect(loadConfig({ WORKER_METRICS_PORT: "9464", METRICS_TOKEN: TOKEN }).WORKER_METRICS_PORT).toBe(9464);
});
