"use client";

// One generation in the history grid. Cards still in progress poll the API
// and turn into their images without a reload.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { isFinal, type TaskDto } from "@/lib/tasks/schema";
import { RelativeTime } from "./relative-time";
import { StatusBadge } from "./status-badge";
import { useNow } from "./use-now";
import { startRerun, useLiveTask } from "./use-task";

export function TaskCard({ initial }: { initial: TaskDto }) {
  const { task, gone } = useLiveTask(initial);
  const router = useRouter();
  const [retrying, setRetrying] = useState(false);
  const running = !isFinal(task.status);
  const now = useNow(1000, running);
  const elapsed = running && now !== null ? Math.max(0, Math.round((now - new Date(task.createdAt).getTime()) / 1000)) : null;
  if (gone) return null;

  async function retry() {
    setRetrying(true);
    const result = await startRerun(task.id);
    setRetrying(false);
    if (result.ok) router.refresh();
  }
  const [w, h] = task.aspect_ratio.split(":").map(Number);
  const cols = task.n === 1 ? 1 : task.n <= 4 ? 2 : 3;
  return (
    <article data-testid="task-card" data-task-id={task.id} data-status={task.status} className="card flex flex-col overflow-hidden">
      <Link href={`/tasks/${task.id}`} className="group block bg-zinc-100 p-1.5 dark:bg-zinc-950" aria-label={`Open “${task.prompt.slice(0, 60)}”`}>
        <div className="grid gap-1.5" style={{ gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))` }}>
          {task.status === "succeed"
            ? task.images.map((img) => (
                // eslint-disable-next-line @next/next/no-img-element
                <img key={img.index} src={img.thumbnailUrl} alt={`${task.prompt.slice(0, 80)} (${img.index + 1})`} loading="lazy" className="w-full rounded-md object-cover transition group-hover:opacity-90" style={{ aspectRatio: `${w} / ${h}` }} />
              ))
            : Array.from({ length: task.n }, (_, i) => (
                <div key={i} className={`grid w-full place-items-center rounded-md ${task.status === "failed" ? "bg-red-50 dark:bg-red-950/30" : "animate-pulse bg-zinc-200 dark:bg-zinc-800"}`} style={{ aspectRatio: `${w} / ${h}` }}>
                  {i === 0 && task.status === "failed" && <span aria-hidden className="text-2xl text-red-400">!</span>}
                </div>
              ))}
        </div>
      </Link>
      <div className="flex flex-1 flex-col gap-2 p-3">
        <div className="flex items-center gap-2 text-xs text-zinc-500 dark:text-zinc-400">
          <StatusBadge status={task.status} />
          {task.source === "api" && <span className="rounded-full border border-zinc-300 px-1.5 py-0.5 font-medium dark:border-zinc-700" title="Submitted through the API">API</span>}
          <span className="ml-auto"><RelativeTime iso={task.createdAt} /></span>
        </div>
        <p className="line-clamp-2 text-sm" title={task.prompt}>{task.prompt}</p>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          {task.n} × {task.aspect_ratio}
          {task.image && <> · reference {task.image_fidelity.toFixed(2)}</>}
        </p>
        {task.status === "failed" && (
          <div className="flex items-start gap-2">
            <p className="flex-1 text-xs text-red-700 dark:text-red-400" role="status">{task.statusMsg || "The generation failed."}</p>
            <button type="button" className="btn-secondary min-h-7 px-2.5 text-xs" onClick={retry} disabled={retrying}>{retrying ? "Starting…" : "Try again"}</button>
          </div>
        )}
        {running && (
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{task.statusMsg || "Working"}{elapsed !== null && ` · ${elapsed} s`}</p>
        )}
      </div>
    </article>
  );
}
