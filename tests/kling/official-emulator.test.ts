import { SignJWT } from "jose";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "@/lib/kling/emulator/server";
import { emulatorOptionsFromConfig } from "@/lib/kling/emulator/options";
import { KlingError } from "@/lib/kling/errors";
import { createOfficialClient } from "@/lib/kling/official-client";
import { parseTask } from "@/lib/kling/parse-task";
import type { KlingProvider } from "@/lib/kling/provider";
import { klingImageRequestSchema } from "@/lib/kling/schema";
import { loadConfig } from "@/lib/config";
import { startScriptedServer } from "../helpers/http-server";

const AK = "emulator-access-key";
const SK = "emulator-secret-key-0123456789";
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const request = (extra: Record<string, unknown> = {}) => klingImageRequestSchema.parse({ prompt: "a lighthouse at dusk", aspect_ratio: "1:1", n: 2, ...extra });

async function token(opts: { iss?: string; secret?: string; expIn?: number; nbfIn?: number; alg?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: opts.alg ?? "HS256", typ: "JWT" })
    .setExpirationTime(now + (opts.expIn ?? 600))
    .setNotBefore(now + (opts.nbfIn ?? -5));
  if (opts.iss !== "") jwt.setIssuer(opts.iss ?? AK);
  return jwt.sign(new TextEncoder().encode(opts.secret ?? SK));
}

describe("official client against the emulator (KLING_PROVIDER=kling end to end)", () => {
  let emulator: Emulator;
  let url: string;
  let client: KlingProvider;
  const clientWith = (secretKey: string, accessKey = AK) =>
    createOfficialClient({ baseUrl: url, accessKey, secretKey, model: "kling-v2", timeoutMs: 3000, maxRetries: 0 });

  beforeAll(async () => {
    // CALLBACK_ALLOW_PRIVATE: its callbacks go to scripted servers on 127.0.0.1.
    const config = loadConfig({ KLING_ACCESS_KEY: AK, KLING_SECRET_KEY: SK, EMULATOR_DURATION_MS: "300", CALLBACK_ALLOW_PRIVATE: "true" });
    emulator = createEmulator(emulatorOptionsFromConfig(config));
    url = (await emulator.listen()).url;
    client = clientWith(SK);
  });
  afterAll(() => emulator.close());

  it("submits with external_task_id, polls to succeed, and the images download as PNGs", async () => {
    const submitted = await client.submit(request(), { externalTaskId: "portal-task-1" });
    expect(submitted.status).toBe("submitted");
    let task = submitted;
    for (let i = 0; i < 40 && task.status !== "succeed"; i++) {
      await sleep(50);
      task = await client.getStatus(submitted.taskId);
    }
    expect(task).toMatchObject({ taskId: submitted.taskId, status: "succeed", statusMsg: "" });
    expect(task.images.map((i) => i.index)).toEqual([0, 1]);
    for (const img of task.images) {
      const res = await fetch(img.url);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(await sharp(Buffer.from(await res.arrayBuffer())).metadata()).toMatchObject({ format: "png", width: 1024, height: 1024 });
    }
    const found = await client.lookup!("portal-task-1");
    expect(found).toMatchObject({ taskId: submitted.taskId, status: "succeed" });
    expect(found!.images).toHaveLength(2);
    expect(emulator.calls.lookup).toBeGreaterThanOrEqual(1);
  });

  it("refuses a second submit with the same external_task_id as a non-retryable duplicate", async () => {
    const first = await client.submit(request(), { externalTaskId: "portal-task-dup" });
    const err: KlingError = await client.submit(request(), { externalTaskId: "portal-task-dup" }).catch((e) => e);
    expect(err).toBeInstanceOf(KlingError);
    expect(err.kind).toBe("duplicate");
    expect(err.retryable).toBe(false);
    expect(err.code).toBe(1201);
    expect(err.message).toContain("Kling already has a task with this external id");
    // The first task is still the one found by the external id, and the drill counts show both submissions.
    expect((await client.lookup!("portal-task-dup"))?.taskId).toBe(first.taskId);
    expect(emulator.stats().refs["portal-task-dup"]).toMatchObject({ submissions: 2, taskIds: [first.taskId] });
  });

  it("answers a lookup of an unknown external id with null", async () => {
    expect(await client.lookup!("never-submitted")).toBeNull();
  });

  it("rejects a JWT signed with the wrong secret with HTTP 401, an auth error", async () => {
    const err: KlingError = await clientWith("not-the-secret-key")
      .submit(request())
      .catch((e) => e);
    expect(err).toBeInstanceOf(KlingError);
    expect(err).toMatchObject({ kind: "auth", status: 401, code: 1002, retryable: false });
    const unknownIssuer: KlingError = await clientWith(SK, "someone-else")
      .getStatus("x")
      .catch((e) => e);
    expect(unknownIssuer).toMatchObject({ kind: "auth", status: 401 });
  });

  it("delivers callbacks with the official task object at the top level, which parseTask reads", async () => {
    const hooks = await startScriptedServer();
    try {
      const task = await client.submit(request({ callback_url: `${hooks.url}/hook` }), { externalTaskId: "portal-task-cb" });
      await sleep(600);
      const bodies = hooks.received.map((r) => JSON.parse(r.body));
      expect(bodies.map((b) => b.task_status)).toEqual(["processing", "succeed"]);
      expect(bodies[1]).toMatchObject({ task_id: task.taskId, task_info: { external_task_id: "portal-task-cb" } });
      expect(Object.keys(bodies[1]).sort()).toEqual(["created_at", "task_id", "task_info", "task_result", "task_status", "task_status_msg", "updated_at"]);
      const parsed = parseTask(bodies[1]);
      expect(parsed).toMatchObject({ taskId: task.taskId, status: "succeed" });
      expect(parsed.images).toHaveLength(2);
    } finally {
      await hooks.close();
    }
  });
});

