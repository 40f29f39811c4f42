// Task changes pushed to open pages. One source per process: with PostgreSQL a
// dedicated connection LISTENs to the channel the "Task" triggers announce on
// (migration task_change_events), so a change made by any instance or worker
// reaches every instance's pages; with embedded PGlite (one process) the
// changes are announced in-process. Each change is loaded once and handed to
// the streams of the task's owner only.
import { EventEmitter } from "node:events";
import pg from "pg";
import { getConfig } from "../config";
import { databaseTarget, stripSchemaParam, type DatabaseTarget } from "../db/adapter";
import { getDb } from "../db/client";
import { logger } from "../log";
import type { TaskDto } from "./schema";
import { withQueue } from "./queue-position";
import { taskDtoSelect, toTaskDto } from "./to-dto";

export type TaskChange = { taskId: string; userId?: string; op: "insert" | "update" | "delete" };
/** What a stream receives: the task as the API shows it, a removal, or "resync" after the source missed changes. */
export type TaskEvent = { type: "task"; task: TaskDto; cursor: number } | { type: "removed"; id: string } | { type: "resync" };
type Listener = (event: TaskEvent) => void;

export const TASK_CHANGES_CHANNEL = "kling_task_changes";
const RECONNECT_MAX_MS = 30_000;

export class TaskEventHub {
  private readonly users = new Map<string, Set<Listener>>();
  private readonly local = new EventEmitter();
  private pgSource: PgSource | null = null;
  private started = false;
  private resolvedTarget: DatabaseTarget | undefined;

  /** The target is read from configuration unless given (tests run several hubs as several instances). */
  constructor(target?: DatabaseTarget) {
    this.resolvedTarget = target;
    this.local.on("change", (c: TaskChange) => void this.dispatch(c));
  }

  private get target(): DatabaseTarget {
    return (this.resolvedTarget ??= databaseTarget(getConfig()));
  }

  /** Calls fn with every change to userId's tasks until the returned function is called. */
  subscribe(userId: string, fn: Listener): () => void {
    this.start();
    let set = this.users.get(userId);
    if (!set) this.users.set(userId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size) this.users.delete(userId);
    };
  }

  /** Announces a change made in this process; only used where no database notification carries it (PGlite). */
  announce(change: TaskChange): void {
    if (this.target.kind === "postgres") return;
    if (this.users.size) this.local.emit("change", change);
  }

  /** Resolves once changes are being heard (the LISTEN is in place), so a catch-up query after it misses nothing. */
  ready(timeoutMs = 5000): Promise<void> {
    this.start();
    if (!this.pgSource) return Promise.resolve();
    return Promise.race([this.pgSource.listening, new Promise<void>((ok) => setTimeout(ok, timeoutMs).unref())]);
  }

  get subscribers(): number {
    let n = 0;
    for (const set of this.users.values()) n += set.size;
    return n;
  }

  async stop(): Promise<void> {
    this.started = false;
    const source = this.pgSource;
    this.pgSource = null;
    await source?.stop();
  }

  private start() {
    if (this.started) return;
    this.started = true;
    const target = this.target;
    if (target.kind === "postgres") {
      this.pgSource = new PgSource(
        stripSchemaParam(target.url),
        target.schema ?? "public",
        (c) => void this.dispatch(c),
        () => this.broadcast({ type: "resync" }),
      );
      this.pgSource.start();
    }
  }

  private broadcast(event: TaskEvent) {
    for (const set of this.users.values()) for (const fn of set) fn(event);
  }

  private async dispatch(change: TaskChange) {
    if (change.userId && !this.users.has(change.userId)) return;
    if (!this.users.size) return;
    try {
      if (change.op === "delete") {
        if (change.userId) for (const fn of this.users.get(change.userId) ?? []) fn({ type: "removed", id: change.taskId });
        return;
      }
      const task = await getDb().task.findUnique({ where: { id: change.taskId }, select: { ...taskDtoSelect, userId: true } });
      if (!task) {
        if (change.userId) for (const fn of this.users.get(change.userId) ?? []) fn({ type: "removed", id: change.taskId });
        return;
      }
      const [dto] = await withQueue(task.userId, [toTaskDto(task)]);
      const event: TaskEvent = { type: "task", task: dto!, cursor: task.updatedAt.getTime() };
      for (const fn of this.users.get(task.userId) ?? []) fn(event);
    } catch (err) {
      logger.warn({ taskId: change.taskId, err }, "could not load a changed task for live updates");
    }
  }
}

/** One dedicated LISTEN connection, reconnected with backoff; after a gap every stream resyncs from its cursor. */
class PgSource {
  private client: pg.Client | null = null;
  private stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private heard!: () => void;
  readonly listening = new Promise<void>((ok) => (this.heard = ok));

  constructor(
    private readonly url: string,
    private readonly schema: string,
    private readonly onChange: (c: TaskChange) => void,
    private readonly onResync: () => void,
  ) {}

  start() {
    void this.connect();
  }

  private async connect() {
    if (this.stopped) return;
    // Named after its schema, so operators (and tests) can tell the instances' listeners apart.
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: `kling-live:${this.schema}`.slice(0, 63) });
    this.client = client;
    client.on("notification", (msg) => {
      if (msg.channel !== TASK_CHANGES_CHANNEL || !msg.payload) return;
      try {
        const p = JSON.parse(msg.payload) as { s: string; u: string; t: string; op: TaskChange["op"] };
        if (p.s === this.schema) this.onChange({ taskId: p.t, userId: p.u, op: p.op });
      } catch {
        // Not ours.
      }
    });
    const lost = (err?: unknown) => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => {});
      if (this.stopped) return;
      const wait = Math.min(RECONNECT_MAX_MS, 500 * 2 ** Math.min(this.failures++, 6));
      logger.warn(
        { err: err instanceof Error ? err.message : undefined, retryMs: wait },
        "live updates: lost the database notification connection; reconnecting",
      );
      this.timer = setTimeout(() => void this.connect(), wait);
      this.timer.unref();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${TASK_CHANGES_CHANNEL}`);
      // Changes made while the connection was down were not heard: streams catch up from their cursors.
      if (this.failures) this.onResync();
      this.failures = 0;
      this.heard();
    } catch (err) {
      lost(err);
    }
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}

const key = Symbol.for("kling-portal.task-events");
type Holder = { [key]?: TaskEventHub };

export function taskEvents(): TaskEventHub {
  const g = globalThis as Holder;
  return (g[key] ??= new TaskEventHub());
}

/** Closes the notification connection (server shutdown, tests). */
export async function stopTaskEvents(): Promise<void> {
  const g = globalThis as Holder;
  const hub = g[key];
  delete g[key];
  await hub?.stop();
}
