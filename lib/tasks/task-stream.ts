// GET /api/tasks/events: one server-sent-events stream per open page with the
// signed-in user's task changes as they happen (`event: task`, the task as
// GET /api/tasks/<id> shows it; `event: removed`). Each event's id is a cursor:
// a page that reconnects sends it back (Last-Event-ID, or ?since= with a page
// render time) and first receives every task changed since then, so a dropped
// stream misses nothing.
import { getDb } from "../db/client";
import { ApiError } from "../http/errors";
import type { TaskDto } from "./schema";
import { taskEvents, type TaskEvent } from "./task-events";
import { withQueue } from "./queue-position";
import { taskDtoSelect, toTaskDto } from "./to-dto";

/** Clocks of several instances differ a little: a catch-up looks this far before the cursor (repeats are harmless). */
const CATCH_UP_MARGIN_MS = 5000;
const CATCH_UP_LIMIT = 200;
const HEARTBEAT_MS = 25_000;
/** How soon a browser reconnects after the stream drops. */
const RETRY_MS = 2000;

export function parseCursor(value: string | null | undefined): number | null {
  if (!value || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

/** `?since=`: absent is no catch-up; anything but a cursor is a 400 naming it. */
export function parseSince(value: string | null): number | null {
  if (value === null || value === "") return null;
  const cursor = parseCursor(value);
  if (cursor === null) {
    const message = "since must be a cursor: milliseconds since 1970 (an event id of this stream)";
    throw new ApiError(400, "invalid_request", message, { since: message });
  }
  return cursor;
}

export function taskEventStream(userId: string, opts: { since: number | null; signal: AbortSignal }): Response {
  const encoder = new TextEncoder();
  let cursor = opts.since;
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const send = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close();
        }
      };
      const sendTask = (task: TaskDto, at: number) => {
        cursor = Math.max(cursor ?? 0, at);
        send(`id: ${cursor}\nevent: task\ndata: ${JSON.stringify(task)}\n\n`);
      };
      // Changes arriving during a catch-up wait for it, so events go out in order.
      let queue: TaskEvent[] | null = [];
      const deliver = (event: TaskEvent) => {
        if (event.type === "task") sendTask(event.task, event.cursor);
        else if (event.type === "removed") send(`event: removed\ndata: ${JSON.stringify({ id: event.id })}\n\n`);
        // A catch-up that fails ends the stream: the browser reconnects and catches up from its cursor.
        else void catchUp().catch(() => close());
      };
      const onEvent = (event: TaskEvent) => (queue ? queue.push(event) : deliver(event));
      const catchUp = async () => {
        if (cursor === null) return;
        const since = new Date(cursor - CATCH_UP_MARGIN_MS);
        const rows = await getDb().task.findMany({
          where: { userId, updatedAt: { gt: since } },
          orderBy: { updatedAt: "asc" },
          take: CATCH_UP_LIMIT,
          select: taskDtoSelect,
        });
        const dtos = await withQueue(userId, rows.map(toTaskDto));
        for (const [i, row] of rows.entries()) sendTask(dtos[i]!, row.updatedAt.getTime());
      };
      const hub = taskEvents();
      const unsubscribe = hub.subscribe(userId, onEvent);
      const heartbeat = setInterval(() => send(`: ping\n\n`), HEARTBEAT_MS);
      function close() {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // Already closed by the client.
        }
      }
      cleanup = close;
      opts.signal.addEventListener("abort", close);
      send(`retry: ${RETRY_MS}\n: connected\n\n`);
      try {
        await hub.ready();
        await catchUp();
      } catch {
        // The browser reconnects and catches up from its cursor.
        return close();
      }
      const pending = queue;
      queue = null;
      for (const event of pending) deliver(event);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: compression would hold events back until a buffer fills.
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
