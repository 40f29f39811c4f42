import { expect, it } from "vitest";
import { ApiError } from "@/lib/http/errors";
import { getTaskOrThrow } from "@/lib/tasks/get-task-or-throw";
import { filteredPage, listTasks, plainPage } from "@/lib/tasks/list-tasks";
import { describeEachDb } from "../helpers/db";
import { makeImageRows, makeTask, makeUser } from "../helpers/fixtures";

describeEachDb("listTasks and getTaskOrThrow", (ctx) => {
  it("pages a user's history newest first with a cursor, without skips or repeats", async () => {
    const user = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const base = Date.now();
    // Two tasks share a timestamp: the id breaks the tie.
    for (let i = 0; i < 7; i++) {
      await makeTask(ctx.db, user.id, { prompt: `task ${i}`, createdAt: new Date(base - Math.floor(i / 2) * 1000) });
    }
    await makeTask(ctx.db, other.id, { prompt: "someone else's" });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await listTasks(user.id, { limit: 3, cursor });
      seen.push(...res.tasks.map((t) => t.prompt));
      if (!res.hasMore) {
        expect(res.nextCursor).toBeNull();
        break;
      }
      cursor = res.nextCursor!;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen).not.toContain("someone else's");
    const times = (await listTasks(user.id, { limit: 100 })).tasks.map((t) => t.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("reads the unfiltered page in one SQL statement with exactly the rows and values of the query builder's page", async () => {
    const user = await makeUser(ctx.db);
    const base = Date.parse("2026-11-26T10:00:00.000Z");
    for (let i = 0; i < 6; i++) {
      // Two share each timestamp (one of them a whole second, which JSON writes without milliseconds); some have images.
      const task = await makeTask(ctx.db, user.id, {
        prompt: `page ${i} "quoted" ünïcode`,
        negativePrompt: i % 2 ? "blurry" : null,
        status: i % 3 ? "succeed" : "failed",
        finishedAt: i % 3 ? new Date(base + 5_123) : null,
        createdAt: new Date(base - Math.floor(i / 2) * 1_000 + (i > 3 ? 0 : 7)),
      });
      if (i % 3) {
        await makeImageRows(ctx.db, task.id, [1, 0], (index) => ({ width: 1024 + index, height: 576, favorite: index === 1 }));
      }
    }
    const first = await plainPage(user.id, 4, null);
    expect(first).toEqual(await filteredPage({ userId: user.id }, 4, null));
    expect(first).toHaveLength(4);
    expect(first[0]!.images.map((i) => i.index)).toEqual([0, 1]);
    const after = { createdAt: first[2]!.createdAt, id: first[2]!.id };
    const rest = await plainPage(user.id, 10, after);
    expect(rest).toEqual(await filteredPage({ userId: user.id }, 10, after));
    expect([...first.slice(0, 3), ...rest].map((t) => t.id)).toHaveLength(6);
    expect(await plainPage(user.id, 10, { createdAt: new Date(base - 60_000), id: "z" })).toEqual([]);
  });

  it("filters by status and aspect ratio and searches prompts case-insensitively", async () => {
    const user = await makeUser(ctx.db);
    await makeTask(ctx.db, user.id, { prompt: "Red Fox in snow", status: "succeed", aspectRatio: "9:16" });
    await makeTask(ctx.db, user.id, { prompt: "blue whale", status: "failed", statusMsg: "nope" });
    await makeTask(ctx.db, user.id, { prompt: "a red balloon", status: "processing" });
    expect((await listTasks(user.id, { q: "RED" })).tasks.map((t) => t.prompt).sort()).toEqual(["Red Fox in snow", "a red balloon"]);
    expect((await listTasks(user.id, { status: "failed" })).tasks.map((t) => t.prompt)).toEqual(["blue whale"]);
    expect((await listTasks(user.id, { status: "succeed", q: "whale" })).tasks).toEqual([]);
    expect((await listTasks(user.id, { aspect_ratio: "9:16" })).tasks.map((t) => t.prompt)).toEqual(["Red Fox in snow"]);
    expect((await listTasks(user.id, { aspect_ratio: "9:16", q: "balloon" })).tasks).toEqual([]);
  });

  it("rejects a forged cursor with a 400", async () => {
    const user = await makeUser(ctx.db);
    await expect(listTasks(user.id, { cursor: "not-a-cursor" })).rejects.toMatchObject({ status: 400 });
  });

  it("answers 404 for another user's task, exactly as for a missing one", async () => {
    const owner = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, owner.id);
    expect((await getTaskOrThrow({ id: task.id, userId: owner.id })).id).toBe(task.id);
    const foreign = await getTaskOrThrow({ id: task.id, userId: stranger.id }).catch((e) => e);
    const missing = await getTaskOrThrow({ id: "nope", userId: stranger.id }).catch((e) => e);
    expect(foreign).toBeInstanceOf(ApiError);
    expect(foreign.status).toBe(404);
    expect(foreign.message).toBe(missing.message);
  });

  it("never exposes internal columns in the task shape", async () => {
    const user = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, user.id, { upstreamTaskId: "secret-upstream", leaseOwner: "x" });
    const dto = await getTaskOrThrow({ id: task.id, userId: user.id });
    const json = JSON.stringify(dto);
    expect(json).not.toContain(task.callbackSecret);
    expect(json).not.toContain("secret-upstream");
    expect(Object.keys(dto).sort()).toEqual(
      [
        "aspect_ratio",
        "cost",
        "createdAt",
        "finishedAt",
        "id",
        "image",
        "image_fidelity",
        "images",
        "n",
        "negative_prompt",
        "prompt",
        "queue",
        "source",
        "status",
        "statusMsg",
        "updatedAt",
      ].sort(),
    );
  });
});
