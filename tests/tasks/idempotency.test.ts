// Idempotency-Key on submits, Stripe's way: the same request returns the same
// task, a different one is a 422, a key is honoured for 24 hours, and
// concurrent duplicates still make one task. Also the gateway's seed-shaped 400/422.
import { expect, it } from "vitest";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { gatewayRoute } from "@/lib/gateway/gateway-route";
import { submitViaGateway } from "@/lib/gateway/submit-via-gateway";
import { ApiError } from "@/lib/http/errors";
import { readIdempotencyKey } from "@/lib/http/idempotency-key";
import { createTask, IDEMPOTENCY_WINDOW_MS } from "@/lib/tasks/create-task";
import { createTaskSchema, type CreateTaskInput } from "@/lib/tasks/schema";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

const mismatch = { status: 422, code: "idempotency_mismatch" };
// Tasks are created from validated input, as the routes do.
const v = (input: CreateTaskInput) => createTaskSchema.parse(input);

describeEachDb("Idempotency-Key", (ctx) => {
  it("returns the task it made for the same request, defaults and field order aside", async () => {
    const user = await makeUser(ctx.db);
    const first = await createTask(v({ prompt: "once", n: 1 }), { userId: user.id, idempotencyKey: "k-1" });
    const again = await createTask(v({ n: 1, prompt: "once", aspect_ratio: "16:9" }), { userId: user.id, idempotencyKey: "k-1" });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, task: { id: first.task.id } });
    expect(first.task.requestHash).toMatch(/^[0-9a-f]{64}$/);
    // Another user's identical key is theirs alone.
    const other = await makeUser(ctx.db);
    expect((await createTask(v({ prompt: "once", n: 1 }), { userId: other.id, idempotencyKey: "k-1" })).created).toBe(true);
  });

  it("answers 422 for the same key with a different request, and writes nothing", async () => {
    const user = await makeUser(ctx.db);
    await createTask(v({ prompt: "first" }), { userId: user.id, idempotencyKey: "k-2" });
    for (const [input, opts] of [
      [{ prompt: "second" }, {}],
      [{ prompt: "first", n: 2 }, {}],
      [{ prompt: "first" }, { source: "api" as const }],
      [{ prompt: "first" }, { clientCallbackUrl: "https://example.com/hook" }],
    ] as const) {
      const err = await createTask(v(input), { userId: user.id, idempotencyKey: "k-2", ...opts }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject(mismatch);
    }
    expect(await ctx.db.task.count({ where: { userId: user.id } })).toBe(1);
  });

  it("treats a key older than 24 hours as new: a new task, the old one keeps its history but not the key", async () => {
    const user = await makeUser(ctx.db);
    const old = await createTask(v({ prompt: "yesterday" }), { userId: user.id, idempotencyKey: "k-3" });
    await ctx.db.task.update({ where: { id: old.task.id }, data: { createdAt: new Date(Date.now() - IDEMPOTENCY_WINDOW_MS - 60_000) } });
    // Even a different request is fine once the key has expired.
    const fresh = await createTask(v({ prompt: "today" }), { userId: user.id, idempotencyKey: "k-3" });
    expect(fresh.created).toBe(true);
    expect(fresh.task.id).not.toBe(old.task.id);
    expect((await ctx.db.task.findUniqueOrThrow({ where: { id: old.task.id } })).idempotencyKey).toBeNull();
    expect((await createTask(v({ prompt: "today" }), { userId: user.id, idempotencyKey: "k-3" })).task.id).toBe(fresh.task.id);
    await expect(createTask(v({ prompt: "yesterday" }), { userId: user.id, idempotencyKey: "k-3" })).rejects.toMatchObject(mismatch);
  });

  it("makes one task for concurrent duplicates, fresh or after expiry, and 422s the different ones", async () => {
    const user = await makeUser(ctx.db);
    const same = await Promise.all(Array.from({ length: 6 }, () => createTask(v({ prompt: "race" }), { userId: user.id, idempotencyKey: "k-4" })));
    expect(new Set(same.map((r) => r.task.id)).size).toBe(1);
    expect(same.filter((r) => r.created)).toHaveLength(1);
    expect(await ctx.db.task.count({ where: { userId: user.id } })).toBe(1);

    await ctx.db.task.updateMany({ where: { userId: user.id }, data: { createdAt: new Date(Date.now() - IDEMPOTENCY_WINDOW_MS - 1000) } });
    const afterExpiry = await Promise.all(Array.from({ length: 6 }, () => createTask(v({ prompt: "race again" }), { userId: user.id, idempotencyKey: "k-4" })));
    expect(new Set(afterExpiry.map((r) => r.task.id)).size).toBe(1);
    expect(afterExpiry.filter((r) => r.created)).toHaveLength(1);
    expect(await ctx.db.task.count({ where: { userId: user.id } })).toBe(2);

    const mixed = await Promise.allSettled([
      createTask(v({ prompt: "one body" }), { userId: user.id, idempotencyKey: "k-5" }),
      createTask(v({ prompt: "another body" }), { userId: user.id, idempotencyKey: "k-5" }),
    ]);
    expect(mixed.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((mixed.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject(mismatch);
    expect(await ctx.db.task.count({ where: { userId: user.id, idempotencyKey: "k-5" } })).toBe(1);
  });

  it("gateway: a key over 200 characters is the seed's 400, a mismatched replay the seed-shaped 422, neither writes a task", async () => {
    const user = await makeUser(ctx.db);
    const { key, id: keyId } = await createApiKey(user.id, "gw");
    const submit = (body: unknown, idem: string) =>
      gatewayRoute(
        "submit",
        submitViaGateway,
      )(
        new Request("http://portal/kling-ai-image/v1/getImageTask", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": key, "Idempotency-Key": idem },
          body: JSON.stringify(body),
        }),
      );
    const long = await submit({ prompt: "x" }, "k".repeat(201));
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual({ error: "Invalid request parameters", detail: "Idempotency-Key must be at most 200 characters" });
    await createTask(v({ prompt: "kept" }), { userId: user.id, source: "api", apiKeyId: keyId, idempotencyKey: "gw-1" });
    const changed = await submit({ prompt: "changed" }, "gw-1");
    expect(changed.status).toBe(422);
    expect(await changed.json()).toEqual({
      error: "Idempotency key reused with a different request",
      detail: "Idempotency-Key was already used in the last 24 hours with a different request; send a new key for a new request",
    });
    expect(await ctx.db.task.count({ where: { userId: user.id } })).toBe(1);
  });
});

it("reads Idempotency-Key trimmed, empty as none, and refuses more than 200 characters naming the header", () => {
  const req = (v?: string) => new Request("http://portal/", { headers: v === undefined ? {} : { "Idempotency-Key": v } });
  expect(readIdempotencyKey(req())).toBeNull();
  expect(readIdempotencyKey(req("   "))).toBeNull();
  expect(readIdempotencyKey(req(` ${"a".repeat(200)} `))).toBe("a".repeat(200));
  const err = (() => {
    try {
      readIdempotencyKey(req("a".repeat(201)));
    } catch (e) {
      return e;
    }
  })();
  expect(err).toMatchObject({
    status: 400,
    message: "Idempotency-Key must be at most 200 characters",
    fields: { "Idempotency-Key": "at most 200 characters" },
  });
});
