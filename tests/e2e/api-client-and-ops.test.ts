// A real client of the API document and an operator of a started portal: the
// served /api/openapi.json lints clean with Redocly's recommended rules and
// yields the committed openapi-typescript types, with which an openapi-fetch
// client runs the gateway's submit-and-poll flow; that flow then shows up in
// the request log (request id, route, user, no secrets), /api/metrics and the
// health endpoints.
import { readFile } from "node:fs/promises";
import net from "node:net";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { paths } from "../generated/portal-api";
import { API_TYPES_FILE, generateApiTypes, lintOpenApi } from "../helpers/openapi-tools";
import { startPortal, type Portal } from "./helpers/portal";
import { signUp, type Session } from "./helpers/session";

const METRICS_TOKEN = "e2e-metrics-token-0123456789";
let portal: Portal;
let session: Session;

beforeAll(async () => {
  portal = await startPortal({ METRICS_TOKEN, LOG_LEVEL: "info" });
  session = await signUp(portal.url, "typed-client@example.com");
});
afterAll(() => portal?.stop());

describe("the served API document", () => {
  it("passes redocly lint (recommended rules) with no errors and no warnings", async () => {
    const doc = await (await fetch(`${portal.url}/api/openapi.json`)).json();
    const result = await lintOpenApi(doc);
    expect(result.problems).toEqual([]);
    expect({ errors: result.errors, warnings: result.warnings }).toEqual({ errors: 0, warnings: 0 });
    // The types this file's client is compiled against are exactly what the served document generates.
    expect(await generateApiTypes(doc)).toBe(await readFile(API_TYPES_FILE, "utf8"));
  });
});

