"use client";

// What can be done with an image of the gallery or the viewer, in one place so
// the hover buttons, the menu and the viewer's panel behave the same.
import { useSyncExternalStore } from "react";
import { mutate } from "swr";
import { ASPECT_RATIOS, type AspectRatio } from "@/lib/kling/schema";
import type { TaskDto } from "@/lib/tasks/schema";
import { apiRequest } from "../api-request";
import { toast } from "../toaster";
import { startRerun } from "../use-task";
import { emit, fillFormElsewhere, type FormFill } from "./gallery-events";

function fill(settings: FormFill): boolean {
  if (emit("fill-form", settings)) return true;
  fillFormElsewhere(settings);
  return false;
}

export const UNDO_MS = 10_000;

const taskKey = (id: string) => `/api/tasks/${id}`;

export async function setFavorite(task: TaskDto, index: number, favorite: boolean): Promise<void> {
  const patch = (t: TaskDto): TaskDto => ({ ...t, images: t.images.map((img) => (img.index === index ? { ...img, favorite } : img)) });
  // Optimistic: the star changes at once, and back if the server refuses.
  await mutate<TaskDto>(taskKey(task.id), (current) => patch(current ?? task), { revalidate: false });
  const res = await apiRequest(favorite ? "PUT" : "DELETE", `/api/images/${task.id}/${index}/favorite`);
  if (!res.ok) {
    await mutate<TaskDto>(
      taskKey(task.id),
      (current) => ({ ...(current ?? task), images: (current ?? task).images.map((img) => (img.index === index ? { ...img, favorite: !favorite } : img)) }),
      { revalidate: false },
    );
    toast({ title: "Could not change the favourite", description: res.message, tone: "error" });
  }
}

const asRatio = (r: string): AspectRatio | undefined => ((ASPECT_RATIOS as readonly string[]).includes(r) ? (r as AspectRatio) : undefined);

/** Fills the generate form with everything the task was made with. */
export function loadSettings(task: TaskDto): void {
  const uploaded = task.image === "uploaded";
  const here = fill({
    prompt: task.prompt,
    negative_prompt: task.negative_prompt,
    aspect_ratio: asRatio(task.aspect_ratio),
    n: task.n,
    image_fidelity: task.image_fidelity,
    referenceLink: task.image && !uploaded ? task.image : undefined,
    referenceUrl: uploaded ? `/api/tasks/${task.id}/reference` : undefined,
    referenceName: uploaded ? "Reference of that task" : undefined,
  });
  if (here) toast({ title: "Settings loaded into the form", description: task.prompt });
}

export function loadAsReference(task: TaskDto, index: number): void {
  if (!fill({ referenceUrl: `/api/images/${task.id}/${index}`, referenceName: `Image ${index + 1} of “${task.prompt.slice(0, 40)}”` })) return;
  toast({
    title: "Image set as the reference",
    description: "Describe the new image and press Generate.",
    image: `/api/images/${task.id}/${index}?size=thumb`,
  });
}

export async function rerun(task: TaskDto): Promise<void> {
  const result = await startRerun(task.id);
  if (!result.ok) {
    toast({ title: "Could not start the re-run", description: result.message, tone: "error" });
    return;
  }
  emit("task-created", result.task);
  toast({ title: "Re-run started", description: task.prompt });
}

export async function share(task: TaskDto, index?: number): Promise<void> {
  const res = await apiRequest<{ id: string; url: string }>("POST", "/api/shares", { taskId: task.id, ...(index === undefined ? {} : { index }) });
  if (!res.ok) {
    toast({ title: "Could not make a share link", description: res.message, tone: "error" });
    return;
  }
  const copied = await navigator.clipboard?.writeText(res.data.url).then(
    () => true,
    () => false,
  );
  toast({
    title: copied ? "Share link copied" : "Share link made",
    description: `${res.data.url} — anyone with the link can see ${index === undefined ? "these images" : "this image"} until you revoke it.`,
    duration: 10_000,
    action: { label: "Revoke", onClick: () => void revokeShare(res.data.id) },
  });
}

