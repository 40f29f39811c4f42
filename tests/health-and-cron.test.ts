import { afterEach, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { POST as cron } from "@/app/api/cron/reconcile/route";
import { resetConfig } from "@/lib/config";
import { parseFaults } from "@/lib/kling/emulator/faults";
import { createTaskSchema } from "@/lib/tasks/schema";
import { startTask } from "@/lib/tasks/start-task";
import { describeEachDb, withUnreachableDb } from "./helpers/db";
import { makeUser } from "./helpers/fixtures";
import { startLifecycle, type Lifecycle } from "./helpers/lifecycle";

const cronCall = (auth?: string) =>
  cron(new Request("http://portal/api/cron/reconcile", { method: "POST", headers: auth ? { Authorization: auth } : {} }), { params: Promise.resolve({}) });

describeEachDb("health and cron", (ctx) => {
  let life: Lifecycle | undefined;
  afterEach(async () => {
    await life?.close();
    life = undefined;
    delete process.env.CRON_SECRET;
    resetConfig();
  });

  it("reports ok with a reachable database and 503 naming the database when it is not", async () => {
    const ok = await health();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "ok", db: "ok", provider: "local" });

    await withUnreachableDb(async () => {
      const down = await health();
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: "error", db: "error: unreachable" });
    });
  });

  it("runs the reconciler over HTTP with the bearer CRON_SECRET only", async () => {
    expect((await cronCall("Bearer x".padEnd(40, "x"))).status).toBe(404); // disabled without CRON_SECRET
    process.env.CRON_SECRET = "cron-secret-0123456789";
    resetConfig();
    life = await startLifecycle({ faults: parseFaults("callbacks=drop"), durationMs: 100 });
    const user = await makeUser(ctx.db);
    const { task } = await startTask(createTaskSchema.parse({ prompt: "finished by cron" }), { userId: user.id });
    expect((await cronCall()).status).toBe(401);
    expect((await cronCall("Bearer wrong-secret-0123456789")).status).toBe(401);
    // Without callbacks, only the cron passes move the task on.
    await ctx.db.task.update({ where: { id: task.id }, data: { nextCheckAt: new Date(0) } });
    for (let i = 0; i < 30; i++) {
      const res = await cronCall("Bearer cron-secret-0123456789");
      expect(res.status).toBe(200);
      const row = await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } });
      if (row.status === "succeed") break;
      await ctx.db.task.updateMany({ where: { id: task.id }, data: { nextCheckAt: new Date(0) } });
      await new Promise((ok) => setTimeout(ok, 100));
    }
    expect((await ctx.db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("succeed");
  });
});
