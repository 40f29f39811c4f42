"use client";

// Announces a task that finishes while the user looks elsewhere: on another
// page of the app, or scrolled away from its tile. Lives in the signed-in
// layout beside the one event stream, so it outlasts page changes.
import { useEffect, useSyncExternalStore } from "react";
import { isFinal, type TaskDto } from "@/lib/tasks/schema";
import { subscribeTracked, trackedTasks, untrackTask } from "./gallery/gallery-events";
import { toast } from "./toaster";
import { useLiveTask } from "./use-task";

const NONE: readonly TaskDto[] = [];

export function FinishedToasts() {
  const tasks = useSyncExternalStore(subscribeTracked, trackedTasks, () => NONE);
  return tasks.map((t) => <Watch key={t.id} initial={t} />);
}

/** Whether the user can see this task right now: its own page, or its tile on screen. */
function inView(taskId: string): boolean {
  if (document.visibilityState !== "visible") return false;
  if (location.pathname === `/tasks/${taskId}`) return true;
  const box = document.querySelector(`[data-task-id="${taskId}"] > *`)?.getBoundingClientRect();
  return !!box && box.bottom > 0 && box.top < window.innerHeight;
}

function Watch({ initial }: { initial: TaskDto }) {
  const { task, gone } = useLiveTask(initial);
  useEffect(() => {
    if (gone) return untrackTask(task.id);
    if (!isFinal(task.status)) return;
    untrackTask(task.id);
    if (inView(task.id)) return;
    const open = () => {
      const tile = location.pathname === "/" ? document.querySelector(`[data-task-id="${task.id}"] > *`) : null;
      if (tile) tile.scrollIntoView({ behavior: "smooth", block: "center" });
      else location.assign(`/tasks/${task.id}`);
    };
    toast(
      task.status === "succeed"
        ? { title: "Images ready", description: task.prompt, image: task.images[0]?.thumbnailUrl, action: { label: "Show", onClick: open } }
        : { title: "A generation failed", description: task.statusMsg || task.prompt, tone: "error", action: { label: "Show", onClick: open } },
    );
  }, [task, gone]);
  return null;
}
