"use client";

// The full-size viewer: a real dialog (Radix: focus trapped inside, Esc closes,
// focus returns to the image that opened it), arrow keys and swipes move
// through every image in the gallery, and a details panel carries the prompt,
// parameters and the same actions as the menu.
import * as Dialog from "@radix-ui/react-dialog";
import Link from "next/link";
import { useRef } from "react";
import type { TaskDto } from "@/lib/tasks/schema";
import { TaskParameters } from "../task-parameters";
import { deleteWithUndo, loadAsReference, loadSettings, rerun, setFavorite, share } from "./image-actions";

export type ViewerItem = { task: TaskDto; index: number };

export function Viewer({
  items,
  at,
  onAt,
  onClose,
  onDeleted,
  returnFocus,
}: {
  items: ViewerItem[];
  at: number;
  onAt(i: number): void;
  onClose(): void;
  onDeleted?(): void;
  returnFocus(): void;
}) {
  const item = items[at];
  const swipe = useRef<{ x: number; y: number } | null>(null);
  if (!item) return null;
  const { task, index } = item;
  const image = task.images.find((i) => i.index === index);
  if (!image) return null;
  const go = (delta: number) => items.length > 1 && onAt((at + delta + items.length) % items.length);
  const short = task.prompt.length > 80 ? `${task.prompt.slice(0, 79)}…` : task.prompt;
  const action = "btn-secondary min-h-9 justify-start px-3";

  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-50 bg-black/90" />
        <Dialog.Content
          aria-label={`Image ${at + 1} of ${items.length}`}
          aria-describedby={undefined}
          data-testid="viewer"
          onCloseAutoFocus={(e) => {
            e.preventDefault();
            returnFocus();
          }}
          className="fixed inset-0 z-50 flex flex-col outline-none lg:flex-row"
          onKeyDown={(e) => {
            if (e.key === "ArrowRight") go(1);
            else if (e.key === "ArrowLeft") go(-1);
          }}
        >
          <Dialog.Title className="sr-only">{short}</Dialog.Title>
          <div
            className="relative flex min-h-0 flex-1 touch-pan-y items-center justify-center p-2 sm:p-4"
            onPointerDown={(e) => (swipe.current = { x: e.clientX, y: e.clientY })}
            onPointerUp={(e) => {
              const start = swipe.current;
              swipe.current = null;
              if (!start) return;
              const dx = e.clientX - start.x;
              if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(e.clientY - start.y)) go(dx < 0 ? 1 : -1);
            }}
          >
            <img
              src={image.url}
              alt={`${short} (${index + 1})`}
              draggable={false}
              className="max-h-full max-w-full object-contain select-none"
              style={{ aspectRatio: `${image.width} / ${image.height}` }}
            />
            {items.length > 1 && (
              <>
                <button
                  type="button"
                  aria-label="Previous image"
                  className="btn-secondary absolute left-2 min-h-11 opacity-80 hover:opacity-100"
                  onClick={() => go(-1)}
                >
                  ←
                </button>
                <button
                  type="button"
                  aria-label="Next image"
                  className="btn-secondary absolute right-2 min-h-11 opacity-80 hover:opacity-100"
                  onClick={() => go(1)}
                >
                  →
                </button>
              </>
            )}
          </div>
          <aside aria-label="Details" className="max-h-[45dvh] shrink-0 space-y-3 overflow-y-auto bg-white p-4 text-sm lg:max-h-none lg:w-80 dark:bg-zinc-900">
            <div className="flex items-center justify-between gap-2">
              <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
                {at + 1} / {items.length}
              </p>
              <Dialog.Close className="btn-secondary min-h-9 px-3" aria-label="Close">
                ✕
              </Dialog.Close>
            </div>
            <div>
              <p className="label">Prompt</p>
              <p className="whitespace-pre-wrap">{task.prompt}</p>
            </div>
            {task.negative_prompt && (
              <div>
                <p className="label">Negative prompt</p>
                <p className="whitespace-pre-wrap">{task.negative_prompt}</p>
              </div>
            )}
            <TaskParameters task={task} image={image} />
            <div className="grid grid-cols-2 gap-2">
              <a href={`${image.url}?download=1`} download className={action}>
                Download
              </a>
              <button type="button" className={action} aria-pressed={image.favorite} onClick={() => void setFavorite(task, index, !image.favorite)}>
                {image.favorite ? "★ Favourite" : "☆ Favourite"}
              </button>
              <button
                type="button"
                className={action}
                onClick={() => {
                  loadSettings(task);
                  onClose();
                }}
              >
                Use settings
              </button>
              <button
                type="button"
                className={action}
                onClick={() => {
                  loadAsReference(task, index);
                  onClose();
                }}
              >
                Use as reference
              </button>
              <button type="button" className={action} onClick={() => void rerun(task)}>
                Re-run
              </button>
              <button type="button" className={action} onClick={() => void share(task, index)}>
                Share link
              </button>
              <Link href={`/tasks/${task.id}`} className={action}>
                Task details
              </Link>
              <button
                type="button"
                className="btn-danger min-h-9 justify-start px-3"
                onClick={() => {
                  deleteWithUndo(task);
                  onClose();
                  onDeleted?.();
                }}
              >
                Delete
              </button>
            </div>
          </aside>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
