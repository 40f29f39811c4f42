"use client";

// Keeps a task live: the page's event stream updates it (live-tasks.tsx);
// while that stream is down it polls the portal's API instead, until final.
import useSWR from "swr";
import { isFinal, type TaskDto } from "@/lib/tasks/schema";
import { useStreamOpen } from "./live-tasks";

async function fetchTask(url: string): Promise<TaskDto> {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
  return res.json();
}

// Module-level so its identity is stable: SWR restarts its timer whenever this
// function changes, and cards re-render every second (elapsed time).
const refreshInterval = (latest?: TaskDto) => (latest && isFinal(latest.status) ? 0 : 1500);

// A waiting task's place in the queue moves as other users' tasks are sent,
// which its own stream does not announce: it is re-read now and then.
const QUEUE_REFRESH_MS = 10_000;
const refreshWaiting = (latest?: TaskDto) => (latest?.status === "waiting" ? QUEUE_REFRESH_MS : 0);

export function useLiveTask(initial: TaskDto) {
  const streamed = useStreamOpen();
  const { data, error } = useSWR<TaskDto>(`/api/tasks/${initial.id}`, fetchTask, {
    fallbackData: initial,
    // The page was rendered just now, and the stream catches up from that moment.
    revalidateOnMount: false,
    revalidateOnFocus: !streamed && !isFinal(initial.status),
    refreshInterval: streamed ? refreshWaiting : refreshInterval,
  });
  const gone = (error as { status?: number } | undefined)?.status === 404;
  return { task: data ?? initial, gone };
}

/** Starts a new task with the same parameters; the new task, or a message to show. */
export async function startRerun(taskId: string): Promise<{ ok: true; task: TaskDto } | { ok: false; message: string }> {
  const res = await fetch(`/api/tasks/${taskId}/rerun`, { method: "POST" });
  const json = await res.json().catch(() => null);
  return res.ok ? { ok: true, task: json } : { ok: false, message: json?.error?.message ?? "Could not start the re-run." };
}
