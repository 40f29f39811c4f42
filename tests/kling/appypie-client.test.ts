import { afterEach, describe, expect, it } from "vitest";
import { createAppyPieClient } from "@/lib/kling/appypie-client";
import { KlingError } from "@/lib/kling/errors";
import { klingImageRequestSchema } from "@/lib/kling/schema";
import { startScriptedServer, type Reply } from "../helpers/http-server";

const KEY = "sub-key-SECRET-123";
const request = klingImageRequestSchema.parse({ prompt: "Sparrow bird flying", n: 2 });
const task = { task_id: "T1", task_status: "submitted", created_at: 1732788384315, updated_at: 1732788384315 };

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(reply: (n: number) => Reply, opts: { timeoutMs?: number; maxRetries?: number } = {}) {
  const server = await startScriptedServer((_r, n) => reply(n));
  close = server.close;
  const waits: number[] = [];
  const client = createAppyPieClient({
    baseUrl: server.url,
    subscriptionKey: KEY,
    timeoutMs: opts.timeoutMs ?? 2000,
    maxRetries: opts.maxRetries ?? 3,
    sleep: async (ms) => void waits.push(ms),
  });
  return { client, server, waits };
}

const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body: JSON.stringify(body), headers });

async function failure(p: Promise<unknown>): Promise<KlingError> {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(KlingError);
  return err as KlingError;
}

