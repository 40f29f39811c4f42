// The seed knows no "waiting": a gateway task waiting in the portal's fair
// queue is reported as "submitted" by both seed routes.
import { afterAll, beforeAll, expect, it } from "vitest";
import { POST as submit } from "@/app/kling-ai-image/v1/getImageTask/route";
import { POST as status } from "@/app/kling-ai-polling/v1/getImageStatus/route";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { resetConfig } from "@/lib/config";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";

describeEachDb("gateway and the fair queue", (ctx) => {
  beforeAll(() => {
    process.env.KLING_MAX_CONCURRENCY = "1";
    resetConfig();
  });
  afterAll(() => {
    delete process.env.KLING_MAX_CONCURRENCY;
    resetConfig();
  });

  it("answers a task waiting for a slot as submitted, on submit and on status", async () => {
    const user = await makeUser(ctx.db);
    // The account's one slot is taken.
    await makeTask(ctx.db, user.id, { status: "submitted", upstreamTaskId: "busy" });
    const { key } = await createApiKey(user.id, "k");
    const headers = { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": key };
    const res = await submit(
      new Request("http://portal/kling-ai-image/v1/getImageTask", { method: "POST", headers, body: JSON.stringify({ prompt: "A heron at dawn" }) }),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.data.data.task_status).toBe("submitted");
    const taskId = body.data.data.task_id as string;
    expect((await ctx.db.task.findUniqueOrThrow({ where: { id: taskId } })).status).toBe("waiting");
    const polled = await status(
      new Request("http://portal/kling-ai-polling/v1/getImageStatus", { method: "POST", headers, body: JSON.stringify({ task_id: taskId }) }),
    );
    expect(await polled.json()).toMatchObject({ task_id: taskId, task_status: "submitted", task_status_msg: "" });
  });
});
