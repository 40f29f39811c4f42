// The budget at the edges of the app on both databases: GET /api/usage, and a
// submit past the budget on the web (403 quota_exceeded), on re-run and on
// the gateway (the seed's 403 body), each with nothing stored and nothing sent
// upstream. The session is stubbed (getServerSession needs a Next.js request
// scope); the route handlers, database and emulator are real.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { POST as rerunRoute } from "@/app/api/tasks/[id]/rerun/route";
import { POST as submitRoute } from "@/app/api/tasks/route";
import { GET as usageRoute } from "@/app/api/usage/route";
import { POST as gatewaySubmit } from "@/app/kling-ai-image/v1/getImageTask/route";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { resetConfig } from "@/lib/config";
import { describeEachDb } from "../helpers/db";
import { makeUser } from "../helpers/fixtures";
import { claimsOf, sessionStub } from "../helpers/session-stub";
import { startLifecycle, type Lifecycle } from "../helpers/lifecycle";

vi.mock("@/lib/auth/session", async (importOriginal) => (await import("../helpers/session-stub")).stubbedSessionModule(importOriginal));

const BASE = "http://localhost:3000";
const asUser = (user: { id: string; sessionVersion: number }) => {
  sessionStub.claims = claimsOf(user);
};
const json = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  new Request(`${BASE}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const noParams = { params: Promise.resolve({}) };

describeEachDb("image budget routes", (ctx) => {
  let life: Lifecycle;
  beforeEach(async () => {
    life = await startLifecycle();
    process.env.QUOTA_IMAGES_PER_MONTH = "5";
    resetConfig();
  });
  afterEach(async () => {
    delete process.env.QUOTA_IMAGES_PER_MONTH;
    resetConfig();
    await life.close();
  });

  it("answers GET /api/usage with used, limit and the month's bounds; limit null when unlimited", async () => {
    const user = await makeUser(ctx.db);
    asUser(user);
    const res = await usageRoute(json("GET", "/api/usage"), noParams);
    expect(res.status).toBe(200);
    const now = new Date();
    expect(await res.json()).toEqual({
      used: 0,
      limit: 5,
      periodStart: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
      periodEnd: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    });
    const accepted = await submitRoute(json("POST", "/api/tasks", { prompt: "A lighthouse", n: 3 }), noParams);
    expect(accepted.status).toBe(202);
    expect((await accepted.json()).cost).toEqual({ images: 3, refunded: false });
    expect((await (await usageRoute(json("GET", "/api/usage"), noParams)).json()).used).toBe(3);
    await ctx.db.user.update({ where: { id: user.id }, data: { quotaUnlimited: true } });
    expect((await (await usageRoute(json("GET", "/api/usage"), noParams)).json()).limit).toBeNull();
  });

  it("refuses a web submit and a re-run past the budget with 403 quota_exceeded naming the images left, storing and sending nothing", async () => {
    const user = await makeUser(ctx.db);
    asUser(user);
    const first = await submitRoute(json("POST", "/api/tasks", { prompt: "A lighthouse", n: 4 }), noParams);
    expect(first.status).toBe(202);
    const { id } = await first.json();
    const submits = life.emulator.calls.submit;
    const tasks = await ctx.db.task.count();

    const refused = await submitRoute(json("POST", "/api/tasks", { prompt: "A lighthouse", n: 2 }), noParams);
    expect(refused.status).toBe(403);
    const body = await refused.json();
    expect(body.error.code).toBe("quota_exceeded");
    expect(body.error.message).toMatch(/^This needs 2 images but only 1 of your 5 images is left this month\. Your budget renews on \d{1,2} \w+\.$/);

    const rerun = await rerunRoute(json("POST", `/api/tasks/${id}/rerun`), { params: Promise.resolve({ id }) });
    expect(rerun.status).toBe(403);
    expect((await rerun.json()).error.message).toMatch(/^This needs 4 images but only 1 of your 5 images is left/);

    expect(await ctx.db.task.count()).toBe(tasks);
    expect(life.emulator.calls.submit).toBe(submits);
    expect(await ctx.db.usageEntry.count({ where: { userId: user.id } })).toBe(1);
  });

  it("answers a gateway submit past the budget with the seed's 403 body (the reason as detail), storing and sending nothing", async () => {
    const user = await makeUser(ctx.db);
    const { key } = await createApiKey(user.id, "k");
    const submit = (n: number) =>
      gatewaySubmit(
        new Request(`${BASE}/kling-ai-image/v1/getImageTask`, {
          method: "POST",
          headers: { "content-type": "application/json", "Ocp-Apim-Subscription-Key": key },
          body: JSON.stringify({ prompt: "Sparrow bird flying", n }),
        }),
      );
    expect((await submit(5)).status).toBe(200);
    const submits = life.emulator.calls.submit;
    const tasks = await ctx.db.task.count();
    const refused = await submit(1);
    expect(refused.status).toBe(403);
    const body = await refused.json();
    expect(body).toEqual({
      error: "Access denied for this operation",
      detail: expect.stringMatching(/^This needs 1 image but none of your 5 images are left this month\./),
    });
    expect(await ctx.db.task.count()).toBe(tasks);
    expect(life.emulator.calls.submit).toBe(submits);
  });
});
