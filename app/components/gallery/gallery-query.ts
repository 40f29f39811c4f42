// The gallery's filters as they live in the URL and in API queries.
import { ASPECT_RATIOS, type AspectRatio } from "@/lib/kling/schema";
import { TASK_STATUSES, type PortalTaskStatus } from "@/lib/tasks/schema";

export type GalleryFilters = { q?: string; status?: PortalTaskStatus; aspect_ratio?: AspectRatio; favorite?: boolean };

export const PAGE_SIZE = 24;

export function filtersToParams(f: GalleryFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.q?.trim()) p.set("q", f.q.trim());
  if (f.status) p.set("status", f.status);
  if (f.aspect_ratio) p.set("aspect_ratio", f.aspect_ratio);
  if (f.favorite) p.set("favorite", "true");
  return p;
}

/** Only values the API accepts: a hand-edited URL cannot make the gallery fail. */
export function filtersFromParams(get: (key: string) => string | undefined): GalleryFilters {
  const status = get("status");
  const ratio = get("aspect_ratio");
  const q = get("q")?.trim().slice(0, 200);
  return {
    q: q || undefined,
    status: (TASK_STATUSES as readonly string[]).includes(status ?? "") ? (status as PortalTaskStatus) : undefined,
    aspect_ratio: (ASPECT_RATIOS as readonly string[]).includes(ratio ?? "") ? (ratio as AspectRatio) : undefined,
    favorite: get("favorite") === "true" || get("favorite") === "1" || undefined,
  };
}

export const isFiltered = (f: GalleryFilters) => !!(f.q || f.status || f.aspect_ratio || f.favorite);

/** Whether a task just started belongs in the gallery under these filters. */
export function startedTaskMatches(f: GalleryFilters, task: { prompt: string; aspect_ratio: string; status: string }): boolean {
  if (f.favorite) return false;
  if (f.status && f.status !== task.status) return false;
  if (f.aspect_ratio && f.aspect_ratio !== task.aspect_ratio) return false;
  return !f.q || task.prompt.toLowerCase().includes(f.q.trim().toLowerCase());
}
