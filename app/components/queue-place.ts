// How a waiting task's place in the fair queue reads on its card and page:
// "Waiting for a free slot · 3rd in queue · about 1 min".
import type { TaskDto } from "@/lib/tasks/schema";

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th");
  return `${n}${suffix}`;
}

export function aboutTime(seconds: number): string {
  if (seconds <= 0) return "next up";
  if (seconds <= 55) return `about ${Math.ceil(seconds / 5) * 5} s`;
  if (seconds < 3600) return `about ${Math.ceil(seconds / 60)} min`;
  return `about ${Math.round((seconds / 3600) * 10) / 10} h`;
}

/** The waiting line, or null for a task that is not waiting. */
export function queueLine(task: Pick<TaskDto, "status" | "statusMsg" | "queue">): string | null {
  if (task.status !== "waiting") return null;
  const parts = [task.statusMsg || "Waiting for a free slot"];
  if (task.queue) parts.push(`${ordinal(task.queue.position)} in queue`, aboutTime(task.queue.estimateSeconds));
  return parts.join(" · ");
}
