import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TaskView } from "@/app/components/task-view";
import { requireUser } from "@/lib/auth/session";
import { ApiError } from "@/lib/http/errors";
import { getTaskOrThrow } from "@/lib/tasks/get-task-or-throw";
import { LiveTasks } from "@/app/components/live-tasks";

export const metadata: Metadata = { title: "Task" };

export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/tasks/${encodeURIComponent(id)}`);
  const task = await getTaskOrThrow({ id, userId: user.id }).catch((err) => {
    // Another user's task looks exactly like a missing one.
    if (err instanceof ApiError && err.status === 404) notFound();
    throw err;
  });
  return (
    <div className="space-y-4">
      <Link href="/" className="text-sm text-brand-600 hover:underline dark:text-brand-500">← Your images</Link>
      <TaskView initial={task} />
      {/* Live from the moment this page was rendered. */}
      <LiveTasks since={Date.now()} />
    </div>
  );
}
