"use client";

// Search and filters that apply as you type (debounced) or choose, a
// Favourites toggle and the tile size. The inputs keep their own state, so
// focus and the caret stay where they are while results change.
import { useEffect, useRef, useState } from "react";
import { ASPECT_RATIOS, type AspectRatio } from "@/lib/kling/schema";
import { TASK_STATUSES, type PortalTaskStatus } from "@/lib/tasks/schema";
import { STATUS_LABELS } from "../status-badge";
import type { GalleryFilters } from "./gallery-query";

export type TileSize = "s" | "m" | "l";
const SIZES: { value: TileSize; label: string }[] = [
  { value: "s", label: "Small" },
  { value: "m", label: "Medium" },
  { value: "l", label: "Large" },
];
const DEBOUNCE_MS = 300;

export function GalleryFiltersBar({
  filters,
  onChange,
  size,
  onSize,
}: {
  filters: GalleryFilters;
  onChange(f: GalleryFilters): void;
  size: TileSize;
  onSize(s: TileSize): void;
}) {
  const [q, setQ] = useState(filters.q ?? "");
  const timer = useRef<number | undefined>(undefined);
  const latest = useRef(filters);
  latest.current = filters;
  // "Show all" and similar resets from outside reach the box too.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the applied filter changes, not on every keystroke.
  useEffect(() => {
    if ((filters.q ?? "") !== q.trim()) setQ(filters.q ?? "");
  }, [filters.q]);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const onQuery = (value: string) => {
    setQ(value);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      if ((latest.current.q ?? "") !== value.trim()) onChange({ ...latest.current, q: value.trim() || undefined });
    }, DEBOUNCE_MS);
  };
  const chip = (on: boolean) =>
    `min-h-9 rounded-lg border px-3 text-sm ${on ? "border-brand-500 bg-brand-50 font-medium text-brand-700 dark:bg-brand-700/20 dark:text-brand-50" : "border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"}`;

  return (
    <search aria-label="Filter your images" className="flex flex-wrap items-center gap-2">
      <label htmlFor="gallery-q" className="sr-only">
        Search prompts
      </label>
      <input
        id="gallery-q"
        type="search"
        value={q}
        onChange={(e) => onQuery(e.target.value)}
        placeholder="Search prompts"
        maxLength={200}
        className="input w-full py-1.5 sm:w-56"
      />
      <label htmlFor="gallery-status" className="sr-only">
        Status
      </label>
      <select
        id="gallery-status"
        value={filters.status ?? ""}
        onChange={(e) => onChange({ ...filters, status: (e.target.value || undefined) as PortalTaskStatus | undefined })}
        className="input w-auto min-w-0 flex-1 py-1.5 sm:w-40 sm:flex-none"
      >
        <option value="">All statuses</option>
        {TASK_STATUSES.map((s) => (
          <option key={s} value={s}>
            {STATUS_LABELS[s]}
          </option>
        ))}
      </select>
      <label htmlFor="gallery-ratio" className="sr-only">
        Aspect ratio
      </label>
      <select
        id="gallery-ratio"
        value={filters.aspect_ratio ?? ""}
        onChange={(e) => onChange({ ...filters, aspect_ratio: (e.target.value || undefined) as AspectRatio | undefined })}
        className="input w-auto min-w-0 flex-1 py-1.5 sm:w-32 sm:flex-none"
      >
        <option value="">All ratios</option>
        {ASPECT_RATIOS.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button
        type="button"
        aria-pressed={!!filters.favorite}
        className={chip(!!filters.favorite)}
        onClick={() => onChange({ ...filters, favorite: filters.favorite ? undefined : true })}
      >
        <span aria-hidden>{filters.favorite ? "★ " : "☆ "}</span>Favourites
      </button>
      <div role="radiogroup" aria-label="Image size" className="ml-auto flex overflow-hidden rounded-lg border border-zinc-300 dark:border-zinc-700">
        {SIZES.map((s) => (
          <label
            key={s.value}
            className={`grid min-h-9 cursor-pointer place-items-center px-2.5 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500 ${size === s.value ? "bg-zinc-200 font-medium dark:bg-zinc-700" : "hover:bg-zinc-100 dark:hover:bg-zinc-800"}`}
          >
            <input type="radio" name="gallery-size" value={s.value} checked={size === s.value} onChange={() => onSize(s.value)} className="sr-only" />
            <span aria-hidden>{s.value.toUpperCase()}</span>
            <span className="sr-only">{s.label}</span>
          </label>
        ))}
      </div>
    </search>
  );
}
