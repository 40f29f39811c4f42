"use client";

// The task page body: the images sized to fit the screen whatever their shape
// and count, the prompt and parameters (first on a phone), and the actions.
// A failed task leads with its reason; one in progress shows placeholders at
// the final shape. Live while the task is in progress.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { isFinal, type TaskDto } from "@/lib/tasks/schema";
import { trackTask } from "./gallery/gallery-events";
import { deleteWithUndo, share } from "./gallery/image-actions";
import { Viewer } from "./gallery/viewer";
import { queueLine } from "./queue-place";
import { StatusBadge } from "./status-badge";
import { TaskParameters } from "./task-parameters";
import { toast } from "./toaster";
import { useNow } from "./use-now";
import { startRerun, useLiveTask } from "./use-task";

/** Columns for n images of ratio r so the whole set fits about one screen. */
function layout(n: number, r: number) {
  const cols = n === 1 ? 1 : r >= 1 ? (n <= 4 ? 2 : 3) : Math.min(n, n <= 4 ? 4 : 5);
  const rows = Math.ceil(n / cols);
  return { cols, maxWidth: `calc(78dvh * ${((r * cols) / rows).toFixed(3)})` };
}

export function TaskView({ initial }: { initial: TaskDto }) {
  const router = useRouter();
  const { task, gone } = useLiveTask(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<number | null>(null);
  const running = !isFinal(task.status);
  const now = useNow(1000, running);
  const [w, h] = task.aspect_ratio.split(":").map(Number) as [number, number];
  // Leaving the page before the end, the user still hears of it (finished-toasts.tsx).
  useEffect(() => {
    if (!isFinal(initial.status)) trackTask(initial);
  }, [initial]);

  if (gone) {
    return (
      <div className="card p-8 text-center">
        <p className="font-medium">This task no longer exists.</p>
        <Link href="/" className="text-sm text-brand-600 hover:underline dark:text-brand-400">
          Back to your images
        </Link>
      </div>
    );
  }

  async function rerun() {
    setBusy(true);
    setError(null);
    const result = await startRerun(task.id);
    setBusy(false);
    if (!result.ok) return setError(result.message);
    router.push(`/tasks/${result.task.id}`);
  }

  function remove() {
    deleteWithUndo(task);
    router.push("/");
  }

  async function copy() {
    const ok = await navigator.clipboard?.writeText(task.prompt).then(
      () => true,
      () => false,
    );
    toast(
      ok
        ? { title: "Prompt copied", description: task.prompt }
        : { title: "Could not copy the prompt", description: "Select the text and copy it instead.", tone: "error" },
    );
  }

  const { cols, maxWidth } = layout(task.status === "succeed" ? task.images.length : task.n, w / h);
  const elapsed = running && now !== null ? Math.max(0, Math.round((now - new Date(task.createdAt).getTime()) / 1000)) : null;

  return (
    <div data-testid="task-view" data-status={task.status} className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      {task.status === "failed" ? (
        <section aria-label="Result" className="card grid place-items-center gap-3 p-8 text-center">
          <p role="alert" className="max-w-prose text-red-700 dark:text-red-400">
            {task.statusMsg || "The generation failed."}
          </p>
          <button type="button" className="btn-primary" onClick={rerun} disabled={busy}>
            {busy ? "Starting…" : "Try again"}
          </button>
        </section>
      ) : (
        <section aria-label="Images" className="mx-auto grid w-full gap-3" style={{ gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, maxWidth }}>
          {task.status === "succeed"
            ? task.images.map((img, i) => (
                <figure key={img.index} className="card m-0 overflow-hidden">
                  <button
                    type="button"
                    className="block w-full cursor-zoom-in"
                    onClick={() => setViewing(i)}
                    aria-label={`View image ${img.index + 1} full size`}
                  >
                    <img
                      src={img.url}
                      alt={`${task.prompt.slice(0, 80)} (${img.index + 1})`}
                      className="w-full"
                      style={{ aspectRatio: `${img.width} / ${img.height}` }}
                    />
                  </button>
                  <figcaption className="flex items-center justify-between px-3 py-2 text-xs text-zinc-600 dark:text-zinc-400">
                    <span>
                      {img.width} × {img.height}
                    </span>
                    <a
                      href={`${img.url}?download=1`}
                      download
                      className="font-medium text-brand-600 hover:underline dark:text-brand-400"
                      data-testid="download"
                    >
                      Download
                    </a>
                  </figcaption>
                </figure>
              ))
            : Array.from({ length: task.n }, (_, i) => (
                <div
                  // biome-ignore lint/suspicious/noArrayIndexKey: a placeholder is the slot of image i; it has no other identity.
                  key={i}
                  className="card grid animate-pulse place-items-center bg-zinc-200 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
                  style={{ aspectRatio: `${w} / ${h}` }}
                >
                  {i === 0 && elapsed !== null && <span className="tabular-nums">{elapsed} s</span>}
                </div>
              ))}
        </section>
      )}

      <aside className="order-first space-y-4 lg:order-none">
        <div className="card space-y-3 p-4">
          <div className="flex items-center gap-2">
            <StatusBadge status={task.status} />
            {task.source === "api" && <span className="rounded-full border border-zinc-300 px-1.5 py-0.5 text-xs font-medium dark:border-zinc-700">API</span>}
          </div>
          {running && (
            <p data-testid={task.status === "waiting" ? "queue-place" : undefined} className="text-sm text-zinc-600 dark:text-zinc-400">
              {queueLine(task) ?? (task.statusMsg || "Generating… this page updates by itself.")}
            </p>
          )}
          <div>
            {/* The prompt is what the page is about: its heading (and the tab's title). */}
            <p className="label">Prompt</p>
            <h1 className="whitespace-pre-wrap text-sm font-normal">{task.prompt}</h1>
            <button type="button" onClick={copy} className="mt-1 text-xs font-medium text-brand-600 hover:underline dark:text-brand-400">
              Copy prompt
            </button>
          </div>
          {task.negative_prompt && (
            <div>
              <h2 className="label">Negative prompt</h2>
              <p className="text-sm">{task.negative_prompt}</p>
            </div>
          )}
          <TaskParameters task={task} withId className="text-sm" />
        </div>
        {error && (
          <p role="alert" className="field-error">
            {error}
          </p>
        )}
        <div className="flex flex-wrap gap-2">
          {task.status !== "failed" && (
            <button type="button" className="btn-primary flex-1" onClick={rerun} disabled={busy}>
              {busy ? "Starting…" : "Re-run"}
            </button>
          )}
          {task.images.length > 1 && (
            <a href={`/api/tasks/${task.id}/download`} download className="btn-secondary">
              Download all
            </a>
          )}
          {task.images.length > 0 && (
            <button type="button" className="btn-secondary" onClick={() => void share(task)}>
              Share
            </button>
          )}
          <button type="button" className="btn-danger" onClick={remove}>
            Delete
          </button>
        </div>
      </aside>
      {viewing !== null && task.status === "succeed" && (
        <Viewer
          items={task.images.map((img) => ({ task, index: img.index }))}
          at={viewing}
          onAt={setViewing}
          onClose={() => setViewing(null)}
          onDeleted={() => router.push("/")}
          returnFocus={() => document.querySelectorAll<HTMLButtonElement>("figure button")[viewing]?.focus()}
        />
      )}
    </div>
  );
}