describe("a typed client generated from it", () => {
  let taskId = "";
  let key = "";
  let submitRequestId: string | null = null;

  it("creates a key with the session and runs the gateway's submit-and-poll flow to downloadable images", async () => {
    const portalApi = createClient<paths>({ baseUrl: portal.url, headers: { Cookie: session.cookie } });
    const created = await portalApi.POST("/api/keys", { body: { name: "typed client" } });
    expect(created.response.status).toBe(201);
    key = created.data!.key;

    const gateway = createClient<paths>({ baseUrl: portal.url, headers: { "Ocp-Apim-Subscription-Key": key } });
    const submitted = await gateway.POST("/kling-ai-image/v1/getImageTask", {
      params: { header: { "Idempotency-Key": "typed-client-1" } },
      body: { prompt: "A paper crane on a desk", n: 2, aspect_ratio: "1:1" },
    });
    expect(submitted.error).toBeUndefined();
    expect(submitted.data!.data).toMatchObject({ code: 0, message: "SUCCEED", data: { task_status: "submitted" } });
    taskId = submitted.data!.data.data.task_id;
    submitRequestId = submitted.response.headers.get("x-request-id");
    expect(submitRequestId).toMatch(/^[0-9a-f-]{36}$/);

    let images: { index: number; url: string }[] = [];
    for (let i = 0; i < 100 && images.length === 0; i++) {
      const polled = await gateway.POST("/kling-ai-polling/v1/getImageStatus", { body: { task_id: taskId } });
      expect(polled.response.status).toBe(200);
      const body = polled.data!;
      expect(body.task_status).not.toBe("failed");
      if (body.task_status === "succeed" && "task_result" in body) images = body.task_result.images;
      else await new Promise((ok) => setTimeout(ok, 300));
    }
    expect(images.map((i) => i.index)).toEqual([0, 1]);
    for (const { url } of images) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      await res.body?.cancel();
    }

    // Errors come back typed too: an unknown key gets the seed's 401 body.
    const stranger = createClient<paths>({ baseUrl: portal.url, headers: { "Ocp-Apim-Subscription-Key": "kp_not-a-key" } });
    const refused = await stranger.POST("/kling-ai-polling/v1/getImageStatus", { body: { task_id: taskId } });
    expect(refused.response.status).toBe(401);
    expect(refused.error).toMatchObject({ error: expect.any(String) });
  });

  it("left one JSON log line per request, with the request id, route pattern, status, duration and user, and no secrets", async () => {
    const lines = portal
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const submit = lines.filter((l) => l.requestId === submitRequestId);
    expect(submit).toHaveLength(1);
    // The key's owner, as the session route that made the key named them.
    const keyCreation = lines.find((l) => l.route === "/api/keys" && l.method === "POST" && l.status === 201);
    expect(keyCreation?.userId).toEqual(expect.any(String));
    expect(submit[0]).toMatchObject({
      method: "POST",
      route: "/kling-ai-image/v1/getImageTask",
      path: "/kling-ai-image/v1/getImageTask",
      status: 200,
      apiKeyId: expect.any(String),
      userId: keyCreation!.userId,
    });
    expect(submit[0].durationMs).toEqual(expect.any(Number));
    // Upstream callbacks name the pattern, never their secret.
    const callbacks = lines.filter((l) => l.route === "/api/callbacks/kling/[secret]");
    expect(callbacks.length).toBeGreaterThan(0);
    for (const l of callbacks) expect(l.path).toBe("/api/callbacks/kling/[redacted]");
    const output = portal.output();
    expect(output).not.toContain(/session-token=([^;]+)/.exec(session.cookie)![1]);
    expect(output).not.toContain(key);
    expect(output).not.toContain("sig=");
  });

  it("counts the flow in /api/metrics, which needs the bearer METRICS_TOKEN", async () => {
    expect((await fetch(`${portal.url}/api/metrics`)).status).toBe(401);
    const res = await fetch(`${portal.url}/api/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const value = (series: string) =>
      Number(
        text
          .split("\n")
          .find((l) => l.startsWith(`${series} `))
          ?.split(" ")[1],
      );
    expect(value('kling_portal_http_request_duration_seconds_count{route="/kling-ai-image/v1/getImageTask",method="POST",status_code="200"}')).toBe(1);
    expect(
      value('kling_portal_http_request_duration_seconds_count{route="/kling-ai-polling/v1/getImageStatus",method="POST",status_code="200"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(value('kling_portal_upstream_calls_total{provider="local",operation="submit",outcome="ok"}')).toBe(1);
    expect(value('kling_portal_tasks{status="succeed"}')).toBe(1);
    expect(value("kling_portal_queue_depth")).toBe(0);
    expect(value("kling_portal_process_resident_memory_bytes")).toBeGreaterThan(0);
    // Raw paths never become labels.
    expect(text).not.toContain(taskId);
  });

  it("logs a client that closed a submit mid-body at info, as the client's doing, never as an unhandled 500", async () => {
    const { hostname, port } = new URL(portal.url);
    const before = portal.output().length;
    const socket = net.connect(Number(port), hostname);
    await new Promise<void>((ok, fail) => socket.once("connect", ok).once("error", fail));
    // Half of a declared 64-byte body, then the connection closes while the route waits for the rest.
    socket.write(
      `POST /api/tasks HTTP/1.1\r\nHost: ${hostname}:${port}\r\nCookie: ${session.cookie}\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{"prompt":"a half-sent`,
    );
    await new Promise((ok) => setTimeout(ok, 500));
    socket.destroy();
    await expect.poll(() => portal.output().slice(before), { timeout: 10_000 }).toContain("the client closed the request before its answer");
    expect(portal.output().slice(before)).not.toContain("unhandled error in route handler");
  });

  it("answers liveness and readiness, and the 431 the document promises for oversized headers", async () => {
    const live = await fetch(`${portal.url}/api/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: "ok" });
    const ready = await fetch(`${portal.url}/api/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ok", db: "ok", storage: "ok", upstream: { status: "reachable" } });
    const big = await fetch(`${portal.url}/api/health/live`, { headers: { "X-Padding": "a".repeat(20_000) } });
    expect(big.status).toBe(431);
    expect(await big.json()).toMatchObject({ error: { code: "headers_too_large" } });
  });
});
