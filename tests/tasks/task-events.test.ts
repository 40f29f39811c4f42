import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { stripSchemaParam } from "@/lib/db/adapter";
import { applyStatus } from "@/lib/tasks/apply-status";
import { deleteTask } from "@/lib/tasks/delete-task";
import { sendBackToQueue } from "@/lib/tasks/fair-queue";
import { stopTaskEvents, TaskEventHub, taskEvents, type TaskEvent } from "@/lib/tasks/task-events";
import { parseSince, taskEventStream } from "@/lib/tasks/task-stream";
import { describeEachDb, withUnreachableDb } from "../helpers/db";
import { makeTask, makeUser } from "../helpers/fixtures";

type SseEvent = { event: string; id?: string; data: string };

/** Reads a server-sent-events body as it arrives. */
function sseReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const events: SseEvent[] = [];
  let wake = () => {};
  const closed = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: SseEvent = { event: "message", data: "" };
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) e.event = line.slice(7);
          else if (line.startsWith("id: ")) e.id = line.slice(4);
          else if (line.startsWith("data: ")) e.data += line.slice(6);
        }
        if (e.data) events.push(e);
      }
      wake();
    }
  })();
  return {
    events,
    /** Resolves when the server ends the stream. */
    closed,
    /** Waits for an event matching pred (among all received so far). */
    async next(pred: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(pred);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event; got ${JSON.stringify(events)}`);
        await new Promise<void>((ok) => {
          wake = ok;
          setTimeout(ok, 100);
        });
      }
    },
  };
}

const isTask = (id: string, status?: string) => (e: SseEvent) =>
  e.event === "task" && JSON.parse(e.data).id === id && (!status || JSON.parse(e.data).status === status);
const processing = (taskId: string) => ({ taskId, status: "processing" as const, statusMsg: "", images: [] });

describe("the stream's since parameter", () => {
  it("is a cursor in milliseconds, absent means no catch-up, and anything else is a 400 naming it", () => {
    expect(parseSince("1764100000000")).toBe(1764100000000);
    expect(parseSince(null)).toBeNull();
    expect(parseSince("")).toBeNull();
    for (const bad of ["abc", "-1", "1e12", "12\u0000", "9".repeat(16)]) {
      expect(() => parseSince(bad)).toThrow(expect.objectContaining({ status: 400, fields: { since: expect.stringContaining("since must be") } }));
    }
  });
});

describeEachDb("live task updates", (ctx) => {
  const env = process.env as Record<string, string | undefined>;
  const before = env.DATABASE_URL;
  const streams: AbortController[] = [];
  const open = (userId: string, since: number | null) => {
    const abort = new AbortController();
    streams.push(abort);
    return sseReader(taskEventStream(userId, { since, signal: abort.signal }));
  };

  beforeAll(() => {
    // The process-wide hub listens where the app's database is.
    env.DATABASE_URL = ctx.url ?? "pglite:memory";
    resetConfig();
  });
  afterAll(async () => {
    for (const s of streams) s.abort();
    await stopTaskEvents();
    env.DATABASE_URL = before;
    resetConfig();
  });

  it("pushes a status change to its owner's open stream as the task the API shows, and to no one else", async () => {
    const owner = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, owner.id, { status: "submitted", upstreamTaskId: "up-live-1" });
    const mine = open(owner.id, null);
    const theirs = open(other.id, null);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(await applyStatus(task.id, processing("up-live-1"))).toBe("advanced");
    const event = await mine.next(isTask(task.id, "processing"));
    const dto = JSON.parse(event.data);
    expect(dto).toMatchObject({ id: task.id, status: "processing", prompt: task.prompt, images: [] });
    expect(dto).not.toHaveProperty("callbackSecret");
    expect(Number(event.id)).toBeGreaterThan(0);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(theirs.events.filter((e) => e.event === "task")).toEqual([]);
  });

  it("carries a waiting task's queue place, live and on catch-up; null for other tasks", async () => {
    env.KLING_MAX_CONCURRENCY = "1";
    resetConfig();
    try {
      const owner = await makeUser(ctx.db);
      await makeTask(ctx.db, owner.id, { status: "submitted", upstreamTaskId: "up-live-q" });
      const task = await makeTask(ctx.db, owner.id, { status: "queued", leaseOwner: "w1", leaseUntil: new Date(Date.now() + 60_000) });
      const since = Date.now();
      const stream = open(owner.id, null);
      await new Promise((ok) => setTimeout(ok, 300));
      // Kling answered 1303: the worker sends it back to wait.
      await sendBackToQueue(task.id, "w1", { attempts: 1, nextCheckAt: new Date() });
      const event = await stream.next(isTask(task.id, "waiting"));
      expect(JSON.parse(event.data).queue).toEqual({ position: 1, estimateSeconds: expect.any(Number) });
      const caughtUp = await open(owner.id, since).next(isTask(task.id, "waiting"));
      expect(JSON.parse(caughtUp.data).queue).toMatchObject({ position: 1 });
    } finally {
      delete env.KLING_MAX_CONCURRENCY;
      resetConfig();
    }
  });

  it("tells the owner's stream when a task is deleted", async () => {
    const owner = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, owner.id, { status: "failed" });
    const stream = open(owner.id, null);
    await new Promise((ok) => setTimeout(ok, 300));
    await deleteTask({ id: task.id, userId: owner.id });
    const event = await stream.next((e) => e.event === "removed");
    expect(JSON.parse(event.data)).toEqual({ id: task.id });
  });

  it("resumes from the last event's cursor: a change made while no stream was open arrives first on reconnect", async () => {
    const owner = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, owner.id, { status: "submitted", upstreamTaskId: "up-live-2" });
    const first = open(owner.id, null);
    await new Promise((ok) => setTimeout(ok, 300));
    await applyStatus(task.id, processing("up-live-2"));
    const seen = await first.next(isTask(task.id, "processing"));
    streams.at(-1)!.abort();
    // While the page is disconnected, the task finishes.
    await applyStatus(task.id, { taskId: "up-live-2", status: "failed", statusMsg: "upstream refused", images: [] });
    const again = open(owner.id, Number(seen.id));
    const caughtUp = await again.next(isTask(task.id, "failed"));
    expect(JSON.parse(caughtUp.data).statusMsg).toBe("upstream refused");
    expect(Number(caughtUp.id)).toBeGreaterThanOrEqual(Number(seen.id));
  });

  it("a page rendered before a change catches up from its render time", async () => {
    const owner = await makeUser(ctx.db);
    const task = await makeTask(ctx.db, owner.id, { status: "submitted", upstreamTaskId: "up-live-3" });
    const renderedAt = Date.now();
    await applyStatus(task.id, processing("up-live-3"));
    const stream = open(owner.id, renderedAt);
    await stream.next(isTask(task.id, "processing"));
  });

  if (ctx.kind === "postgres") {
    it("a change made by any connection reaches every instance listening on the database", async () => {
      const url = ctx.url!;
      const schema = new URL(url).searchParams.get("schema")!;
      const instances = [new TaskEventHub({ kind: "postgres", url, schema }), new TaskEventHub({ kind: "postgres", url, schema })];
      const owner = await makeUser(ctx.db);
      const task = await makeTask(ctx.db, owner.id, { status: "submitted" });
      const heard: TaskEvent[][] = [[], []];
      for (const [i, hub] of instances.entries()) hub.subscribe(owner.id, (e) => heard[i].push(e));
      await Promise.all(instances.map((hub) => hub.ready()));
      // A third party (another portal, `npm run worker`) writes with its own connection.
      const other = new pg.Client({ connectionString: stripSchemaParam(url) });
      await other.connect();
      try {
        await other.query(`UPDATE "Task" SET status = 'processing', "updatedAt" = now() WHERE id = $1`, [task.id]);
        // Lease bookkeeping is not announced.
        await other.query(`UPDATE "Task" SET "leaseUntil" = now() WHERE id = $1`, [task.id]);
      } finally {
        await other.end();
      }
      const deadline = Date.now() + 10_000;
      while (heard.some((h) => !h.length) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
      await new Promise((ok) => setTimeout(ok, 300));
      for (const h of heard) {
        expect(h).toHaveLength(1);
        expect(h[0]).toMatchObject({ type: "task", task: { id: task.id, status: "processing" } });
      }
      await Promise.all(instances.map((hub) => hub.stop()));
    });

    it("ends a stream whose catch-up after a dropped notification connection fails, so that the browser reconnects from its cursor", async () => {
      const owner = await makeUser(ctx.db);
      const stream = open(owner.id, Date.now());
      await taskEvents().ready();
      await new Promise((ok) => setTimeout(ok, 300));
      const schema = new URL(ctx.url!).searchParams.get("schema")!;
      await withUnreachableDb(async () => {
        // The process-wide hub loses its LISTEN connection: on reconnecting it tells every stream to catch up, which cannot read now.
        const admin = new pg.Client({ connectionString: stripSchemaParam(ctx.url!) });
        await admin.connect();
        try {
          await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`kling-live:${schema}`]);
        } finally {
          await admin.end();
        }
        const ended = await Promise.race([stream.closed.then(() => "ended"), new Promise((ok) => setTimeout(() => ok("still open"), 15_000))]);
        expect(ended).toBe("ended");
      });
    });

    it("after the notification connection drops, it reconnects and every stream catches up on what it missed", async () => {
      const url = ctx.url!;
      const schema = new URL(url).searchParams.get("schema")!;
      const hub = new TaskEventHub({ kind: "postgres", url, schema });
      const owner = await makeUser(ctx.db);
      const events: TaskEvent[] = [];
      hub.subscribe(owner.id, (e) => events.push(e));
      await hub.ready();
      const admin = new pg.Client({ connectionString: stripSchemaParam(url) });
      await admin.connect();
      try {
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`kling-live:${schema}`]);
      } finally {
        await admin.end();
      }
      const deadline = Date.now() + 15_000;
      while (!events.some((e) => e.type === "resync") && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
      expect(events.some((e) => e.type === "resync")).toBe(true);
      await hub.stop();
    });
  }
});
