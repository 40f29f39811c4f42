// The portal as a Kling gateway: the seed's own curl, Python and JavaScript
// samples, changed only in base URL and key, run against a started portal.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusResponseSchema, submitResponseSchema } from "@/lib/kling/schema";
import { startScriptedServer } from "../helpers/http-server";
import { startPortal, type Portal } from "./helpers/portal";
import { signUp, type Session } from "./helpers/session";

const run = promisify(execFile);
let portal: Portal;
let alice: Session;
let bob: Session;
let aliceKey: string;
let aliceSigningSecret: string;
let bobKey: string;
let dir: string;

async function createKey(session: Session, name: string) {
  const res = await session.fetch("/api/keys", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name }) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string; prefix: string; signingSecret: string };
}

const gateway = (route: "submit" | "status", body: unknown, key?: string, extra: Record<string, string> = {}) =>
  fetch(`${portal.url}${route === "submit" ? "/kling-ai-image/v1/getImageTask" : "/kling-ai-polling/v1/getImageStatus"}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Cache-Control": "no-cache", ...(key ? { "Ocp-Apim-Subscription-Key": key } : {}), ...extra },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function pollUntilFinal(taskId: string, key: string) {
  for (let i = 0; i < 100; i++) {
    const body = await (await gateway("status", { task_id: taskId }, key)).json();
    if (body.task_status === "succeed" || body.task_status === "failed") return statusResponseSchema.parse(body);
    await new Promise((ok) => setTimeout(ok, 300));
  }
  throw new Error(`task ${taskId} did not finish`);
}

async function expectDownloadable(urls: string[]) {
  for (const url of urls) {
    expect(url.startsWith(`${portal.url}/api/files/`)).toBe(true);
    const res = await fetch(url); // no key, no session
    expect(res.status).toBe(200);
    expect((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).format).toBe("png");
  }
}

beforeAll(async () => {
  portal = await startPortal({ CALLBACK_ALLOW_PRIVATE: "true", RATE_LIMIT_SUBMIT_PER_MINUTE: "5" });
  alice = await signUp(portal.url, "alice@example.com");
  bob = await signUp(portal.url, "bob@example.com");
  ({ key: aliceKey, signingSecret: aliceSigningSecret } = await createKey(alice, "scripts"));
  bobKey = (await createKey(bob, "bob's")).key;
  dir = await mkdtemp(path.join(os.tmpdir(), "seed-samples-"));
});
afterAll(() => portal?.stop());

describe("the built-in emulator is not on the public port", () => {
  it("answers 404 for /emulator… while local-provider tasks complete (the samples below)", async () => {
    for (const [method, p] of [
      ["GET", "/emulator"],
      ["GET", "/emulator/"],
      ["POST", "/emulator/kling-ai-image/v1/getImageTask"],
      ["POST", "/emulator/kling-ai-polling/v1/getImageStatus"],
      ["GET", "/emulator/images/x/0.png"],
    ] as const) {
      const res = await fetch(`${portal.url}${p}`, {
        method,
        headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": "anything" },
        body: method === "POST" ? '{"prompt":"p","task_id":"x"}' : undefined,
      });
      expect(res.status, `${method} ${p}`).toBe(404);
      await res.body?.cancel();
    }
  });
});

describe("the seed's samples against the portal", () => {
  it("curl: submits and polls to succeed with downloadable images", async () => {
    const submit = await run("curl", [
      "-s",
      "-X",
      "POST",
      `${portal.url}/kling-ai-image/v1/getImageTask`,
      "-H",
      "Content-Type: application/json",
      "-H",
      "Cache-Control: no-cache",
      "-H",
      `Ocp-Apim-Subscription-Key: ${aliceKey}`,
      "--data-raw",
      '{ "prompt": "Sparrow bird flying" }',
    ]);
    const envelope = submitResponseSchema.parse(JSON.parse(submit.stdout));
    expect(envelope.data).toMatchObject({ code: 0, message: "SUCCEED", data: { task_status: "submitted" } });
    const taskId = envelope.data.data.task_id;
    let status = "";
    for (let i = 0; i < 100 && status !== "succeed"; i++) {
      const { stdout } = await run("curl", [
        "-s",
        "-X",
        "POST",
        `${portal.url}/kling-ai-polling/v1/getImageStatus`,
        "-H",
        "Content-Type: application/json",
        "-H",
        "Cache-Control: no-cache",
        "-H",
        `Ocp-Apim-Subscription-Key: ${aliceKey}`,
        "--data-raw",
        JSON.stringify({ task_id: taskId }),
      ]);
      const body = statusResponseSchema.parse(JSON.parse(stdout));
      status = body.task_status;
      if (status === "succeed") await expectDownloadable(body.task_result.images.map((i) => i.url));
      else await new Promise((ok) => setTimeout(ok, 300));
    }
    expect(status).toBe("succeed");
  });

  it("Python urllib: the seed's sample runs unchanged but for URL and key", async () => {
    const script = path.join(dir, "sample.py");
    await writeFile(
      script,
      `import urllib.request, json
try:
    url = "${portal.url}/kling-ai-image/v1/getImageTask"
    hdr ={
    # Request headers
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache',
    'Ocp-Apim-Subscription-Key': '${aliceKey}',
    }
    # Request body
    data = { "prompt": "Sparrow bird flying" }
    data = json.dumps(data)
    req = urllib.request.Request(url, headers=hdr, data = bytes(data.encode("utf-8")))
    req.get_method = lambda: 'POST'
    response = urllib.request.urlopen(req)
    print(response.getcode())
    print(response.read().decode("utf-8"))
except Exception as e:
    print(e)
`,
    );
    const { stdout } = await run("python3", [script]);
    const [code, body] = stdout.trim().split("\n");
    expect(code).toBe("200");
    const taskId = submitResponseSchema.parse(JSON.parse(body)).data.data.task_id;
    const final = await pollUntilFinal(taskId, aliceKey);
    expect(final.task_status).toBe("succeed");
    await expectDownloadable(final.task_result.images.map((i) => i.url));
  });

  it("JavaScript fetch: the seed's sample runs unchanged but for URL and key", async () => {
    const script = path.join(dir, "sample.mjs");
    await writeFile(
      script,
      `// Request body
const body = { "prompt": "Sparrow bird flying" };
fetch('${portal.url}/kling-ai-image/v1/getImageTask', {
  method: 'POST',
  body: JSON.stringify(body),
  // Request headers
  headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache', 'Ocp-Apim-Subscription-Key': '${aliceKey}' }
})
  .then(async (response) => { console.log(response.status); console.log(await response.text()); })
  .catch(err => console.error(err));
`,
    );
    const { stdout } = await run(process.execPath, [script]);
    const [code, body] = stdout.trim().split("\n");
    expect(code).toBe("200");
    const final = await pollUntilFinal(submitResponseSchema.parse(JSON.parse(body)).data.data.task_id, aliceKey);
    expect(final.task_status).toBe("succeed");
    expect(final.task_result.images).toHaveLength(1);
  });

  it("lists API tasks in the owner's web history, marked as API tasks, and polls web tasks too", async () => {
    const history = await (await alice.fetch("/api/tasks")).json();
    expect(history.tasks.length).toBeGreaterThanOrEqual(3);
    expect(history.tasks.every((t: { source: string }) => t.source === "api")).toBe(true);

    const web = await alice.fetch("/api/tasks", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ prompt: "From the web form", n: 2 }),
    });
    expect(web.status).toBe(202);
    const final = await pollUntilFinal((await web.json()).id, aliceKey);
    expect(final.task_result.images).toHaveLength(2);
  });

  it("posts the status body to the caller's callback_url on each change and records it", async () => {
    const hooks = await startScriptedServer();
    try {
      const res = await gateway("submit", { prompt: "Callback please", callback_url: `${hooks.url}/kling-hook` }, aliceKey);
      const taskId = (await res.json()).data.data.task_id;
      await pollUntilFinal(taskId, aliceKey);
      for (let i = 0; i < 60 && !hooks.received.some((r) => JSON.parse(r.body).task_status === "succeed"); i++) await new Promise((ok) => setTimeout(ok, 250));
      const bodies = hooks.received.map((r) => JSON.parse(r.body));
      expect(bodies.every((b) => b.task_id === taskId)).toBe(true);
      const statuses = bodies.map((b) => b.task_status);
      expect(statuses.at(-1)).toBe("succeed");
      expect(new Set(statuses).size).toBe(statuses.length); // one delivery per status
      const last = statusResponseSchema.parse(bodies.at(-1));
      await expectDownloadable(last.task_result.images.map((i) => i.url));
      expect(hooks.received[0].headers["content-type"]).toMatch(/application\/json/);
      // Each notification is signed by Standard Webhooks with the key's secret, shown once when the key was made.
      expect(aliceSigningSecret).toMatch(/^whsec_/);
      const wh = new Webhook(aliceSigningSecret);
      const ids = new Set<string>();
      for (const r of hooks.received) {
        const h = r.headers as Record<string, string>;
        expect(
          wh.verify(r.body, { "webhook-id": h["webhook-id"], "webhook-timestamp": h["webhook-timestamp"], "webhook-signature": h["webhook-signature"] }),
        ).toEqual(JSON.parse(r.body));
        ids.add(h["webhook-id"]);
      }
      expect(ids.size).toBe(hooks.received.length); // one id per notification
    } finally {
      await hooks.close();
    }
  });
});

describe("the seed's errors", () => {
  it("answers 400 with the seed's body and a detail naming the field", async () => {
    const res = await gateway("submit", { prompt: "x", n: 12 }, bobKey);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe("Invalid request parameters");
    expect(body.detail).toContain("n must be at most 9");
    expect((await gateway("submit", "{not json", bobKey)).status).toBe(400);
    expect((await gateway("status", {}, bobKey)).status).toBe(400);
  });

  it("answers the seed's 400 for an Idempotency-Key over 200 characters and a seed-shaped 422 for a key reused with a different request", async () => {
    const key = (await createKey(bob, "idempotent")).key;
    const long = await gateway("submit", { prompt: "x" }, key, { "Idempotency-Key": "k".repeat(201) });
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual({ error: "Invalid request parameters", detail: "Idempotency-Key must be at most 200 characters" });
    const first = await gateway("submit", { prompt: "same" }, key, { "Idempotency-Key": "gw-e2e" });
    expect(first.status).toBe(200);
    const replay = await gateway("submit", { prompt: "same" }, key, { "Idempotency-Key": "gw-e2e" });
    expect((await replay.json()).data.data.task_id).toBe((await first.json()).data.data.task_id);
    const changed = await gateway("submit", { prompt: "different" }, key, { "Idempotency-Key": "gw-e2e" });
    expect(changed.status).toBe(422);
    expect(await changed.json()).toEqual({
      error: "Idempotency key reused with a different request",
      detail: "Idempotency-Key was already used in the last 24 hours with a different request; send a new key for a new request",
    });
  });

  it("answers 401 without a key or with an unknown one", async () => {
    for (const key of [undefined, "kp_not-a-real-key"]) {
      const res = await gateway("submit", { prompt: "x" }, key);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "Invalid or missing authentication" });
    }
  });

  it("answers 403 for a revoked key", async () => {
    const temp = await createKey(bob, "to revoke");
    expect((await gateway("status", { task_id: "x" }, temp.key)).status).toBe(200);
    // The Origin a same-origin browser fetch sends: the cookie API refuses writes without proof (CSRF).
    expect((await bob.fetch(`/api/keys/${temp.id}`, { method: "DELETE", headers: { Origin: portal.url } })).status).toBe(204);
    const res = await gateway("status", { task_id: "x" }, temp.key);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "Access denied for this operation" });
  });

  it("answers 404 for unknown routes under the seed's prefixes", async () => {
    const res = await fetch(`${portal.url}/kling-ai-image/v1/nope`, { method: "POST", headers: { "Ocp-Apim-Subscription-Key": bobKey }, body: "{}" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "Endpoint not found" });
  });

  it("answers 429 with Retry-After once a key's submit budget is spent", async () => {
    const key = (await createKey(bob, "burst")).key;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const res = await gateway("submit", { prompt: `burst ${i}` }, key);
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        expect(await res.json()).toEqual({ error: "Rate limit exceeded, please retry later" });
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it("never lets one user's key read another user's task", async () => {
    const res = await gateway("submit", { prompt: "Alice's secret" }, aliceKey);
    expect(res.status).toBe(200); // Bob's spent budget does not touch Alice's: limits are per key
    const mine = (await res.json()).data.data.task_id;
    expect(await (await gateway("status", { task_id: mine }, bobKey)).json()).toEqual({ task_status: "failed", task_status_msg: "task not found" });
    expect((await gateway("status", { task_id: mine }, aliceKey)).status).toBe(200);
  });
});
