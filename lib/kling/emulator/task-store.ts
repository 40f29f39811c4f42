// The emulator's bounded memory of tasks: the oldest task goes once there are
// more than maxTasks, and the external_task_id index follows it.
import type { EmulatedTask } from "./task-clock";

export type TaskStore = ReturnType<typeof createTaskStore>;

export function createTaskStore(maxTasks: number) {
  const tasks = new Map<string, EmulatedTask>();
  const byExternal = new Map<string, string>();
  return {
    add(task: EmulatedTask) {
      tasks.set(task.id, task);
      if (task.externalTaskId) byExternal.set(task.externalTaskId, task.id);
      while (tasks.size > maxTasks) {
        const oldest = tasks.values().next().value!;
        tasks.delete(oldest.id);
        if (oldest.externalTaskId && byExternal.get(oldest.externalTaskId) === oldest.id) byExternal.delete(oldest.externalTaskId);
      }
    },
    get(id: string): EmulatedTask | undefined {
      return tasks.get(id);
    },
    byExternalId(externalTaskId: string): EmulatedTask | undefined {
      const id = byExternal.get(externalTaskId);
      return id === undefined ? undefined : tasks.get(id);
    },
    /** Image slots of tasks not yet final at `now`: what the account's parallel limit counts. */
    slotsInFlight(now = Date.now()): number {
      let slots = 0;
      for (const t of tasks.values()) if (t.endsAt > now) slots += t.request.n ?? 1;
      return slots;
    },
    get size() {
      return tasks.size;
    },
  };
}
