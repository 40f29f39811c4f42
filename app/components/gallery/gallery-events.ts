// The channel between the generate form and the gallery on one page: a task
// the form started appears in the gallery, and "use settings" / "use as
// reference" on an image fill the form. Plain module state: both live in the
// same client bundle, and nothing here needs to survive a reload.
import type { AspectRatio } from "@/lib/kling/schema";
import type { TaskDto } from "@/lib/tasks/schema";

export type FormFill = {
  prompt?: string;
  negative_prompt?: string | null;
  aspect_ratio?: AspectRatio;
  n?: number;
  image_fidelity?: number;
  /** An image to use as the reference, fetched by the form (same origin). */
  referenceUrl?: string;
  referenceName?: string;
  /** A reference URL the task was made with (an http(s) link). */
  referenceLink?: string;
};

type Events = { "task-created": TaskDto; "fill-form": FormFill };
type Handler<K extends keyof Events> = (payload: Events[K]) => void;

const handlers: { [K in keyof Events]: Set<Handler<K>> } = { "task-created": new Set(), "fill-form": new Set() };

/** Calls every handler; false when nobody on this page listens (no form here). */
export function emit<K extends keyof Events>(event: K, payload: Events[K]): boolean {
  for (const h of handlers[event]) (h as Handler<K>)(payload);
  return handlers[event].size > 0;
}

const CARRIED_FILL = "kling-portal.carried-fill";

/** "Use settings" from a page without the form: the fill travels to the form's page. */
export function fillFormElsewhere(fill: FormFill): void {
  try {
    sessionStorage.setItem(CARRIED_FILL, JSON.stringify(fill));
  } catch {
    // Storage is off: the form opens empty.
  }
  window.location.assign("/");
}

/** The fill carried from another page, once. */
export function takeCarriedFill(): FormFill | null {
  try {
    const raw = sessionStorage.getItem(CARRIED_FILL);
    sessionStorage.removeItem(CARRIED_FILL);
    return raw ? (JSON.parse(raw) as FormFill) : null;
  } catch {
    return null;
  }
}

export function on<K extends keyof Events>(event: K, handler: Handler<K>): () => void {
  handlers[event].add(handler);
  return () => void handlers[event].delete(handler);
}

// Tasks in progress that someone on this page has seen start: watched from the
// layout (finished-toasts.tsx) so their end is announced on whatever page the
// user is on by then.
let tracked: readonly TaskDto[] = [];
const trackListeners = new Set<() => void>();
const notifyTracked = () => {
  for (const l of trackListeners) l();
};

export function trackTask(task: TaskDto): void {
  if (tracked.some((t) => t.id === task.id)) return;
  tracked = [...tracked, task];
  notifyTracked();
}

export function untrackTask(id: string): void {
  if (!tracked.some((t) => t.id === id)) return;
  tracked = tracked.filter((t) => t.id !== id);
  notifyTracked();
}

export const subscribeTracked = (l: () => void) => {
  trackListeners.add(l);
  return () => void trackListeners.delete(l);
};
export const trackedTasks = () => tracked;