describe("Appy Pie client", () => {
  it("submits with the seed's headers and path and reads the data.data envelope", async () => {
    const { client, server } = await setup(() => json(200, { data: { code: 0, message: "SUCCEED", request_id: "T1", data: task } }));
    const result = await client.submit(request);
    expect(result).toMatchObject({ taskId: "T1", status: "submitted", createdAt: 1732788384315 });
    const sent = server.received[0];
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("/kling-ai-image/v1/getImageTask");
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.headers["cache-control"]).toBe("no-cache");
    expect(sent.headers["ocp-apim-subscription-key"]).toBe(KEY);
    expect(JSON.parse(sent.body)).toEqual({ prompt: "Sparrow bird flying", n: 2, image_fidelity: 0.5, aspect_ratio: "16:9" });
  });

  it("reads the task under data or at the top level too", async () => {
    const { client } = await setup((n) => (n === 1 ? json(200, { data: task }) : json(200, { ...task, task_status: "processing" })));
    expect((await client.submit(request)).taskId).toBe("T1");
    expect((await client.getStatus("T1")).status).toBe("processing");
  });

  it("polls the status route and returns images in index order", async () => {
    const { client, server } = await setup(() =>
      json(200, {
        task_id: "T1",
        task_status: "succeed",
        task_status_msg: "",
        task_result: {
          images: [
            { index: 1, url: "https://cdn.example/1.png" },
            { index: 0, url: "https://cdn.example/0.png" },
          ],
        },
        created_at: 1,
        updated_at: 2,
      }),
    );
    const result = await client.getStatus("T1");
    expect(server.received[0].url).toBe("/kling-ai-polling/v1/getImageStatus");
    expect(JSON.parse(server.received[0].body)).toEqual({ task_id: "T1" });
    expect(result.images.map((i) => i.index)).toEqual([0, 1]);
    expect(result.updatedAt).toBe(2);
  });

  it("turns the seed's not-found body into a not_found error", async () => {
    const { client } = await setup(() => json(200, { task_status: "failed", task_status_msg: "task not found" }));
    const err = await failure(client.getStatus("missing"));
    expect(err.kind).toBe("not_found");
    expect(err.retryable).toBe(false);
  });

  it.each([
    [400, "bad_request", { error: "Invalid request parameters" }],
    [401, "auth", { error: "Invalid or missing authentication" }],
    [403, "forbidden", { error: "Access denied for this operation" }],
    [404, "not_found", { error: "Endpoint not found" }],
  ] as const)("does not retry HTTP %i and reports it as %s with the upstream's message", async (status, kind, body) => {
    const { client, server } = await setup(() => json(status, body));
    const err = await failure(client.submit(request));
    expect(server.received).toHaveLength(1);
    expect(err.kind).toBe(kind);
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(status);
    expect(err.message).toContain(body.error);
    expect(err.message).not.toContain(KEY);
  });

  it("retries 429 after the Retry-After it was given, then succeeds", async () => {
    const { client, server, waits } = await setup((n) =>
      n < 3 ? json(429, { error: "Rate limit exceeded, please retry later" }, { "Retry-After": "2" }) : json(200, { data: { data: task } }),
    );
    expect((await client.submit(request)).taskId).toBe("T1");
    expect(server.received).toHaveLength(3);
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(2000);
  });

  it("retries 5xx with growing jittered backoff and gives up with a retryable server error", async () => {
    const { client, server, waits } = await setup(() => json(500, { error: "An unexpected error occurred, please try again later" }), { maxRetries: 3 });
    const err = await failure(client.getStatus("T1"));
    expect(server.received).toHaveLength(4);
    expect(err.kind).toBe("server");
    expect(err.retryable).toBe(true);
    expect(waits).toHaveLength(3);
    for (const [i, w] of waits.entries()) expect(w).toBeLessThanOrEqual(500 * 2 ** i);
  });

  it("hands a long Retry-After to the caller instead of waiting it out", async () => {
    const { client, server, waits } = await setup(() => json(429, { error: "Rate limit exceeded, please retry later" }, { "Retry-After": "120" }));
    const err = await failure(client.submit(request));
    expect(server.received).toHaveLength(1);
    expect(waits).toHaveLength(0);
    expect(err.retryAfterMs).toBe(120_000);
    expect(err.retryable).toBe(true);
  });

  it("times out a silent upstream and retries it", async () => {
    const { client, server } = await setup((n) => (n === 1 ? { delayMs: 1500, body: "{}" } : json(200, { data: { data: task } })), { timeoutMs: 300 });
    expect((await client.submit(request)).taskId).toBe("T1");
    expect(server.received).toHaveLength(2);
  });

  it("reports a timeout when every attempt is too slow", async () => {
    const { client } = await setup(() => ({ delayMs: 1000, body: "{}" }), { timeoutMs: 200, maxRetries: 1 });
    const err = await failure(client.getStatus("T1"));
    expect(err.kind).toBe("timeout");
    expect(err.message).toMatch(/did not answer in time/);
  });

  it("reports a dropped connection as a retryable network error", async () => {
    const { client, server } = await setup(() => ({ destroy: true }), { maxRetries: 2 });
    const err = await failure(client.getStatus("T1"));
    expect(server.received).toHaveLength(3);
    expect(err.kind).toBe("network");
    expect(err.retryable).toBe(true);
  });

  it("never follows a redirect (the key would go along) and says why, without retrying", async () => {
    const elsewhere = await startScriptedServer(() => json(200, { data: { code: 0, data: task } }));
    try {
      const { client, server } = await setup(() => ({ status: 302, headers: { Location: `${elsewhere.url}/steal?x=1` } }));
      const err = await failure(client.submit(request));
      expect(err.kind).toBe("invalid_response");
      expect(err.status).toBe(302);
      expect(err.message).toBe(
        `Kling answered in an unexpected format (HTTP 302): a redirect to ${elsewhere.url}, which the portal does not follow so that credentials stay with ${server.url}; check the configured base URL`,
      );
      expect(server.received).toHaveLength(1);
      expect(elsewhere.received).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("reports malformed JSON as an invalid response", async () => {
    const { client } = await setup(() => ({ status: 200, body: "<html>gateway error</html>" }));
    const err = await failure(client.submit(request));
    expect(err.kind).toBe("invalid_response");
    expect(err.message).toContain("not JSON");
  });

  it("reports a task that failed at once with its reason", async () => {
    const { client } = await setup(() => json(200, { data: { data: { ...task, task_status: "failed", task_status_msg: "prompt violates policy" } } }));
    const err = await failure(client.submit(request));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("prompt violates policy");
  });

  it("parses callbacks in the seed's status shape and rejects anything else", async () => {
    const { client } = await setup(() => json(200, {}));
    expect(client.parseCallback({ task_id: "T1", task_status: "processing", task_status_msg: "", created_at: 1, updated_at: 2 })).toMatchObject({
      taskId: "T1",
      status: "processing",
      images: [],
    });
    expect(() => client.parseCallback({ hello: "world" })).toThrow(KlingError);
    expect(() => client.parseCallback({ task_id: "T1", task_status: "exploded" })).toThrow(/unknown task status/);
  });
});
