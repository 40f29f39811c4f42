"use client";

// One task's place in the gallery: its images as tiles at their own shape; while
// in progress, placeholders at the shape the images will have, with state and
// elapsed time; when failed, one tile saying why with Try again. Live through
// the page's event stream (useLiveTask). The wrapper is `display: contents`, so
// the tiles join the gallery's justified rows.
import { useEffect, useState } from "react";
import { isFinal, type TaskDto } from "@/lib/tasks/schema";
import { queueLine } from "../queue-place";
import { STATUS_LABELS } from "../status-badge";
import { useNow } from "../use-now";
import { useLiveTask } from "../use-task";
import { tileFlex, useGallery } from "./gallery-context";
import { trackTask } from "./gallery-events";
import { imageKey, rerun, setFavorite, usePendingDeletes } from "./image-actions";
import { ImageMenu } from "./image-menu";
import { costText } from "../task-cost";

const overlayButton = "grid size-9 place-items-center rounded-full bg-black/55 text-white backdrop-blur hover:bg-black/75";
// Shown on hover or keyboard focus where there is a mouse; always on touch screens.
const revealed = "opacity-0 transition-opacity group-hover:opacity-100 group-focus-within:opacity-100 [@media(hover:none)]:opacity-100";
// Touch screens keep thumbnails clear: only the menu (which has everything) stays.
const mouseOnly = "[@media(hover:none)]:hidden";

export function TaskTiles({ initial, onLive }: { initial: TaskDto; onLive?(task: TaskDto): void }) {
  const { task, gone } = useLiveTask(initial);
  const gallery = useGallery();
  // Images deleted from the menu, waiting for their Undo or gone.
  const hidden = usePendingDeletes();
  useEffect(() => {
    onLive?.(task);
  }, [task, onLive]);
  // Its end is announced wherever the user is by then (finished-toasts.tsx).
  useEffect(() => {
    if (!isFinal(initial.status)) trackTask(initial);
  }, [initial]);
  if (gone) return null;
  const [rw, rh] = task.aspect_ratio.split(":").map(Number) as [number, number];
  const short = task.prompt.length > 80 ? `${task.prompt.slice(0, 79)}…` : task.prompt;

  let tiles: React.ReactNode;
  if (task.status === "succeed") {
    const shown = task.images.filter((i) => (!gallery.favoritesOnly || i.favorite) && !hidden.has(imageKey(task.id, i.index)));
    tiles = shown.map((img) => (
      <figure
        key={img.index}
        data-testid="gallery-image"
        data-index={img.index}
        data-selected={gallery.selected.has(`${task.id}.${img.index}`) || undefined}
        className="group relative data-[selected]:ring-4 data-[selected]:ring-brand-500 m-0 overflow-hidden rounded-lg bg-zinc-200 dark:bg-zinc-800"
        style={tileFlex(img.width, img.height)}
      >
        <button
          type="button"
          className="block w-full cursor-zoom-in"
          aria-label={`Open “${short}”, image ${img.index + 1} of ${task.images.length}`}
          onClick={(e) => gallery.open(task.id, img.index, e.currentTarget)}
        >
          <img
            src={img.thumbnailUrl}
            alt={`${short} (${img.index + 1})`}
            loading="lazy"
            decoding="async"
            width={img.width}
            height={img.height}
            className="block h-auto w-full"
            style={{ aspectRatio: `${img.width} / ${img.height}` }}
          />
        </button>
        <div className={`pointer-events-none absolute inset-x-0 bottom-0 bg-gradient-to-t from-black/70 to-transparent p-2 pt-8 ${revealed} ${mouseOnly}`}>
          <p className="line-clamp-2 text-xs text-white">{task.prompt}</p>
        </div>
        {img.favorite && (
          <span
            aria-hidden
            className="absolute top-2 left-2 text-lg text-amber-300 drop-shadow group-hover:opacity-0 [@media(hover:hover)]:group-focus-within:opacity-0"
          >
            ★
          </span>
        )}
        <div
          className={`pointer-events-none absolute top-2 right-2 left-2 flex justify-between gap-1.5 *:pointer-events-auto ${gallery.selected.size ? "" : revealed}`}
        >
          <span className="flex gap-1.5">
            {/* biome-ignore lint/a11y/useKeyWithClickEvents: only keeps the tile's own click from also opening the viewer; the checkbox inside takes the keyboard. */}
            <label className={`${overlayButton} cursor-pointer ${gallery.selected.size ? "" : mouseOnly}`} onClick={(e) => e.stopPropagation()}>
              <input
                type="checkbox"
                data-testid="select"
                aria-label={`Select image ${img.index + 1} of “${short}”`}
                className="size-4 accent-brand-600"
                checked={gallery.selected.has(`${task.id}.${img.index}`)}
                onClick={(e) => gallery.select(`${task.id}.${img.index}`, e.currentTarget.checked, e.shiftKey)}
                onChange={() => {}}
              />
            </label>
            <button
              type="button"
              aria-pressed={img.favorite}
              aria-label={img.favorite ? "Remove from favourites" : "Add to favourites"}
              data-testid="favorite"
              className={`${overlayButton} ${mouseOnly} ${img.favorite ? "text-amber-300" : ""}`}
              onClick={() => void setFavorite(task, img.index, !img.favorite)}
            >
              <span aria-hidden>{img.favorite ? "★" : "☆"}</span>
            </button>
          </span>
          <span className="flex gap-1.5">
            <a href={`${img.url}?download=1`} download className={`${overlayButton} ${mouseOnly}`}>
              <span aria-hidden>↓</span>
              <span className="sr-only">Download</span>
            </a>
            <ImageMenu
              task={task}
              index={img.index}
              label={`Actions for image ${img.index + 1}`}
              onOpen={() => gallery.open(task.id, img.index, null)}
              onSelect={() => gallery.select(`${task.id}.${img.index}`, true, false)}
            />
          </span>
        </div>
      </figure>
    ));
  } else if (gallery.favoritesOnly) {
    tiles = null;
  } else if (task.status === "failed") {
    tiles = <FailedTile task={task} ratio={[rw, rh]} />;
  } else {
    // biome-ignore lint/suspicious/noArrayIndexKey: a placeholder is the slot of image i; it has no other identity.
    tiles = Array.from({ length: task.n }, (_, i) => <Placeholder key={i} task={task} ratio={[rw, rh]} first={i === 0} />);
  }
  return (
    <div data-testid="task-card" data-task-id={task.id} data-status={task.status} className="contents">
      {tiles}
    </div>
  );
}

