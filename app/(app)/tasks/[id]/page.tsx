import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { TaskView } from "@/app/components/task-view";
import { getSessionUser, requireUser } from "@/lib/auth/session";
import { ApiError } from "@/lib/http/errors";
import { getTaskOrThrow } from "@/lib/tasks/get-task-or-throw";
import { LiveTasks } from "@/app/components/live-tasks";

type Params = { params: Promise<{ id: string }> };

// One lookup per request for the title and the page.
const findTask = cache((id: string, userId: string) =>
  getTaskOrThrow({ id, userId }).catch((err) => {
    // Another user's task looks exactly like a missing one.
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }),
);

/** The tab is titled by the prompt, so several open tasks can be told apart. */
export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id } = await params;
  const user = await getSessionUser();
  const task = user ? await findTask(id, user.id) : null;
  if (!task) return { title: "Task" };
  const prompt = task.prompt.replace(/\s+/g, " ").trim();
  return { title: prompt.length > 60 ? `${prompt.slice(0, 59)}…` : prompt };
}

export default async function TaskPage({ params }: Params) {
  const { id } = await params;
  const user = await requireUser(`/tasks/${encodeURIComponent(id)}`);
  const task = await findTask(id, user.id);
  if (!task) notFound();
  return (
    <div className="space-y-4">
      <Link href="/" className="text-sm text-brand-600 hover:underline dark:text-brand-400">
        ← Your images
      </Link>
      <TaskView initial={task} />
      {/* Live from the moment this page was rendered. */}
      <LiveTasks since={Date.now()} />
    </div>
  );
}
