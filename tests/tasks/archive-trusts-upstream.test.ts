// A worker that never called upstream itself (the success came by callback to
// another instance) still archives images from the configured upstream, even
// on 127.0.0.1: its image origin is trusted from configuration, not from
// whichever client happened to be created first.
import { afterAll, beforeAll, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { createEmulator, type Emulator } from "@/lib/kling/emulator/server";
import { setProvider } from "@/lib/tasks/provider";
import { reconcileOnce } from "@/lib/tasks/reconciler";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";
import { waitFor } from "../helpers/lifecycle";

const env = process.env as Record<string, string | undefined>;
let emulator: Emulator;
let url: string;

beforeAll(async () => {
  emulator = createEmulator({ durationMs: 100 });
  url = (await emulator.listen()).url;
  Object.assign(env, { KLING_PROVIDER: "appypie", APPYPIE_BASE_URL: url, APPYPIE_SUBSCRIPTION_KEY: "k" });
  resetConfig();
  setProvider(undefined); // no client created yet in this process
});
afterAll(async () => {
  for (const k of ["KLING_PROVIDER", "APPYPIE_BASE_URL", "APPYPIE_SUBSCRIPTION_KEY"]) delete env[k];
  resetConfig();
  await emulator.close();
});

describeEachDb("archiving in a process that never called upstream", (ctx) => {
  it("downloads the images from the configured upstream's own origin", async () => {
    const submitted = await fetch(`${url}/kling-ai-image/v1/getImageTask`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": "k" },
      body: JSON.stringify({ prompt: "A lighthouse at dusk", n: 1, aspect_ratio: "1:1" }),
    }).then((r) => r.json());
    const upstreamId = submitted.data.data.task_id as string;
    const body = await waitFor(async () => {
      const b = emulator.statusBody(upstreamId) as { task_status: string; task_result: { images: { index: number; url: string }[] } };
      return b.task_status === "succeed" && b;
    }, "upstream success");
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, {
      status: "processing",
      provider: "appypie",
      upstreamTaskId: upstreamId,
      upstreamSucceededAt: new Date(),
      upstreamImages: body.task_result.images as never,
    });
    await reconcileOnce();
    const done = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id }, include: { images: true } });
    expect(done.statusMsg).toBe("");
    expect(done.status).toBe("succeed");
    expect(done.images).toHaveLength(1);
  });
});
