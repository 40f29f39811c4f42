import { ASPECT_RATIOS } from "@/lib/kling/schema";
import { TASK_STATUSES, type PortalTaskStatus } from "@/lib/tasks/schema";
import { STATUS_LABELS } from "./status-badge";

/** Plain GET form: works without JavaScript and keeps filters in the URL. */
export function HistoryFilters({ status, q, ratio }: { status?: PortalTaskStatus; q?: string; ratio?: string }) {
  return (
    <form method="get" action="/" role="search" className="flex flex-wrap items-center gap-2">
      <label htmlFor="history-q" className="sr-only">Search prompts</label>
      <input id="history-q" type="search" name="q" defaultValue={q} placeholder="Search prompts" className="input w-56 py-1.5" />
      <label htmlFor="history-status" className="sr-only">Status</label>
      <select id="history-status" name="status" defaultValue={status ?? ""} className="input w-40 py-1.5">
        <option value="">All statuses</option>
        {TASK_STATUSES.map((s) => (
          <option key={s} value={s}>{STATUS_LABELS[s]}</option>
        ))}
      </select>
      <label htmlFor="history-ratio" className="sr-only">Aspect ratio</label>
      <select id="history-ratio" name="aspect_ratio" defaultValue={ratio ?? ""} className="input w-32 py-1.5">
        <option value="">All ratios</option>
        {ASPECT_RATIOS.map((r) => (
          <option key={r} value={r}>{r}</option>
        ))}
      </select>
      <button type="submit" className="btn-secondary min-h-9">Filter</button>
      {(status || q || ratio) && <a href="/" className="text-sm text-brand-600 hover:underline dark:text-brand-400">Clear</a>}
    </form>
  );
}
