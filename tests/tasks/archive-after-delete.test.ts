// A task deleted (alone or with its account) while its images are still being
// downloaded leaves no files behind: the deletion clears the task's folder
// before the downloads land, so the archiver clears it again.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { getBlobStore } from "@/lib/storage";
import { archiveImages } from "@/lib/tasks/archive-images";
import { deleteTask } from "@/lib/tasks/delete-task";
import { setProvider } from "@/lib/tasks/provider";
import { LeaseLostError } from "@/lib/tasks/task-lease";
import { describeEachDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";
import { makePng } from "../helpers/images";

const env = process.env as Record<string, string | undefined>;
let server: http.Server;
let base: string;
let requested: () => void = () => {};
let release: () => void = () => {};

beforeAll(async () => {
  const png = await makePng(64, 36);
  // Holds every image answer until the test releases it.
  server = http.createServer((_req, res) => {
    requested();
    new Promise<void>((ok) => {
      release = ok;
    }).then(() => res.writeHead(200, { "Content-Type": "image/png" }).end(png));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The configured upstream's origin is the one image downloads may reach on 127.0.0.1.
  Object.assign(env, { KLING_PROVIDER: "appypie", APPYPIE_BASE_URL: base, APPYPIE_SUBSCRIPTION_KEY: "k" });
  resetConfig();
  setProvider(undefined);
});
afterAll(async () => {
  for (const k of ["KLING_PROVIDER", "APPYPIE_BASE_URL", "APPYPIE_SUBSCRIPTION_KEY"]) delete env[k];
  resetConfig();
  setProvider(undefined);
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

describeEachDb("archiving a task deleted mid-download", (ctx) => {
  it("leaves no image or thumbnail in storage and reports the lease as lost", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, {
      status: "processing",
      provider: "appypie",
      upstreamTaskId: `up-${Date.now()}`,
      upstreamSucceededAt: new Date(),
      upstreamImages: [{ index: 0, url: `${base}/img/0.png` }] as never,
    });
    const downloading = new Promise<void>((ok) => {
      requested = ok;
    });
    const archiving = archiveImages(task, { prove: async () => true, now: new Date() });
    await downloading;
    await deleteTask({ id: task.id, userId: user.id });
    release();
    await expect(archiving).rejects.toBeInstanceOf(LeaseLostError);
    const store = getBlobStore();
    expect(await store.get(`tasks/${task.id}/0.png`)).toBeNull();
    expect(await store.get(`tasks/${task.id}/0.thumb.webp`)).toBeNull();
    expect(await ctx.db.taskImage.count({ where: { taskId: task.id } })).toBe(0);
  });
});
