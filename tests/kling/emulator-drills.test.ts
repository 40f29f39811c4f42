import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppyPieClient } from "@/lib/kling/appypie-client";
import { createEmulator } from "@/lib/kling/emulator/server";
import { startControlServer } from "@/lib/kling/emulator/control";
import { createReferenceImages } from "@/lib/kling/emulator/reference-images";
import { newTask } from "@/lib/kling/emulator/task-clock";
import { klingImageRequestSchema } from "@/lib/kling/schema";
import { makePng } from "../helpers/images";
import { startScriptedServer } from "../helpers/http-server";
import { spawnCli } from "../helpers/spawn";

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
async function waitFor(probe: () => Promise<unknown>, what: string, timeoutMs: number) {
  for (const until = Date.now() + timeoutMs; !(await probe()); await sleep(50)) if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
}

describe("drill controls of the standalone emulator (--control-port)", () => {
  let cli: Awaited<ReturnType<typeof spawnCli>>;
  let api: string;
  let control: string;
  const put = (path: string, body: unknown) =>
    fetch(control + path, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const submit = (body: unknown) =>
    fetch(`${api}/kling-ai-image/v1/getImageTask`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": "k" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(3000),
    });
  const errorCode = (err: unknown) => (err as { cause?: { code?: string } }).cause?.code;

  beforeAll(async () => {
    cli = await spawnCli("lib/cli/emulator.ts", ["--port", "0", "--control-port", "0"], {
      env: { EMULATOR_DURATION_MS: "200" },
      ready: /listening at (http:\S+) \(control (http:\S+)\)/,
    });
    [, api, control] = cli.match;
  }, 60_000);
  afterAll(async () => {
    await put("/mode", { mode: "normal" }).catch(() => {});
    await cli?.stop();
  });

  it("prints the control URL on start, on 127.0.0.1", () => {
    expect(control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api).not.toBe(control);
  });

  it("counts two submissions with the same callback_url as two for one portal task", async () => {
    const hooks = await startScriptedServer();
    try {
      const callback_url = `${hooks.url}/api/callbacks/kling/secret-1`;
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) ids.push((await (await submit({ prompt: "p", callback_url })).json()).data.data.task_id);
      const stats = await (await fetch(`${control}/stats`)).json();
      expect(stats.refs[callback_url]).toMatchObject({ submissions: 2, taskIds: ids });
      expect(stats.calls).toMatchObject({ submit: expect.any(Number), status: expect.any(Number), images: expect.any(Number), lookup: 0 });
      expect(stats.calls.submit).toBeGreaterThanOrEqual(2);
      // Once the tasks' time is up (200 ms), the reference shows a success.
      await waitFor(async () => (await (await fetch(`${control}/stats`)).json()).refs[callback_url].succeeded, "a succeeded task", 5000);
    } finally {
      await hooks.close();
    }
  });

  it('replaces the runtime faults with PUT /faults, clears them with "", and rejects a bad spec', async () => {
    expect((await put("/faults", { spec: "status=503; error-rate=1" })).status).toBe(200);
    expect((await submit({ prompt: "p" })).status).toBe(503);
    expect((await submit({ prompt: "p" })).status).toBe(503);
    const bad = await put("/faults", { spec: "status=404" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain("status must be 429 or a 5xx code");
    expect((await submit({ prompt: "p" })).status).toBe(503); // a bad spec changes nothing
    expect((await put("/faults", { spec: "" })).status).toBe(200);
    expect((await submit({ prompt: "p" })).status).toBe(200);
  });

  it("refuses connections in refuse mode and serves the same tasks and images on the same port afterwards", async () => {
    const taskId = (await (await submit({ prompt: "a kite", aspect_ratio: "1:1" })).json()).data.data.task_id;
    expect((await put("/mode", { mode: "refuse" })).status).toBe(200);
    const refused = await submit({ prompt: "p" }).catch((e) => e);
    expect(errorCode(refused)).toBe("ECONNREFUSED");
    await sleep(300); // the task ends while the API is down
    expect(await (await put("/mode", { mode: "normal" })).json()).toEqual({ mode: "normal" });
    const client = createAppyPieClient({ baseUrl: api, subscriptionKey: "k", timeoutMs: 3000, maxRetries: 0 });
    const task = await client.getStatus(taskId);
    expect(task.status).toBe("succeed");
    const image = await fetch(task.images[0].url);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
  });

  it("holds requests unanswered in blackhole mode until the mode returns to normal", async () => {
    expect((await put("/mode", { mode: "blackhole" })).status).toBe(200);
    const started = Date.now();
    const held = await submit({ prompt: "p" }).catch((e) => e);
    expect((held as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    // The control listener stays up meanwhile.
    expect((await fetch(`${control}/stats`)).status).toBe(200);
    expect((await put("/mode", { mode: "normal" })).status).toBe(200);
    expect((await submit({ prompt: "p" })).status).toBe(200);
  });

  it("rejects an unknown mode with 400", async () => {
    const res = await put("/mode", { mode: "sideways" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("mode must be one of normal, refuse, blackhole");
  });
});

describe("drill counts in process", () => {
  it("keep references bounded by maxTasks and prefer external_task_id over callback_url", async () => {
    const emulator = createEmulator({ durationMs: 50, maxTasks: 3 });
    const { url } = await emulator.listen();
    const control = await startControlServer(emulator);
    try {
      const client = createAppyPieClient({ baseUrl: url, subscriptionKey: "k", timeoutMs: 3000, maxRetries: 0 });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await client.submit(klingImageRequestSchema.parse({ prompt: "p", callback_url: `http://127.0.0.1:9/cb/${i}` }))).taskId);
      const stats = await (await fetch(`${control.url}/stats`)).json();
      expect(Object.keys(stats.refs)).toEqual(["http://127.0.0.1:9/cb/2", "http://127.0.0.1:9/cb/3", "http://127.0.0.1:9/cb/4"]);
      expect(stats.refs["http://127.0.0.1:9/cb/4"]).toEqual({ submissions: 1, taskIds: [ids[4]], succeeded: false });
      expect(stats.calls.submit).toBe(5);
      // The oldest tasks are forgotten too: Kling "does not know" them any more.
      await expect(client.getStatus(ids[0])).rejects.toMatchObject({ kind: "not_found" });
      await expect(client.getStatus(ids[2])).resolves.toMatchObject({ taskId: ids[2] });
    } finally {
      await control.close();
      await emulator.close();
    }
  });
});

describe("emulator memory bounds", () => {
  it("keep reference images within a byte budget, letting the oldest go", async () => {
    const png = (await makePng(400, 400, "#00ff00")).toString("base64");
    const references = createReferenceImages({}, Buffer.from(png, "base64").length * 2);
    const tasks = [0, 1, 2].map(() =>
      newTask({ api: "seed", request: klingImageRequestSchema.parse({ prompt: "p", image: png }), durationMs: 0, outcome: "succeed", imagesBase: "http://x" }),
    );
    for (const t of tasks) {
      references.attach(t);
      await t.reference;
    }
    expect(tasks[0].reference).toBeUndefined();
    expect((await tasks[1].reference)?.length).toBeGreaterThan(0);
    expect((await tasks[2].reference)?.length).toBeGreaterThan(0);
  });
});
