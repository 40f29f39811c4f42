"use client";

// The task page body: full images with downloads, the prompt with a copy
// button, re-run and delete. Live while the task is in progress.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { isFinal, type TaskDto } from "@/lib/tasks/schema";
import { Lightbox } from "./lightbox";
import { RelativeTime } from "./relative-time";
import { StatusBadge } from "./status-badge";
import { startRerun, useLiveTask } from "./use-task";

export function TaskView({ initial }: { initial: TaskDto }) {
  const router = useRouter();
  const { task, gone } = useLiveTask(initial);
  const [busy, setBusy] = useState<"rerun" | "delete" | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<number | null>(null);
  const [w, h] = task.aspect_ratio.split(":").map(Number);

  if (gone) {
    return (
      <div className="card p-8 text-center">
        <p className="font-medium">This task no longer exists.</p>
        <Link href="/" className="text-sm text-brand-600 hover:underline dark:text-brand-400">Back to your images</Link>
      </div>
    );
  }

  async function rerun() {
    setBusy("rerun");
    setError(null);
    const result = await startRerun(task.id);
    setBusy(null);
    if (!result.ok) return setError(result.message);
    router.push(`/tasks/${result.task.id}`);
  }

  async function remove() {
    if (!window.confirm("Delete this task and its images? This cannot be undone.")) return;
    setBusy("delete");
    setError(null);
    const res = await fetch(`/api/tasks/${task.id}`, { method: "DELETE" });
    setBusy(null);
    if (!res.ok && res.status !== 404) return setError("Could not delete the task. Try again.");
    router.push("/");
    router.refresh();
  }

  async function copy() {
    await navigator.clipboard?.writeText(task.prompt).catch(() => {});
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }

  return (
    <div data-testid="task-view" data-status={task.status} className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <section aria-label="Images" className="grid gap-3 sm:grid-cols-2">
        {task.status === "succeed"
          ? task.images.map((img) => (
              <figure key={img.index} className="card overflow-hidden">
                <button type="button" className="block w-full cursor-zoom-in" onClick={() => setViewing(task.images.indexOf(img))} aria-label={`View image ${img.index + 1} full size`}>
                  {/* eslint-disable-next-line @next/next/no-img-element */}
                  <img src={img.url} alt={`${task.prompt.slice(0, 80)} (${img.index + 1})`} className="w-full" style={{ aspectRatio: `${img.width} / ${img.height}` }} />
                </button>
                <figcaption className="flex items-center justify-between px-3 py-2 text-xs text-zinc-500 dark:text-zinc-400">
                  <span>{img.width} × {img.height}</span>
                  <a href={`${img.url}?download=1`} download className="font-medium text-brand-600 hover:underline dark:text-brand-400" data-testid="download">
                    Download
                  </a>
                </figcaption>
              </figure>
            ))
          : Array.from({ length: task.n }, (_, i) => (
              <div key={i} className={`card grid place-items-center ${task.status === "failed" ? "bg-red-50 dark:bg-red-950/30" : "animate-pulse bg-zinc-200 dark:bg-zinc-800"}`} style={{ aspectRatio: `${w} / ${h}` }} />
            ))}
      </section>

      <aside className="space-y-4">
        <div className="card space-y-3 p-4">
          <div className="flex items-center gap-2">
            <StatusBadge status={task.status} />
            {task.source === "api" && <span className="rounded-full border border-zinc-300 px-1.5 py-0.5 text-xs font-medium dark:border-zinc-700">API</span>}
          </div>
          {task.status === "failed" && <p role="alert" className="text-sm text-red-700 dark:text-red-400">{task.statusMsg || "The generation failed."}</p>}
          {!isFinal(task.status) && <p className="text-sm text-zinc-500 dark:text-zinc-400">{task.statusMsg || "Generating… this page updates by itself."}</p>}
          <div>
            {/* The prompt is what the page is about: its heading (and the tab's title). */}
            <p className="label">Prompt</p>
            <h1 className="whitespace-pre-wrap text-sm font-normal">{task.prompt}</h1>
            <button type="button" onClick={copy} className="mt-1 text-xs font-medium text-brand-600 hover:underline dark:text-brand-400">
              {copied ? "Copied" : "Copy prompt"}
            </button>
          </div>
          {task.negative_prompt && (
            <div>
              <h2 className="label">Negative prompt</h2>
              <p className="text-sm">{task.negative_prompt}</p>
            </div>
          )}
          <dl className="grid grid-cols-2 gap-y-1 text-sm">
            <dt className="text-zinc-500 dark:text-zinc-400">Images</dt>
            <dd>{task.n}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Aspect ratio</dt>
            <dd>{task.aspect_ratio}</dd>
            {task.image && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Reference</dt>
                <dd className="truncate" title={task.image}>{task.image === "uploaded" ? "Uploaded image" : task.image}</dd>
                <dt className="text-zinc-500 dark:text-zinc-400">Strength</dt>
                <dd>{task.image_fidelity.toFixed(2)}</dd>
              </>
            )}
            <dt className="text-zinc-500 dark:text-zinc-400">Created</dt>
            <dd><RelativeTime iso={task.createdAt} /></dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Task id</dt>
            <dd className="truncate font-mono text-xs leading-5" title={task.id}>{task.id}</dd>
          </dl>
        </div>
        {error && <p role="alert" className="field-error">{error}</p>}
        <div className="flex gap-2">
          <button type="button" className="btn-primary flex-1" onClick={rerun} disabled={busy !== null}>
            {busy === "rerun" ? "Starting…" : "Re-run"}
          </button>
          <button type="button" className="btn-danger" onClick={remove} disabled={busy !== null}>
            {busy === "delete" ? "Deleting…" : "Delete"}
          </button>
        </div>
      </aside>
      {viewing !== null && task.status === "succeed" && (
        <Lightbox
          images={task.images.map((img) => ({ url: img.url, alt: `${task.prompt.slice(0, 80)} (${img.index + 1})`, width: img.width, height: img.height }))}
          index={viewing}
          onIndex={setViewing}
          onClose={() => setViewing(null)}
        />
      )}
    </div>
  );
}