describe("emulator official routes", () => {
  let emulator: Emulator;
  let url: string;
  const call = async (method: "GET" | "POST", path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url + path, {
      method,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${await token()}`, ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, json: await res.json() };
  };

  beforeAll(async () => {
    emulator = createEmulator({ durationMs: 200 }); // no key pairs: any well-formed unexpired HS256 token with an iss
    url = (await emulator.listen()).url;
  });
  afterAll(() => emulator.close());

  it("accepts any issuer's token when no key pair is configured, and answers the official envelope", async () => {
    const res = await call(
      "POST",
      "/v1/images/generations",
      { prompt: "p", model_name: "kling-v1", external_task_id: "ext-1" },
      { Authorization: `Bearer ${await token({ iss: "anyone", secret: "anything" })}` },
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ code: 0, message: "SUCCEED", data: { task_status: "submitted", task_info: { external_task_id: "ext-1" } } });
    expect(typeof res.json.request_id).toBe("string");
    const byExternal = await call("GET", "/v1/images/generations/ext-1");
    expect(byExternal.json.data).toMatchObject({ task_id: res.json.data.task_id, task_status_msg: "", task_result: { images: [] } });
  });

  it.each([
    ["no Authorization header", undefined, 1001],
    ["a token that is not a JWT", "Bearer nonsense", 1002],
    ["a token without iss", "iss", 1002],
    ["an expired token", "expired", 1004],
    ["a token valid only in a minute", "nbf", 1002],
  ])("answers %s with HTTP 401 and code %i", async (_what, kind, code) => {
    const auth =
      kind === undefined
        ? ""
        : kind === "iss"
          ? `Bearer ${await token({ iss: "" })}`
          : kind === "expired"
            ? `Bearer ${await token({ expIn: -10 })}`
            : kind === "nbf"
              ? `Bearer ${await token({ nbfIn: 60 })}`
              : kind;
    const res = await call("POST", "/v1/images/generations", { prompt: "p" }, { Authorization: auth });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ code, message: expect.any(String), request_id: expect.any(String) });
  });

  it("names the bad field with HTTP 400 and code 1201", async () => {
    const res = await call("POST", "/v1/images/generations", { prompt: "p", n: 12 });
    expect(res).toMatchObject({ status: 400, json: { code: 1201 } });
    expect(res.json.message).toContain("n must be at most 9");
    expect((await call("POST", "/v1/images/generations", { prompt: "p", colour: "red" })).json.message).toContain('"colour"');
    expect((await call("POST", "/v1/images/generations", "{oops")).json).toMatchObject({ code: 1201, message: "body: must be a JSON object" });
  });

  it("answers an unknown task with HTTP 404 and code 1203", async () => {
    const res = await call("GET", "/v1/images/generations/nope");
    expect(res).toMatchObject({ status: 404, json: { code: 1203, message: "task not found" } });
  });

  it("answers fault statuses in the official envelope: 429 as code 1302 with Retry-After, 5xx as 5000", async () => {
    const limited = await call("POST", "/v1/images/generations", { prompt: "p" }, { "X-Emulator-Faults": "status=429; retry-after=4" });
    expect(limited).toMatchObject({ status: 429, json: { code: 1302 } });
    expect(limited.headers.get("retry-after")).toBe("4");
    expect(await call("GET", "/v1/images/generations/x", undefined, { "X-Emulator-Faults": "status=503" })).toMatchObject({
      status: 503,
      json: { code: 5000 },
    });
    expect(await call("GET", "/v1/images/generations/x", undefined, { "X-Emulator-Faults": "bogus=1" })).toMatchObject({ status: 400, json: { code: 1201 } });
  });

  it("checks credentials before reading X-Emulator-Faults, so an unauthenticated caller cannot make it sleep", async () => {
    for (const [path, headers] of [
      ["/v1/images/generations", { "Content-Type": "application/json" }],
      ["/kling-ai-image/v1/getImageTask", { "Content-Type": "application/json" }],
    ] as const) {
      const started = Date.now();
      const res = await fetch(url + path, { method: "POST", headers: { ...headers, "X-Emulator-Faults": "latency=3000" }, body: '{"prompt":"p"}' });
      expect(res.status).toBe(401);
      expect(Date.now() - started).toBeLessThan(1500);
    }
  });
});