async function revokeShare(id: string) {
  const res = await apiRequest("DELETE", `/api/shares/${id}`);
  toast(res.ok ? { title: "Share link revoked" } : { title: "Could not revoke the link", description: res.message, tone: "error" });
}

// Deletes wait UNDO_MS for an Undo; leaving the page sends the ones still
// waiting. Tasks (key: task id) and single images (key: "<taskId>.<index>")
// waiting are hidden everywhere (usePendingDeletes), also after moving from a
// task page to the gallery.
const pendingDeletes = new Map<string, number>();
const deleted = new Set<string>();
let pendingIds: ReadonlySet<string> = new Set();
const pendingListeners = new Set<() => void>();

/** timer: waiting for its undo window; null: undone (shown again); "deleted": gone for good. */
function setPending(key: string, timer: number | null | "deleted") {
  pendingDeletes.delete(key);
  if (typeof timer === "number") pendingDeletes.set(key, timer);
  if (timer === "deleted") deleted.add(key);
  pendingIds = new Set([...pendingDeletes.keys(), ...deleted]);
  for (const l of pendingListeners) l();
}

const NONE: ReadonlySet<string> = new Set();
/** Tasks and images ("<taskId>.<index>") deleted, in their undo window or gone. */
export function usePendingDeletes(): ReadonlySet<string> {
  return useSyncExternalStore(
    (l) => {
      pendingListeners.add(l);
      return () => void pendingListeners.delete(l);
    },
    () => pendingIds,
    () => NONE,
  );
}

export const imageKey = (taskId: string, index: number) => `${taskId}.${index}`;

function sendDelete(key: string, keepalive = false) {
  // Task ids have no dot; an image key is "<taskId>.<index>".
  const [taskId, index] = key.split(".") as [string, string | undefined];
  const url = index === undefined ? `/api/tasks/${taskId}` : `/api/images/${taskId}/${index}`;
  void apiRequest("DELETE", url, undefined, { keepalive }).then((res) => {
    const failed = !res.ok && res.status !== 404;
    if (failed && res.status !== 0)
      toast({ title: index === undefined ? "Could not delete the task" : "Could not delete the image", description: res.message, tone: "error" });
    setPending(key, failed ? null : "deleted");
    void mutate(taskKey(taskId));
  });
}

if (typeof window !== "undefined") {
  window.addEventListener("pagehide", () => {
    for (const [key, timer] of pendingDeletes) {
      window.clearTimeout(timer);
      sendDelete(key, true);
    }
  });
}

/** Hides the keys at once and deletes them after UNDO_MS unless the toast's Undo is pressed. */
function deleteLater(keys: string[], toastText: { title: string; description?: string; image?: string }) {
  const timers = keys.map((key) => {
    const timer = window.setTimeout(() => sendDelete(key), UNDO_MS);
    setPending(key, timer);
    return timer;
  });
  toast({
    ...toastText,
    duration: UNDO_MS,
    action: {
      label: "Undo",
      onClick: () => {
        for (const t of timers) window.clearTimeout(t);
        for (const key of keys) setPending(key, null);
      },
    },
  });
}

/** Hides the tasks at once and deletes them (rows, then files) after UNDO_MS unless Undo is pressed. */
export function deleteWithUndo(task: TaskDto | TaskDto[]): void {
  const tasks = Array.isArray(task) ? task : [task];
  const images = tasks.reduce((sum, t) => sum + t.images.length, 0);
  deleteLater(
    tasks.map((t) => t.id),
    {
      title: tasks.length > 1 ? `Deleted ${tasks.length} tasks (${images} images)` : images > 1 ? `Deleted ${images} images` : "Deleted",
      description: tasks.length > 1 ? undefined : tasks[0]!.prompt,
      image: tasks[0]!.images[0]?.thumbnailUrl,
    },
  );
}

/** One image of a task, the same way: hidden at once, deleted after UNDO_MS unless Undo is pressed. */
export function deleteImageWithUndo(task: TaskDto, index: number): void {
  deleteLater([imageKey(task.id, index)], {
    title: `Deleted image ${index + 1}`,
    description: task.prompt,
    image: task.images.find((i) => i.index === index)?.thumbnailUrl,
  });
}
