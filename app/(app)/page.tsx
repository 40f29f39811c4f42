// Create + history: the generate form above the signed-in user's tasks,
// newest first, filtered and paged through the URL.
import type { Metadata } from "next";
import Link from "next/link";
import { GenerateForm } from "@/app/components/generate-form";
import { HistoryFilters } from "@/app/components/history-filters";
import { LiveTasks } from "@/app/components/live-tasks";
import { TaskCard } from "@/app/components/task-card";
import { requireUser } from "@/lib/auth/session";
import { ApiError } from "@/lib/http/errors";
import { listTasks } from "@/lib/tasks/list-tasks";
import { listTasksQuerySchema, type TaskListDto } from "@/lib/tasks/schema";

export const metadata: Metadata = { title: "Create" };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function HomePage({ searchParams }: { searchParams: Search }) {
  const user = await requireUser("/");
  const renderedAt = Date.now();
  const raw = await searchParams;
  const pick = (k: string) => (typeof raw[k] === "string" && raw[k] ? (raw[k] as string) : undefined);
  const parsed = listTasksQuerySchema.safeParse({ status: pick("status"), q: pick("q"), aspect_ratio: pick("aspect_ratio"), cursor: pick("cursor") });
  const query = parsed.success ? parsed.data : { limit: 24 };
  let page: TaskListDto;
  try {
    page = await listTasks(user.id, query);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    page = await listTasks(user.id, { limit: 24 });
  }
  const filtered = !!(query.status || query.q || query.aspect_ratio);
  const params = (extra: Record<string, string | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ status: query.status, q: query.q, aspect_ratio: query.aspect_ratio, ...extra })) if (v) p.set(k, v);
    const s = p.toString();
    return s ? `/?${s}` : "/";
  };

  return (
    <div className="space-y-8">
      <LiveTasks since={renderedAt} />
      <section aria-labelledby="create-heading" className="space-y-3">
        <h1 id="create-heading" className="text-xl font-semibold">Create</h1>
        <GenerateForm showExamples={page.tasks.length === 0 && !filtered && !query.cursor} />
      </section>

      <section aria-labelledby="history-heading" className="space-y-4">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="history-heading" className="text-xl font-semibold">Your images</h2>
          <HistoryFilters status={query.status} q={query.q} ratio={query.aspect_ratio} />
        </div>
        {!parsed.success && <p className="field-error">Some filters were not valid and were ignored.</p>}
        {page.tasks.length === 0 ? (
          <div className="card grid place-items-center gap-2 px-6 py-14 text-center">
            {filtered ? (
              <>
                <p className="font-medium">No images match these filters.</p>
                <Link href="/" className="text-sm text-brand-600 hover:underline dark:text-brand-400">Show all images</Link>
              </>
            ) : query.cursor ? (
              <p className="font-medium">No older images.</p>
            ) : (
              <>
                <p className="text-lg font-medium">Nothing here yet</p>
                <p className="max-w-md text-sm text-zinc-500 dark:text-zinc-400">
                  Describe an image in the form above, or pick one of the examples, and press Generate. Every result is kept here, and the same history is reachable from your programs through the <Link href="/docs" className="text-brand-600 hover:underline dark:text-brand-400">API</Link>.
                </p>
              </>
            )}
          </div>
        ) : (
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
            {page.tasks.map((t) => (
              <li key={t.id} className="contents">
                <TaskCard initial={t} />
              </li>
            ))}
          </ul>
        )}
        <nav aria-label="Pages" className="flex justify-between text-sm">
          {query.cursor ? <Link href={params({})} className="btn-secondary min-h-9">← Newest</Link> : <span />}
          {page.hasMore && page.nextCursor && <Link href={params({ cursor: page.nextCursor })} className="btn-secondary min-h-9">Older →</Link>}
        </nav>
      </section>
    </div>
  );
}
