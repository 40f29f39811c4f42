"use client";

// One server-sent-events stream per page for the signed-in user's task
// changes: each change updates that task's SWR entry in place, so cards go
// live without polling. While the stream is down, cards fall back to polling
// (use-task.ts); a reconnect catches up from the last event's cursor.
import { useEffect, useSyncExternalStore } from "react";
import { useSWRConfig } from "swr";
import type { TaskDto } from "@/lib/tasks/schema";
import { refreshUsage } from "./usage-meter";

type StreamState = "off" | "open" | "down";
let state: StreamState = "off";
const watchers = new Set<() => void>();

function setState(next: StreamState) {
  if (state === next) return;
  state = next;
  for (const w of watchers) w();
}

function watch(onChange: () => void) {
  watchers.add(onChange);
  return () => void watchers.delete(onChange);
}

/** Whether the page's stream is up (so cards need not poll). */
export function useStreamOpen(): boolean {
  return useSyncExternalStore(
    watch,
    () => state === "open",
    () => false,
  );
}

/** A refused stream (signed out, a server error) is not retried by the browser itself. */
const REOPEN_MS = 5000;

/** Keeps the page's stream open; `since` is when the server rendered the page (ms), so nothing after it is missed. */
export function LiveTasks({ since }: { since: number }) {
  const { mutate } = useSWRConfig();
  useEffect(() => {
    let cursor = since;
    let source: EventSource | null = null;
    let reopen: number | undefined;
    let stopped = false;
    const connect = () => {
      const es = new EventSource(`/api/tasks/events?since=${cursor}`);
      source = es;
      es.onopen = () => setState("open");
      es.onerror = () => {
        setState("down");
        if (es.readyState !== EventSource.CLOSED || stopped) return;
        es.close();
        reopen = window.setTimeout(connect, REOPEN_MS);
      };
      es.addEventListener("task", (e) => {
        const event = e as MessageEvent<string>;
        if (/^\d+$/.test(event.lastEventId)) cursor = Math.max(cursor, Number(event.lastEventId));
        const task = JSON.parse(event.data) as TaskDto;
        // A catch-up may repeat an older state: never move a card backwards.
        void mutate<TaskDto>(`/api/tasks/${task.id}`, (current) => (current && current.updatedAt > task.updatedAt ? current : task), { revalidate: false });
        // A new, failed or deleted task moves the image budget.
        refreshUsage();
      });
      es.addEventListener("removed", (e) => {
        const { id } = JSON.parse((e as MessageEvent<string>).data) as { id: string };
        void mutate(`/api/tasks/${id}`);
        refreshUsage();
      });
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(reopen);
      source?.close();
      setState("off");
    };
  }, [since, mutate]);
  return null;
}
