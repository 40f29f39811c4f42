import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { StatusBadge } from "@/app/components/status-badge";
import { requireAdminPage } from "@/lib/admin/admin-route";
import { getTaskForAdmin } from "@/lib/admin/failed-tasks";

export const metadata: Metadata = { title: "Task (admin)" };

const when = (d: Date | null) => (d ? `${d.toISOString().replace("T", " ").slice(0, 19)} UTC` : "—");

export default async function AdminTaskPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdminPage();
  const { id } = await params;
  const task = id.length <= 100 ? await getTaskForAdmin(id) : null;
  if (!task) notFound();
  const rows: [string, React.ReactNode][] = [
    ["Owner", task.user.email],
    ["Source", task.source === "api" ? "API key" : "Web"],
    ["Reason", task.statusMsg || "—"],
    ["Prompt", task.prompt],
    ["Negative prompt", task.negativePrompt ?? "—"],
    ["Reference image", task.imageRef ? (task.imageRef.startsWith("blob:") ? "Uploaded" : task.imageRef) : "—"],
    ["Images · ratio · fidelity", `${task.n} · ${task.aspectRatio} · ${task.imageFidelity}`],
    ["Provider · upstream id", `${task.provider} · ${task.upstreamTaskId ?? "none"}`],
    ["Check attempts · archive attempts", `${task.attempts} · ${task.archiveAttempts}`],
    ["Submit sent", when(task.submitSentAt)],
    ["Upstream succeeded", when(task.upstreamSucceededAt)],
    ["Created · finished", `${when(task.createdAt)} · ${when(task.finishedAt)}`],
    ["Next check · deadline", `${when(task.nextCheckAt)} · ${when(task.deadlineAt)}`],
    ["Archived images", task.images.length ? task.images.map((i) => `#${i.index} ${i.width}×${i.height}`).join(", ") : "none"],
    [
      "Caller notifications",
      task.deliveries.length
        ? task.deliveries
            .map(
              (d) =>
                `${d.taskStatus}: ${d.state} after ${d.attempts} tries${d.lastStatusCode ? ` (HTTP ${d.lastStatusCode})` : ""}${d.lastError ? `, ${d.lastError}` : ""}`,
            )
            .join("; ")
        : "none",
    ],
  ];
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <Link href="/admin" className="text-sm text-brand-600 hover:underline dark:text-brand-400">
        ← Admin console
      </Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="font-mono text-lg font-semibold break-all">{task.id}</h1>
        <StatusBadge status={task.status} />
      </div>
      <dl className="card divide-y divide-zinc-100 dark:divide-zinc-800/60">
        {rows.map(([label, value]) => (
          <div key={label} className="grid gap-1 px-4 py-2.5 text-sm sm:grid-cols-[14rem_1fr]">
            <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
            <dd className="break-words">{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
