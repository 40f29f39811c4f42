// Create + gallery: the generate form above the signed-in user's images,
// newest first; filters come from the URL, the first page is rendered here
// and the gallery loads the rest as the user scrolls.
import type { Metadata } from "next";
import { GenerateForm } from "@/app/components/generate-form";
import { Gallery } from "@/app/components/gallery/gallery";
import { filtersFromParams, isFiltered, PAGE_SIZE } from "@/app/components/gallery/gallery-query";
import { requireUser } from "@/lib/auth/session";
import { listTasks } from "@/lib/tasks/list-tasks";

export const metadata: Metadata = { title: "Create" };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function HomePage({ searchParams }: { searchParams: Search }) {
  const user = await requireUser("/");
  const raw = await searchParams;
  const filters = filtersFromParams((k) => (typeof raw[k] === "string" ? (raw[k] as string) : undefined));
  const page = await listTasks(user.id, { ...filters, limit: PAGE_SIZE, count: true });

  return (
    <div className="space-y-8">
      <section aria-labelledby="create-heading" className="space-y-3">
        <h1 id="create-heading" className="text-xl font-semibold">
          Create
        </h1>
        <GenerateForm showExamples={page.tasks.length === 0 && !isFiltered(filters)} />
      </section>

      <section aria-labelledby="history-heading" className="space-y-4">
        <h2 id="history-heading" className="text-xl font-semibold">
          Your images
        </h2>
        <Gallery initial={page} initialFilters={filters} />
      </section>
    </div>
  );
}
