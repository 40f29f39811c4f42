// The console's system figures, from one database snapshot (lib/ops/system-snapshot.ts).
import { STATUS_LABELS } from "@/app/components/status-badge";
import type { SystemSnapshot } from "@/lib/ops/system-snapshot";
import { TASK_STATUSES } from "@/lib/ops/system-snapshot";

/** "42 s", "3 min", "2 h 5 min". */
export function formatAge(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function Figure({ label, value, hint, warn }: { label: string; value: string; hint?: string; warn?: boolean }) {
  return (
    <div className="card p-4" data-figure={label}>
      <dt className="text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className={`mt-1 text-2xl font-semibold tabular-nums ${warn ? "text-amber-700 dark:text-amber-400" : ""}`}>{value}</dd>
      {hint && <dd className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">{hint}</dd>}
    </div>
  );
}

export function SystemPanel({ snapshot }: { snapshot: SystemSnapshot }) {
  const { queue, callbacks, outcomes, tasks } = snapshot;
  const rate = outcomes.failureRateLast24h;
  return (
    <div className="space-y-3">
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Figure label="Queue depth" value={String(queue.depth)} hint={`${queue.due} due now · ${queue.pendingSubmit} waiting to submit`} />
        <Figure label="Tasks in flight" value={String(queue.inFlightUpstream)} hint={`at upstream · ${queue.leased} being worked`} />
        <Figure
          label="Oldest due task"
          value={formatAge(queue.oldestDueAgeSeconds)}
          hint="how long it has waited for a worker"
          warn={queue.oldestDueAgeSeconds > 60}
        />
        <Figure
          label="Caller callbacks"
          value={String(callbacks.backlog)}
          hint={
            callbacks.backlog
              ? `pending, oldest ${formatAge(callbacks.oldestBacklogAgeSeconds)} · ${callbacks.failedLast24h} given up (24 h)`
              : `pending · ${callbacks.failedLast24h} given up (24 h)`
          }
          warn={callbacks.oldestBacklogAgeSeconds > 300}
        />
      </dl>
      <dl className="grid gap-3 sm:grid-cols-[1fr_2fr]">
        <Figure
          label="Upstream failure rate (24 h)"
          value={rate === null ? "—" : `${(rate * 100).toFixed(1)} %`}
          hint={`${outcomes.failedLast24h} of ${outcomes.finishedLast24h} finished tasks failed`}
          warn={rate !== null && rate > 0.1}
        />
        <div className="card p-4">
          <dt className="text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Tasks created in the last 24 h, by status</dt>
          <dd className="mt-2 flex flex-wrap gap-2">
            {TASK_STATUSES.map((s) => (
              <span key={s} data-status-count={s} className="rounded-full bg-zinc-100 px-2.5 py-1 text-sm tabular-nums dark:bg-zinc-800">
                {STATUS_LABELS[s]} <strong>{tasks.createdLast24h[s]}</strong>
              </span>
            ))}
          </dd>
        </div>
      </dl>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        As of {new Date(snapshot.takenAt).toLocaleTimeString("en", { timeZone: "UTC", timeStyle: "medium" })} UTC; refreshed every 15 seconds.
      </p>
    </div>
  );
}
