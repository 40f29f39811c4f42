// The console's most recent failed tasks, each with its reason and a link to its detail page.
import Link from "next/link";
import type { FailedTaskRow } from "@/lib/admin/failed-tasks";
import { RelativeTime } from "../relative-time";

export function FailedTasks({ tasks }: { tasks: FailedTaskRow[] }) {
  if (tasks.length === 0) return <p className="card p-4 text-sm text-zinc-500 dark:text-zinc-400">No failed tasks.</p>;
  return (
    <ul className="card divide-y divide-zinc-100 dark:divide-zinc-800/60">
      {tasks.map((t) => (
        <li key={t.id} data-failed-task={t.id}>
          <Link href={`/admin/tasks/${t.id}`} className="block px-4 py-3 hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
            <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
              <span className="min-w-0 truncate font-medium">{t.prompt}</span>
              <span className="shrink-0 text-xs text-zinc-500 dark:text-zinc-400">
                {t.userEmail} · {t.source === "api" ? "API" : "web"} · <RelativeTime iso={t.finishedAt ?? t.createdAt} />
              </span>
            </div>
            <p className="mt-0.5 text-sm text-red-700 dark:text-red-400">{t.statusMsg || "No reason recorded"}</p>
          </Link>
        </li>
      ))}
    </ul>
  );
}
