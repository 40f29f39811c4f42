import { expect, it } from "vitest";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { gatewayRoute } from "@/lib/gateway/gateway-route";
import { statusViaGateway } from "@/lib/gateway/status-via-gateway";
import { ApiError } from "@/lib/http/errors";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";

const call = (handler: Parameters<typeof gatewayRoute>[1], key?: string) =>
  gatewayRoute(
    "status",
    handler,
  )(new Request("http://portal/kling-ai-polling/v1/getImageStatus", { method: "POST", headers: key ? { "Ocp-Apim-Subscription-Key": key } : {}, body: "{}" }));

describeEachDb("gateway route wrapper", (ctx) => {
  it("answers the seed's 500 body for an unexpected failure, with nothing internal in it", async () => {
    const user = await makeUser(ctx.db);
    const { key } = await createApiKey(user.id, "k");
    const res = await call(async () => {
      throw new Error("connection to 10.0.0.5 refused; password=hunter2");
    }, key);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('{"error":"An unexpected error occurred, please try again later"}');
  });

  it("turns input errors into the seed's 400 with a detail, and never calls the handler without a valid key", async () => {
    const user = await makeUser(ctx.db);
    const { key } = await createApiKey(user.id, "k");
    const bad = await call(async () => {
      throw new ApiError(400, "invalid_request", "n: n must be at most 9");
    }, key);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "Invalid request parameters", detail: "n: n must be at most 9" });
    const big = await call(async () => {
      throw new ApiError(413, "body_too_large", "body must be at most 14 MB");
    }, key);
    expect(big.status).toBe(400);
    let called = false;
    const none = await call(async () => {
      called = true;
      return new Response();
    });
    expect(none.status).toBe(401);
    expect(called).toBe(false);
  });

  it("getImageStatus answers for the key before the body: 401 without a valid key, then 400 naming task_id, then the seed's not-found body", async () => {
    const user = await makeUser(ctx.db);
    const { key } = await createApiKey(user.id, "k");
    const status = (body: string, k?: string) =>
      statusViaGateway(
        new Request("http://portal/kling-ai-polling/v1/getImageStatus", {
          method: "POST",
          headers: { "Content-Type": "application/json", ...(k ? { "Ocp-Apim-Subscription-Key": k } : {}) },
          body,
        }),
      );
    expect((await status("{")).status).toBe(401);
    expect((await status("{}", "kp_unknown")).status).toBe(401);
    const bad = await status("{}", key);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "Invalid request parameters", detail: expect.stringContaining("task_id") });
    const missing = await status(JSON.stringify({ task_id: "no-such-task" }), key);
    expect(missing.status).toBe(200);
    expect(await missing.json()).toEqual({ task_status: "failed", task_status_msg: "task not found" });
  });
});
