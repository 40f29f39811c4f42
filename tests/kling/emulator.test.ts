import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAppyPieClient } from "@/lib/kling/appypie-client";
import { parseFaults } from "@/lib/kling/emulator/faults";
import { renderPreview } from "@/lib/kling/emulator/render-image";
import { createEmulator, type Emulator } from "@/lib/kling/emulator/server";
import { ASPECT_RATIOS, imageSizeFor, klingImageRequestSchema, statusResponseSchema, submitResponseSchema } from "@/lib/kling/schema";
import { makePng } from "../helpers/images";
import { startScriptedServer } from "../helpers/http-server";
import { spawnCli } from "../helpers/spawn";

const run = promisify(execFile);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe("standalone emulator (npm run emulator)", () => {
  let cli: Awaited<ReturnType<typeof spawnCli>>;
  let base: string;
  beforeAll(async () => {
    cli = await spawnCli("lib/cli/emulator.ts", ["--port", "0"], { env: { EMULATOR_DURATION_MS: "600" }, ready: /listening at (http:\S+)/ });
    base = cli.match[1];
  }, 60_000);
  afterAll(() => cli?.stop());

  it("answers GET / with a description", async () => {
    const res = await fetch(`${base}/`);
    expect(await res.text()).toMatch(/Kling text-to-image emulator[\s\S]*getImageTask[\s\S]*getImageStatus/);
  });

  it("answers the seed's curl examples, changed only in base URL and key, with the documented envelopes", async () => {
    const submit = await run("curl", [
      "-s",
      "-X",
      "POST",
      `${base}/kling-ai-image/v1/getImageTask`,
      "-H",
      "Content-Type: application/json",
      "-H",
      "Cache-Control: no-cache",
      "-H",
      "Ocp-Apim-Subscription-Key: my-key",
      "--data-raw",
      '{ "prompt": "Sparrow bird flying" }',
    ]);
    const envelope = submitResponseSchema.parse(JSON.parse(submit.stdout));
    expect(envelope.data).toMatchObject({ code: 0, message: "SUCCEED", data: { task_status: "submitted" } });
    const taskId = envelope.data.data.task_id;
    await sleep(900);
    const status = await run("curl", [
      "-s",
      "-X",
      "POST",
      `${base}/kling-ai-polling/v1/getImageStatus`,
      "-H",
      "Content-Type: application/json",
      "-H",
      "Cache-Control: no-cache",
      "-H",
      "Ocp-Apim-Subscription-Key: my-key",
      "--data-raw",
      JSON.stringify({ task_id: taskId }),
    ]);
    const body = statusResponseSchema.parse(JSON.parse(status.stdout));
    expect(body).toMatchObject({ task_id: taskId, task_status: "succeed", task_status_msg: "" });
    const image = await fetch(body.task_result.images[0].url);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(await sharp(Buffer.from(await image.arrayBuffer())).metadata()).toMatchObject({ format: "png", width: 1024, height: 576 });
  });

  it("answers the seed's curl without a key with 401", async () => {
    const { stdout } = await run("curl", [
      "-s",
      "-w",
      "\\n%{http_code}",
      "-X",
      "POST",
      `${base}/kling-ai-image/v1/getImageTask`,
      "-H",
      "Content-Type: application/json",
      "--data-raw",
      '{ "prompt": "x" }',
    ]);
    expect(stdout).toBe('{"error":"Invalid or missing authentication"}\n401');
  });
});

