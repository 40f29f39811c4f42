// The text GET /api/metrics answers: this process's counters plus the
// pipeline's state read from the database at the moment of the scrape.
import { getMetrics } from "./metrics";
import { getSystemSnapshot, TASK_STATUSES } from "./system-snapshot";

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const m = getMetrics();
  const s = await getSystemSnapshot();
  for (const status of TASK_STATUSES) m.tasks.set({ status }, s.tasks.byStatus[status]);
  m.queueDepth.set(s.queue.depth);
  m.tasksInFlight.set(s.queue.inFlightUpstream);
  m.reconcilerLag.set(s.queue.oldestDueAgeSeconds);
  m.callbackBacklog.set(s.callbacks.backlog);
  m.callbackBacklogAge.set(s.callbacks.oldestBacklogAgeSeconds);
  return { contentType: m.registry.contentType, body: await m.registry.metrics() };
}
