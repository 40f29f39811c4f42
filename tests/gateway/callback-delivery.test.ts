import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { rotateSigningSecret } from "@/lib/api-keys/signing-secret";
import { resetConfig } from "@/lib/config";
import { deliverDueCallbacks, MAX_DELIVERY_ATTEMPTS } from "@/lib/gateway/callbacks/deliver-callbacks";
import type { LookupFn } from "@/lib/http/safe-fetch";
import { applyStatus } from "@/lib/tasks/apply-status";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";
import { startScriptedServer } from "../helpers/http-server";

const env = process.env as Record<string, string | undefined>;
const up = (taskId: string, status: "submitted" | "processing" | "failed", statusMsg = "") => ({ taskId, status, statusMsg, images: [] });

describeEachDb("callers' callbacks", (ctx) => {
  let server: Awaited<ReturnType<typeof startScriptedServer>>;
  let failNext = 0;
  beforeAll(async () => {
    env.CALLBACK_ALLOW_PRIVATE = "true";
    resetConfig();
    server = await startScriptedServer(() => (failNext-- > 0 ? { status: 503 } : { status: 200 }));
  });
  afterAll(async () => {
    delete env.CALLBACK_ALLOW_PRIVATE;
    resetConfig();
    await server.close();
  });

  it("posts the seed's status body once per status change, in order", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { status: "queued", clientCallbackUrl: `${server.url}/hook`, source: "api" });
    const upId = `u-${task.id}`;
    await applyStatus(task.id, up(upId, "submitted"));
    await applyStatus(task.id, up(upId, "submitted")); // duplicate: no second notification
    await applyStatus(task.id, up(upId, "processing"));
    await applyStatus(task.id, up(upId, "failed", "content policy"));
    const before = server.received.length;
    // One status per task and pass: a task's notifications leave in order.
    const sent: number[] = [];
    for (let n = await deliverDueCallbacks(); n > 0; n = await deliverDueCallbacks()) sent.push(n);
    expect(sent).toEqual([1, 1, 1]);
    const bodies = server.received.slice(before).map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.task_status)).toEqual(["submitted", "processing", "failed"]);
    expect(bodies[2]).toEqual({
      task_id: task.id,
      task_status: "failed",
      task_status_msg: "content policy",
      task_result: { images: [] },
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    const rows = await ctx.db.callbackDelivery.findMany({ where: { taskId: task.id } });
    expect(rows.every((r) => r.state === "delivered" && r.attempts === 1 && r.lastStatusCode === 200)).toBe(true);
  });

  it("retries a failing endpoint with backoff and records each attempt", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { status: "queued", clientCallbackUrl: `${server.url}/flaky` });
    failNext = 2;
    await applyStatus(task.id, up(`u-${task.id}`, "submitted"));
    let now = Date.now();
    await deliverDueCallbacks({ now: new Date(now) });
    let row = await ctx.db.callbackDelivery.findFirstOrThrow({ where: { taskId: task.id } });
    expect(row).toMatchObject({ state: "pending", attempts: 1, lastStatusCode: 503, lastError: "HTTP 503" });
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(now);
    // Not due yet: nothing is sent.
    expect(await deliverDueCallbacks({ now: new Date(now) })).toBe(0);
    for (let i = 0; i < 2; i++) {
      now += 120_000;
      await deliverDueCallbacks({ now: new Date(now) });
    }
    row = await ctx.db.callbackDelivery.findFirstOrThrow({ where: { taskId: task.id } });
    expect(row).toMatchObject({ state: "delivered", attempts: 3, lastStatusCode: 200 });
  });

  it("gives up after the last attempt", async () => {
    const user = await makeUser(ctx.db);
    const dead = await startScriptedServer(() => ({ status: 500 }));
    const task = await makeTask(ctx.db, user.id, { status: "queued", clientCallbackUrl: `${dead.url}/x` });
    await applyStatus(task.id, up(`u-${task.id}`, "submitted"));
    let now = Date.now();
    for (let i = 0; i < MAX_DELIVERY_ATTEMPTS + 2; i++, now += 3_600_000) await deliverDueCallbacks({ now: new Date(now) });
    await dead.close();
    const row = await ctx.db.callbackDelivery.findFirstOrThrow({ where: { taskId: task.id } });
    expect(row).toMatchObject({ state: "failed", attempts: MAX_DELIVERY_ATTEMPTS });
    expect(dead.received).toHaveLength(MAX_DELIVERY_ATTEMPTS);
  });

  it("delivers each notification once when two delivery loops share a slow receiver", async () => {
    // The receiver takes 0.3 s per notification, so ten sent one after another
    // would far outlast a 1 s lease: only claiming what is sent at once keeps it.
    const slow = await startScriptedServer(() => ({ status: 200, delayMs: 300 }));
    try {
      const user = await makeUser(ctx.db);
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const task = await makeTask(ctx.db, user.id, { status: "queued", clientCallbackUrl: `${slow.url}/hook/${i}` });
        await applyStatus(task.id, up(`u-${task.id}`, "submitted"));
        ids.push(task.id);
      }
      const pending = () => ctx.db.callbackDelivery.count({ where: { taskId: { in: ids }, state: "pending" } });
      const loop = async (owner: string) => {
        const until = Date.now() + 20_000;
        while (Date.now() < until && (await pending()) > 0) {
          if ((await deliverDueCallbacks({ owner, concurrency: 2, leaseSeconds: 1, timeoutMs: 900 })) === 0) await new Promise((ok) => setTimeout(ok, 50));
        }
      };
      await Promise.all([loop("one"), loop("two")]);
      expect(await pending()).toBe(0);
      const paths = slow.received.map((r) => r.url).sort();
      expect(paths).toEqual(ids.map((_, i) => `/hook/${i}`).sort());
      const rows = await ctx.db.callbackDelivery.findMany({ where: { taskId: { in: ids } } });
      expect(rows.every((r) => r.state === "delivered" && r.attempts === 1)).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it("refuses loopback destinations unless the operator allows them", async () => {
    env.CALLBACK_ALLOW_PRIVATE = "false";
    resetConfig();
    try {
      const user = await makeUser(ctx.db);
      const task = await makeTask(ctx.db, user.id, { status: "queued", clientCallbackUrl: `${server.url}/private` });
      await applyStatus(task.id, up(`u-${task.id}`, "submitted"));
      const before = server.received.length;
      await deliverDueCallbacks();
      expect(server.received.length).toBe(before);
      const row = await ctx.db.callbackDelivery.findFirstOrThrow({ where: { taskId: task.id } });
      expect(row).toMatchObject({ state: "failed", lastError: "callback_url is 127.0.0.1, a loopback address: only public addresses are allowed" });

      // A name is checked on the address it resolves to when connecting.
      const named = await makeTask(ctx.db, user.id, { status: "queued", clientCallbackUrl: `http://hooks.example.test:${new URL(server.url).port}/x` });
      await applyStatus(named.id, up(`u-${named.id}`, "submitted"));
      const toLoopback = ((_h: string, o: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) =>
        o?.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4)) as unknown as LookupFn;
      await deliverDueCallbacks({ lookup: toLoopback });
      expect(server.received.length).toBe(before);
      expect(await ctx.db.callbackDelivery.findFirstOrThrow({ where: { taskId: named.id } })).toMatchObject({
        state: "failed",
        attempts: 1,
        lastError: "callback_url resolves to 127.0.0.1, a loopback address: only public addresses are allowed",
      });
    } finally {
      env.CALLBACK_ALLOW_PRIVATE = "true";
      resetConfig();
    }
  });

  it("signs every attempt by Standard Webhooks with the key's secret: one webhook-id across retries, a fresh timestamp, the current secret", async () => {
    const user = await makeUser(ctx.db);
    const key = await createApiKey(user.id, "signed");
    const task = await makeTask(ctx.db, user.id, { status: "queued", clientCallbackUrl: `${server.url}/signed`, source: "api", apiKeyId: key.id });
    failNext = 1;
    await applyStatus(task.id, up(`u-${task.id}`, "submitted"));
    const row = await ctx.db.callbackDelivery.findFirstOrThrow({ where: { taskId: task.id } });
    expect(row.apiKeyId).toBe(key.id);
    const before = server.received.length;
    let now = Date.now();
    await deliverDueCallbacks({ now: new Date(now) });
    // The first attempt failed (503); the secret is rotated before the retry, which must be signed with the new one.
    const rotated = await rotateSigningSecret(user.id, key.id);
    await new Promise((ok) => setTimeout(ok, 1100)); // a later second, so the retry's timestamp differs
    now += 120_000;
    await deliverDueCallbacks({ now: new Date(now) });
    const [first, retry] = server.received.slice(before);
    expect(retry).toBeDefined();
    const headers = (r: typeof first) => ({
      "webhook-id": String(r.headers["webhook-id"]),
      "webhook-timestamp": String(r.headers["webhook-timestamp"]),
      "webhook-signature": String(r.headers["webhook-signature"]),
    });
    expect(headers(first)["webhook-id"]).toBe(`msg_${row.id}`);
    expect(headers(retry)["webhook-id"]).toBe(`msg_${row.id}`);
    expect(Number(headers(retry)["webhook-timestamp"])).toBeGreaterThan(Number(headers(first)["webhook-timestamp"]));
    expect(Math.abs(Number(headers(retry)["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(10);
    expect(headers(first)["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(key.signingSecret).verify(first.body, headers(first))).toMatchObject({ task_id: task.id, task_status: "submitted" });
    expect(new Webhook(rotated.signingSecret).verify(retry.body, headers(retry))).toMatchObject({ task_id: task.id, task_status: "submitted" });
    expect(() => new Webhook(key.signingSecret).verify(retry.body, headers(retry))).toThrow(WebhookVerificationError);
    // A changed body fails verification.
    expect(() => new Webhook(rotated.signingSecret).verify(retry.body.replace("submitted", "succeed"), headers(retry))).toThrow(WebhookVerificationError);
  });

  it("fails the attempt, sending nothing, when the key's secret cannot be opened", async () => {
    const user = await makeUser(ctx.db);
    const key = await createApiKey(user.id, "damaged");
    await ctx.db.apiKey.update({ where: { id: key.id }, data: { signingSecret: "v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAA" } });
    const task = await makeTask(ctx.db, user.id, { status: "queued", clientCallbackUrl: `${server.url}/damaged`, source: "api", apiKeyId: key.id });
    await applyStatus(task.id, up(`u-${task.id}`, "submitted"));
    const before = server.received.length;
    await deliverDueCallbacks();
    expect(server.received.length).toBe(before);
    const row = await ctx.db.callbackDelivery.findFirstOrThrow({ where: { taskId: task.id } });
    expect(row).toMatchObject({ state: "pending", attempts: 1, lastError: "could not sign: secret does not decrypt with this AUTH_SECRET" });
    expect(row.lastError).not.toContain(key.signingSecret);
  });
});