describe("emulator contract", () => {
  let emulator: Emulator;
  let url: string;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": "k", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    emulator = createEmulator({ durationMs: 300, keys: [] });
    url = (await emulator.listen()).url;
  });
  afterAll(() => emulator.close());

  it("rejects invalid parameters with 400, the seed's error and a field detail", async () => {
    const res = await post("/kling-ai-image/v1/getImageTask", { prompt: "p", n: 12, aspect_ratio: "5:4" });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe("Invalid request parameters");
    expect(body.detail).toContain("n must be at most 9");
    expect(body.detail).toContain("aspect_ratio must be one of");
    expect((await post("/kling-ai-image/v1/getImageTask", "{not json")).status).toBe(400);
    expect((await (await post("/kling-ai-polling/v1/getImageStatus", {})).json()).error).toBe("Invalid request parameters");
  });

  it("answers unknown task ids with the seed's not-found body and unknown routes with 404", async () => {
    expect(await (await post("/kling-ai-polling/v1/getImageStatus", { task_id: "nope" })).json()).toEqual({
      task_status: "failed",
      task_status_msg: "task not found",
    });
    const res = await post("/kling-ai-image/v2/whatever", {});
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "Endpoint not found" });
  });

  it("forces 429 and 5xx answers with Retry-After from the X-Emulator-Faults header", async () => {
    const res = await post("/kling-ai-image/v1/getImageTask", { prompt: "p" }, { "X-Emulator-Faults": "status=429; retry-after=7" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toEqual({ error: "Rate limit exceeded, please retry later" });
    const five = await post("/kling-ai-image/v1/getImageTask", { prompt: "p" }, { "X-Emulator-Faults": "status=503" });
    expect(five.status).toBe(503);
    expect((await post("/kling-ai-image/v1/getImageTask", { prompt: "p" }, { "X-Emulator-Faults": "bogus=1" })).status).toBe(400);
  });

  it("adds latency when asked", async () => {
    const started = Date.now();
    await post("/kling-ai-polling/v1/getImageStatus", { task_id: "x" }, { "X-Emulator-Faults": "latency=250" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it("ends a task failed with a reason when told to", async () => {
    const submit = await (await post("/kling-ai-image/v1/getImageTask", { prompt: "p" }, { "X-Emulator-Faults": "outcome=failed; duration=50" })).json();
    await sleep(100);
    const status = await (await post("/kling-ai-polling/v1/getImageStatus", { task_id: submit.data.data.task_id })).json();
    expect(status.task_status).toBe("failed");
    expect(status.task_status_msg).toMatch(/failed this task on purpose/);
  });

  it("accepts only the listed keys when EMULATOR_KEYS is set", async () => {
    const strict = createEmulator({ keys: ["alpha"] });
    const { url: u } = await strict.listen();
    const call = (key: string) =>
      fetch(`${u}/kling-ai-polling/v1/getImageStatus`, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": key }, body: '{"task_id":"x"}' });
    expect((await call("beta")).status).toBe(401);
    expect((await call("alpha")).status).toBe(200);
    await strict.close();
  });
});

describe("emulator callbacks", () => {
  let emulator: Emulator | undefined;
  let hooks: Awaited<ReturnType<typeof startScriptedServer>> | undefined;
  afterEach(async () => {
    await emulator?.close();
    await hooks?.close();
  });

  async function runTask(mode: string) {
    hooks = await startScriptedServer();
    emulator = createEmulator({ durationMs: 200, outbound: { allowPrivate: true } });
    const { url } = await emulator.listen();
    const res = await fetch(`${url}/kling-ai-image/v1/getImageTask`, {
      method: "POST",
      headers: { "Ocp-Apim-Subscription-Key": "k", "X-Emulator-Faults": !mode || mode.includes("=") ? mode : `callbacks=${mode}` },
      body: JSON.stringify({ prompt: "p", n: 2, callback_url: `${hooks.url}/hook` }),
    });
    const taskId = (await res.json()).data.data.task_id;
    await sleep(600);
    return {
      taskId,
      statuses: hooks.received
        .map((r) => JSON.parse(r.body))
        .map((b) => {
          expect(b.task_id).toBe(taskId);
          return b.task_status;
        }),
    };
  }

  it("POSTs the seed's status body on each change", async () => {
    const { statuses } = await runTask("");
    expect(statuses).toEqual(["processing", "succeed"]);
    const last = statusResponseSchema.parse(JSON.parse(hooks!.received[1].body));
    expect(last.task_result.images).toHaveLength(2);
  });

  it("drops, duplicates and reorders callbacks on request", async () => {
    expect((await runTask("drop")).statuses).toEqual([]);
    await emulator!.close();
    await hooks!.close();
    expect((await runTask("duplicate")).statuses).toEqual(["processing", "processing", "succeed", "succeed"]);
    await emulator!.close();
    await hooks!.close();
    expect((await runTask("reorder")).statuses).toEqual(["succeed", "processing"]);
    await emulator!.close();
    await hooks!.close();
    expect((await runTask("callback-drop-rate=1")).statuses).toEqual([]);
    await emulator!.close();
    await hooks!.close();
    expect((await runTask("callback-drop-rate=0")).statuses).toEqual(["processing", "succeed"]);
  });

  it("queues faults for the next calls from code", async () => {
    emulator = createEmulator({ durationMs: 50 });
    const { url } = await emulator.listen();
    emulator.injectFaults(parseFaults("status=500"), 2);
    const client = createAppyPieClient({ baseUrl: url, subscriptionKey: "k", timeoutMs: 2000, maxRetries: 3, sleep: async () => {} });
    const task = await client.submit(klingImageRequestSchema.parse({ prompt: "p", aspect_ratio: "1:1" }));
    expect(emulator.calls.submit).toBe(1); // the two faulted calls never reached the submit route
    await sleep(100);
    expect((await client.getStatus(task.taskId)).status).toBe("succeed");
  });
});

describe("emulator images", () => {
  it("are PNGs at the exact ratio with a long side of at least 1024 px", async () => {
    for (const ratio of ASPECT_RATIOS) {
      const meta = await sharp(await renderPreview({ prompt: "a red fox", aspectRatio: ratio, index: 0, n: 1 })).metadata();
      expect(meta.format).toBe("png");
      expect({ width: meta.width, height: meta.height }).toEqual(imageSizeFor(ratio));
    }
  });

  it("are deterministic per prompt and differ between variants and prompts", async () => {
    const input = { prompt: "a red fox in snow", aspectRatio: "1:1" as const, n: 3 };
    const a0 = sha(await renderPreview({ ...input, index: 0 }));
    expect(sha(await renderPreview({ ...input, index: 0 }))).toBe(a0);
    expect(sha(await renderPreview({ ...input, index: 1 }))).not.toBe(a0);
    expect(sha(await renderPreview({ ...input, prompt: "a blue whale", index: 0 }))).not.toBe(a0);
  });

  it("blend a reference image in by image_fidelity", async () => {
    const reference = await makePng(400, 400, "#00ff00");
    const meanGreen = async (fidelity?: number) => {
      const png = await renderPreview({ prompt: "p", aspectRatio: "1:1", index: 0, n: 1, reference: fidelity === undefined ? undefined : reference, fidelity });
      const { channels } = await sharp(png).extract({ left: 300, top: 300, width: 400, height: 300 }).stats();
      return channels[1].mean - (channels[0].mean + channels[2].mean) / 2;
    };
    const none = await meanGreen();
    const low = await meanGreen(0.2);
    const high = await meanGreen(0.9);
    expect(low).toBeGreaterThan(none);
    expect(high).toBeGreaterThan(low + 50);
  });
});
