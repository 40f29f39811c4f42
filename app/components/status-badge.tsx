import { isFinal, type PortalTaskStatus } from "@/lib/tasks/schema";

const STYLES: Record<PortalTaskStatus, { label: string; className: string }> = {
  waiting: { label: "Waiting", className: "bg-amber-100 text-amber-800 dark:bg-amber-900/40 dark:text-amber-200" },
  queued: { label: "Queued", className: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300" },
  submitted: { label: "Submitted", className: "bg-sky-100 text-sky-800 dark:bg-sky-900/40 dark:text-sky-200" },
  processing: { label: "Generating", className: "bg-violet-100 text-violet-800 dark:bg-violet-900/40 dark:text-violet-200" },
  succeed: { label: "Done", className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-200" },
  failed: { label: "Failed", className: "bg-red-100 text-red-800 dark:bg-red-900/40 dark:text-red-200" },
};

export function StatusBadge({ status }: { status: PortalTaskStatus }) {
  const s = STYLES[status];
  const busy = !isFinal(status);
  return (
    <span data-status={status} className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ${s.className}`}>
      {busy && <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current" />}
      {s.label}
    </span>
  );
}

export const STATUS_LABELS = Object.fromEntries(Object.entries(STYLES).map(([k, v]) => [k, v.label])) as Record<PortalTaskStatus, string>;
