// Counting for drills: per portal task (its external_task_id, else its
// callback_url, unique per task) how many submissions arrived, which upstream
// tasks they made, and whether one of them has succeeded. Bounded memory.
export type RefStats = { submissions: number; taskIds: string[]; succeeded: boolean };

const MAX_TASK_IDS_PER_REF = 100;

type Entry = { submissions: number; tasks: { id: string; succeedsAt?: number }[] };

export type DrillStats = ReturnType<typeof createDrillStats>;

export function createDrillStats(maxRefs: number) {
  const refs = new Map<string, Entry>();
  return {
    /** One submission for `ref`; `task` when it made an upstream task (`succeedsAt` when that task will end `succeed`). */
    record(ref: string, task?: { id: string; succeedsAt?: number }) {
      let entry = refs.get(ref);
      if (!entry) {
        entry = { submissions: 0, tasks: [] };
        refs.set(ref, entry);
        if (refs.size > maxRefs) refs.delete(refs.keys().next().value!);
      }
      entry.submissions++;
      if (task) {
        entry.tasks.push(task);
        if (entry.tasks.length > MAX_TASK_IDS_PER_REF) entry.tasks.shift();
      }
    },
    snapshot(now = Date.now()): Record<string, RefStats> {
      const out: Record<string, RefStats> = {};
      for (const [ref, e] of refs) {
        out[ref] = {
          submissions: e.submissions,
          taskIds: e.tasks.map((t) => t.id),
          succeeded: e.tasks.some((t) => t.succeedsAt !== undefined && t.succeedsAt <= now),
        };
      }
      return out;
    },
  };
}
