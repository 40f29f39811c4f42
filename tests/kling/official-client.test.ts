import { jwtVerify, decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { KlingError } from "@/lib/kling/errors";
import { createTokenSource } from "@/lib/kling/kling-jwt";
import { createOfficialClient, kindForBusinessCode } from "@/lib/kling/official-client";
import { klingImageRequestSchema } from "@/lib/kling/schema";
import { startScriptedServer, type Reply } from "../helpers/http-server";

const AK = "access-key-AK";
const SK = "secret-key-SK-very-secret";
const request = klingImageRequestSchema.parse({ prompt: "a lighthouse at dusk", aspect_ratio: "9:16" });
const envelope = (data: unknown, code = 0, message = "SUCCEED") => JSON.stringify({ code, message, request_id: "req-1", data });
const taskData = { task_id: "K1", task_status: "submitted", created_at: 1, updated_at: 1 };

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(reply: (n: number) => Reply, extra: { maxRetries?: number; model?: string } = {}) {
  const server = await startScriptedServer((_r, n) => reply(n));
  close = server.close;
  const waits: number[] = [];
  const client = createOfficialClient({
    baseUrl: server.url,
    accessKey: AK,
    secretKey: SK,
    model: extra.model,
    timeoutMs: 2000,
    maxRetries: extra.maxRetries ?? 2,
    sleep: async (ms) => void waits.push(ms),
  });
  return { client, server, waits };
}

describe("Kling JWT", () => {
  it("signs HS256 with iss = access key, exp = now + 1800 s and nbf = now - 5 s", async () => {
    const now = 1_800_000_000_000;
    const token = await createTokenSource({ accessKey: AK, secretKey: SK, now: () => now })();
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT" });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SK), { currentDate: new Date(now) });
    expect(payload).toEqual({ iss: AK, exp: now / 1000 + 1800, nbf: now / 1000 - 5 });
  });

  it("reuses a token until five minutes before it expires, then renews it", async () => {
    let now = 1_800_000_000_000;
    const token = createTokenSource({ accessKey: AK, secretKey: SK, now: () => now });
    const first = await token();
    now += 1400_000;
    expect(await token()).toBe(first);
    now += 200_000;
    expect(await token()).not.toBe(first);
  });
});

describe("Kling official client", () => {
  it("submits to /v1/images/generations with a bearer JWT, the model and external_task_id", async () => {
    const { client, server } = await setup(() => ({ body: envelope(taskData) }), { model: "kling-v2" });
    const task = await client.submit(request, { externalTaskId: "portal-task-1" });
    expect(task).toMatchObject({ taskId: "K1", status: "submitted" });
    const sent = server.received[0];
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("/v1/images/generations");
    const token = String(sent.headers.authorization).replace(/^Bearer /, "");
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SK));
    expect(payload.iss).toBe(AK);
    expect(JSON.parse(sent.body)).toEqual({
      model_name: "kling-v2",
      prompt: "a lighthouse at dusk",
      image_fidelity: 0.5,
      n: 1,
      aspect_ratio: "9:16",
      external_task_id: "portal-task-1",
    });
  });

  it("gets the status with GET /v1/images/generations/{task_id}", async () => {
    const { client, server } = await setup(() => ({
      body: envelope({ ...taskData, task_status: "succeed", task_result: { images: [{ index: 0, url: "https://cdn.example/k.png" }] } }),
    }));
    const task = await client.getStatus("K1");
    expect(server.received[0]).toMatchObject({ method: "GET", url: "/v1/images/generations/K1" });
    expect(task.images).toEqual([{ index: 0, url: "https://cdn.example/k.png" }]);
  });

  it("surfaces the reason of a task reported failed with HTTP 200", async () => {
    const { client } = await setup(() => ({
      body: envelope({ ...taskData, task_status: "failed", task_status_msg: "Image generation failed: risk control" }),
    }));
    const task = await client.getStatus("K1");
    expect(task).toMatchObject({ status: "failed", statusMsg: "Image generation failed: risk control" });
  });

  it("throws with the reason when a submit comes back failed with HTTP 200", async () => {
    const { client } = await setup(() => ({ body: envelope({ ...taskData, task_status: "failed", task_status_msg: "prompt contains sensitive words" }) }));
    const err = await client.submit(request).catch((e) => e);
    expect(err).toBeInstanceOf(KlingError);
    expect(err.message).toContain("prompt contains sensitive words");
  });

  it.each([
    [1000, 401, "auth", false],
    [1004, 401, "auth", false],
    [1101, 429, "quota", false],
    [1102, 429, "quota", false],
    [1103, 403, "forbidden", false],
    [1201, 400, "bad_request", false],
    [1203, 404, "not_found", false],
    [1301, 400, "policy", false],
    [1304, 403, "forbidden", false],
  ] as const)("maps business code %i (HTTP %i) to %s without retrying", async (code, status, kind, retryable) => {
    const { client, server } = await setup(() => ({ status, body: envelope(null, code, "something is wrong") }));
    const err: KlingError = await client.submit(request).catch((e) => e);
    expect(err.kind).toBe(kind);
    expect(err.retryable).toBe(retryable);
    expect(err.code).toBe(code);
    expect(err.message).toContain("something is wrong");
    expect(err.message).not.toContain(SK);
    // Even under HTTP 429, a quota code is final: retrying cannot buy credit.
    expect(server.received).toHaveLength(1);
  });

  it("retries rate-limit codes under HTTP 429 honouring Retry-After", async () => {
    const { client, server, waits } = await setup((n) =>
      n === 1 ? { status: 429, body: envelope(null, 1302, "rate limit"), headers: { "Retry-After": "3" } } : { body: envelope(taskData) },
    );
    expect((await client.submit(request)).taskId).toBe("K1");
    expect(server.received).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(3000);
  });

  it("reports server codes 5000-5002 as retryable after the retries run out", async () => {
    const { client, server } = await setup(() => ({ status: 500, body: envelope(null, 5000, "internal error") }), { maxRetries: 1 });
    const err: KlingError = await client.getStatus("K1").catch((e) => e);
    expect(server.received).toHaveLength(2);
    expect(err.kind).toBe("server");
    expect(err.retryable).toBe(true);
  });

  it("covers every documented business code range", () => {
    const expected: [number[], string][] = [
      [[1000, 1001, 1002, 1003, 1004], "auth"],
      [[1100, 1103, 1304], "forbidden"],
      [[1101, 1102], "quota"],
      [[1200, 1201, 1202], "bad_request"],
      [[1203], "not_found"],
      [[1300, 1301], "policy"],
      [[1302, 1303], "rate_limited"],
      [[5000, 5001, 5002], "server"],
    ];
    for (const [codes, kind] of expected) for (const c of codes) expect(kindForBusinessCode(c)).toBe(kind);
    expect(kindForBusinessCode(4242)).toBeUndefined();
  });
});