function Placeholder({ task, ratio, first }: { task: TaskDto; ratio: [number, number]; first: boolean }) {
  const now = useNow(1000);
  const elapsed = now === null ? null : Math.max(0, Math.round((now - new Date(task.createdAt).getTime()) / 1000));
  const waiting = queueLine(task);
  return (
    <div data-testid="gallery-placeholder" className="relative overflow-hidden rounded-lg bg-zinc-200 dark:bg-zinc-800" style={tileFlex(ratio[0], ratio[1])}>
      <div className="animate-pulse bg-zinc-300/60 dark:bg-zinc-700/50" style={{ aspectRatio: `${ratio[0]} / ${ratio[1]}` }} />
      <div className="absolute inset-0 grid place-items-center p-2 text-center">
        <p className="text-xs text-zinc-700 dark:text-zinc-300">
          {waiting ? (
            <span data-testid="queue-place" className="font-medium">
              {waiting}
            </span>
          ) : (
            <>
              <span className="font-medium">{STATUS_LABELS[task.status]}</span>
              {elapsed !== null && <span className="tabular-nums"> · {elapsed} s</span>}
            </>
          )}
          {first && <span data-testid="task-cost"> · {costText(task)}</span>}
          {first && <span className="mt-1 line-clamp-2 block text-zinc-600 dark:text-zinc-400">{task.prompt}</span>}
        </p>
      </div>
    </div>
  );
}

function FailedTile({ task, ratio }: { task: TaskDto; ratio: [number, number] }) {
  const [busy, setBusy] = useState(false);
  return (
    <div
      data-testid="gallery-failed"
      className="group relative overflow-hidden rounded-lg border border-red-200 bg-red-50 dark:border-red-900/60 dark:bg-red-950/30"
      style={tileFlex(ratio[0], ratio[1])}
    >
      <div style={{ aspectRatio: `${ratio[0]} / ${ratio[1]}` }} />
      <div className="absolute inset-0 flex flex-col justify-center gap-2 overflow-auto p-3">
        <p className="text-xs font-medium text-red-800 dark:text-red-300">
          Failed: <span className="font-normal">{task.statusMsg || "the generation failed."}</span>
        </p>
        <p className="line-clamp-1 text-xs text-zinc-700 dark:text-zinc-300">{task.prompt}</p>
        <p data-testid="task-cost" className="text-xs text-zinc-700 dark:text-zinc-300">
          {costText(task)}
        </p>
        <div className="flex items-center gap-2">
          <button
            type="button"
            className="btn-secondary min-h-8 px-3 text-xs"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              await rerun(task);
              setBusy(false);
            }}
          >
            {busy ? "Starting…" : "Try again"}
          </button>
        </div>
      </div>
      <div className="absolute top-2 right-2">
        <ImageMenu task={task} index={null} label="Actions for this failed task" />
      </div>
    </div>
  );
}
