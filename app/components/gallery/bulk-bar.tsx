"use client";

// What can be done with several selected images at once: favourite, download
// as one (streamed) ZIP, delete their tasks with one Undo.
import type { ViewerItem } from "./viewer";
import { deleteWithUndo, setFavorite } from "./image-actions";

export function BulkBar({ selected, items, onClear }: { selected: ReadonlySet<string>; items: ViewerItem[]; onClear(): void }) {
  const chosen = items.filter((i) => selected.has(`${i.task.id}.${i.index}`));
  const tasks = [...new Map(chosen.map((i) => [i.task.id, i.task])).values()];
  const zip = `/api/images/download?${chosen.map((i) => `i=${encodeURIComponent(`${i.task.id}.${i.index}`)}`).join("&")}`;
  const allFavourite = chosen.every((i) => i.task.images.find((img) => img.index === i.index)?.favorite);
  const extra = tasks.reduce((sum, t) => sum + t.images.length, 0) - chosen.length;
  return (
    <div
      role="toolbar"
      aria-label="Selected images"
      data-testid="bulk-bar"
      className="sticky bottom-4 z-20 mx-auto flex w-fit max-w-full flex-wrap items-center gap-2 rounded-xl border border-zinc-200 bg-white p-2 shadow-lg dark:border-zinc-800 dark:bg-zinc-900"
    >
      <span className="px-2 text-sm font-medium" aria-live="polite">
        {chosen.length} selected
      </span>
      <button type="button" className="btn-secondary min-h-9 px-3" onClick={() => chosen.forEach((i) => void setFavorite(i.task, i.index, !allFavourite))}>
        {allFavourite ? "Remove from favourites" : "Favourite"}
      </button>
      <a href={zip} download className="btn-secondary min-h-9 px-3">
        Download ZIP
      </a>
      <button
        type="button"
        className="btn-danger min-h-9 px-3"
        title={extra > 0 ? `Deletes whole tasks: ${extra} more image${extra === 1 ? "" : "s"} of the same tasks go too` : undefined}
        onClick={() => {
          deleteWithUndo(tasks);
          onClear();
        }}
      >
        Delete {tasks.length > 1 ? `${tasks.length} tasks` : "task"}
        {extra > 0 ? ` (+${extra})` : ""}
      </button>
      <button type="button" className="btn-secondary min-h-9 px-3" onClick={onClear}>
        Clear
      </button>
    </div>
  );
}
