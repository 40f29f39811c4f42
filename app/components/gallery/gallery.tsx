"use client";

// The history as a gallery of images: justified rows where every image keeps its
// aspect ratio, a size control, filters applied as you type or choose (kept in
// the URL without a reload), more pages loaded as you scroll (keyset API), a
// total count, placeholders for tasks in progress, and the viewer.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { TaskDto, TaskListDto } from "@/lib/tasks/schema";
import { apiRequest } from "../api-request";
import { toast } from "../toaster";
import { GalleryContext, type GalleryApi } from "./gallery-context";
import { on } from "./gallery-events";
import { usePendingDeletes } from "./image-actions";
import { GalleryFiltersBar, type TileSize } from "./gallery-filters";
import { filtersToParams, isFiltered, PAGE_SIZE, startedTaskMatches, type GalleryFilters } from "./gallery-query";
import { BulkBar } from "./bulk-bar";
import { TaskTiles } from "./task-tiles";
import { Viewer, type ViewerItem } from "./viewer";

type ListState = {
  tasks: TaskDto[];
  nextCursor: string | null;
  hasMore: boolean;
  total: number | null;
  totalImages: number | null;
  loading: boolean;
  error: string | null;
};

const SIZE_KEY = "kling-portal.gallery-size";

export function Gallery({ initial, initialFilters }: { initial: TaskListDto; initialFilters: GalleryFilters }) {
  const [filters, setFilters] = useState<GalleryFilters>(initialFilters);
  const [list, setList] = useState<ListState>({ ...initial, loading: false, error: null });
  const hidden = usePendingDeletes();
  const [size, setSize] = useState<TileSize>("m");
  const [viewing, setViewing] = useState<{ taskId: string; index: number } | null>(null);
  const live = useRef(new Map<string, TaskDto>());
  const [liveTick, setLiveTick] = useState(0);
  const opener = useRef<HTMLElement | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<string | null>(null);
  const order = useRef<string[]>([]);
  const request = useRef<{ seq: number; abort?: AbortController }>({ seq: 0 });
  const sentinel = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const saved = localStorage.getItem(SIZE_KEY);
    if (saved === "s" || saved === "m" || saved === "l") setSize(saved);
  }, []);
  const changeSize = (s: TileSize) => {
    setSize(s);
    try {
      localStorage.setItem(SIZE_KEY, s);
    } catch {
      // Storage is off: the size lasts for this page.
    }
  };

  const load = useCallback(async (f: GalleryFilters, cursor: string | null) => {
    request.current.abort?.abort();
    const abort = new AbortController();
    const seq = ++request.current.seq;
    request.current.abort = abort;
    setList((s) => ({ ...s, loading: true, error: null }));
    const params = filtersToParams(f);
    params.set("limit", String(PAGE_SIZE));
    if (cursor) params.set("cursor", cursor);
    else params.set("count", "true");
    const res = await apiRequest<TaskListDto>("GET", `/api/tasks?${params}`, undefined, { signal: abort.signal, cache: "no-store" });
    if (seq !== request.current.seq) return; // a newer request took over
    if (!res.ok) return setList((s) => ({ ...s, loading: false, error: res.message }));
    setList((s) => {
      const known = cursor ? new Set(s.tasks.map((t) => t.id)) : new Set<string>();
      return {
        tasks: cursor ? [...s.tasks, ...res.data.tasks.filter((t) => !known.has(t.id))] : res.data.tasks,
        nextCursor: res.data.nextCursor,
        hasMore: res.data.hasMore,
        total: cursor ? s.total : res.data.total,
        totalImages: cursor ? s.totalImages : res.data.totalImages,
        loading: false,
        error: null,
      };
    });
  }, []);

  // Filters: the URL changes in place (no navigation, focus stays), then the first page loads.
  const applyFilters = useCallback(
    (next: GalleryFilters) => {
      setFilters(next);
      const qs = filtersToParams(next).toString();
      window.history.replaceState(window.history.state, "", qs ? `/?${qs}` : "/");
      void load(next, null);
    },
    [load],
  );

  // More as the end of the gallery comes near.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !list.hasMore || list.loading || list.error) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void load(filters, list.nextCursor), { rootMargin: "800px 0px" });
    io.observe(el);
    return () => io.disconnect();
  }, [filters, list.hasMore, list.loading, list.error, list.nextCursor, load]);

  // A task started from the form (or a re-run) appears first, where the user can see it.
  useEffect(
    () =>
      on("task-created", (task) => {
        if (!startedTaskMatches(filters, task)) {
          toast({
            title: "Generation started",
            description: "It is not shown under the current filters.",
            action: { label: "Show all", onClick: () => applyFilters({}) },
          });
          return;
        }
        setList((s) => (s.tasks.some((t) => t.id === task.id) ? s : { ...s, tasks: [task, ...s.tasks], total: s.total === null ? null : s.total + 1 }));
        requestAnimationFrame(() => {
          const el = document.querySelector(`[data-task-id="${task.id}"] > *`) ?? top.current;
          el?.scrollIntoView({ behavior: "smooth", block: "nearest" });
        });
      }),
    [filters, applyFilters],
  );

  const visible = useMemo(() => list.tasks.filter((t) => !hidden.has(t.id)), [list.tasks, hidden]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: liveTick stands for changes to live.current (a ref), which re-list the viewer's images.
  const viewerItems = useMemo<ViewerItem[]>(() => {
    const items: ViewerItem[] = [];
    for (const t of visible) {
      const task = live.current.get(t.id) ?? t;
      if (task.status !== "succeed") continue;
      for (const img of task.images) if (!filters.favorite || img.favorite) items.push({ task, index: img.index });
    }
    order.current = items.map((i) => `${i.task.id}.${i.index}`);
    return items;
  }, [visible, filters.favorite, liveTick]);

  const api = useMemo<GalleryApi>(
    () => ({
      open: (taskId, index, el) => {
        opener.current = el;
        setViewing({ taskId, index });
      },
      favoritesOnly: !!filters.favorite,
      selected,
      select: (key, on, shift) => {
        const from = anchor.current ? order.current.indexOf(anchor.current) : -1;
        const to = order.current.indexOf(key);
        const keys = shift && from >= 0 && to >= 0 ? order.current.slice(Math.min(from, to), Math.max(from, to) + 1) : [key];
        anchor.current = key;
        setSelected((current) => {
          const next = new Set(current);
          for (const k of keys) {
            if (on) next.add(k);
            else next.delete(k);
          }
          return next;
        });
      },
    }),
    [filters.favorite, selected],
  );
  const onLive = useCallback((task: TaskDto) => {
    const before = live.current.get(task.id);
    live.current.set(task.id, task);
    if (before && (before.status !== task.status || before.images !== task.images)) setLiveTick((n) => n + 1);
  }, []);

  const at = viewing ? viewerItems.findIndex((i) => i.task.id === viewing.taskId && i.index === viewing.index) : -1;
  const imageCount = list.totalImages;
  const filtered = isFiltered(filters);

  return (
    <GalleryContext.Provider value={api}>
      <div ref={top} className="space-y-4">
        <GalleryFiltersBar filters={filters} onChange={applyFilters} size={size} onSize={changeSize} />
        <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite" data-testid="gallery-count">
          {list.loading && !list.tasks.length
            ? "Loading…"
            : imageCount === null
              ? ""
              : `${imageCount} image${imageCount === 1 ? "" : "s"}${filtered ? " match" : ""}`}
        </p>
        {list.error && (
          <p role="alert" className="field-error">
            {list.error}{" "}
            <button type="button" className="underline" onClick={() => void load(filters, list.tasks.length ? list.nextCursor : null)}>
              Try again
            </button>
          </p>
        )}
        {visible.length === 0 && !list.loading ? (
          <div className="card grid place-items-center gap-2 px-6 py-14 text-center">
            {filtered ? (
              <>
                <p className="font-medium">{filters.favorite ? "No favourites here yet." : "No images match these filters."}</p>
                <button type="button" className="text-sm text-brand-600 underline dark:text-brand-400" onClick={() => applyFilters({})}>
                  Show all images
                </button>
              </>
            ) : (
              <>
                <p className="text-lg font-medium">Nothing here yet</p>
                <p className="max-w-md text-sm text-zinc-600 dark:text-zinc-400">
                  Describe an image in the form above, or pick one of the examples, and press Generate. Every result is kept here.
                </p>
              </>
            )}
          </div>
        ) : (
          <div data-testid="gallery" data-size={size} className="gallery">
            {visible.map((t) => (
              <TaskTiles key={t.id} initial={t} onLive={onLive} />
            ))}
          </div>
        )}
        <div ref={sentinel} aria-hidden className="h-px" />
        {selected.size > 0 && <BulkBar selected={selected} items={viewerItems} onClear={() => setSelected(new Set())} />}
        {list.loading && list.tasks.length > 0 && <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">Loading more…</p>}
        {!list.hasMore && list.tasks.length > PAGE_SIZE && <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">That is everything.</p>}
      </div>
      {viewing && at >= 0 && (
        <Viewer
          items={viewerItems}
          at={at}
          onAt={(i) => setViewing({ taskId: viewerItems[i]!.task.id, index: viewerItems[i]!.index })}
          onClose={() => setViewing(null)}
          returnFocus={() => {
            const last = viewing;
            const tile = document.querySelector<HTMLElement>(`[data-task-id="${last.taskId}"] [data-index="${last.index}"] button`);
            (tile ?? opener.current)?.focus();
          }}
        />
      )}
    </GalleryContext.Provider>
  );
}
