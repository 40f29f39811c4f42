// The console's failed tasks: the most recent ones with their reasons, and one
// task in full for its detail page (admins see any user's task).
import { getDb } from "../db/client";

export type FailedTaskRow = { id: string; userEmail: string; source: string; prompt: string; statusMsg: string; createdAt: string; finishedAt: string | null };

export async function listRecentFailedTasks(limit = 50): Promise<FailedTaskRow[]> {
  const rows = await getDb().task.findMany({
    where: { status: "failed" },
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, source: true, prompt: true, statusMsg: true, createdAt: true, finishedAt: true, user: { select: { email: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    userEmail: r.user.email,
    source: r.source,
    prompt: r.prompt,
    statusMsg: r.statusMsg,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  }));
}

/** A task for the admin's detail page: what an operator needs to see why it ended as it did (no secrets). */
export async function getTaskForAdmin(id: string) {
  return getDb().task.findUnique({
    where: { id },
    select: {
      id: true,
      status: true,
      statusMsg: true,
      source: true,
      provider: true,
      upstreamTaskId: true,
      prompt: true,
      negativePrompt: true,
      imageRef: true,
      imageFidelity: true,
      n: true,
      aspectRatio: true,
      attempts: true,
      archiveAttempts: true,
      submitSentAt: true,
      upstreamSucceededAt: true,
      nextCheckAt: true,
      deadlineAt: true,
      createdAt: true,
      updatedAt: true,
      finishedAt: true,
      user: { select: { id: true, email: true } },
      images: { select: { index: true, width: true, height: true, bytes: true }, orderBy: { index: "asc" } },
      deliveries: { select: { taskStatus: true, state: true, attempts: true, lastStatusCode: true, lastError: true }, orderBy: { createdAt: "asc" } },
    },
  });
}
