// Creates a task and submits it at once (the common path for web and API).
// With a concurrency limit the task first waits for a slot (fair-queue.ts):
// granted at once, it is submitted inline as without one; otherwise the
// request answers with the waiting task and a worker submits it when its turn comes.
import { getDb } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { createTask, type CreateTaskOptions } from "./create-task";
import { grantSlots } from "./fair-queue";
import { wakeReconciler } from "./reconciler";
import type { CreateTaskRequest } from "./schema";
import { submitTask } from "./submit-task";
import { takeTask } from "./task-lease";
import { creatorHoldSeconds } from "./timing";
import { getConfig } from "../config";
import { logger } from "../log";

export async function startTask(input: CreateTaskRequest, opts: CreateTaskOptions): Promise<{ task: Task; created: boolean }> {
  const storing = Date.now();
  const { task: stored, created } = await createTask(input, { ...opts, sendNow: true });
  if (!created) return { task: stored, created };
  const leaseSeconds = creatorHoldSeconds(getConfig());
  // Stored as sent under a hold that began just now (only a task its creator holds at once, never a waiting one):
  // that proves the lease as a renewal would. A store that took half the hold (a lock wait, a stalled pool) proves it
  // again before sending.
  const markedAtInsert = stored.submitSentAt !== null && Date.now() - storing < (leaseSeconds * 1000) / 2;
  let task = stored;
  if (stored.status === "waiting") {
    // The task is stored: a grant that fails here (a busy pool) is the reconciler's to make.
    const granted = await grantSlots().catch((err) => {
      logger.warn({ taskId: stored.id, err }, "granting a slot at submit failed; the reconciler will");
      return [] as string[];
    });
    // Others granted along with it are the reconciler's to submit.
    if (granted.some((id) => id !== stored.id)) wakeReconciler();
    const taken = granted.includes(stored.id) ? await takeTask(stored.id, `creator:${stored.id}`, { leaseSeconds }) : null;
    if (!taken) return { task: await currentTask(stored.id), created };
    task = taken;
  }
  // One attempt inline, so the request answers fast; the reconciler takes over after that.
  const submitted = await submitTask(task, { owner: task.leaseOwner!, now: new Date(), leaseSeconds, markedAtInsert });
  // A retryable fault left it queued (or waiting again): let the reconciler try again soon.
  if (submitted.status === "queued" || submitted.status === "waiting") wakeReconciler();
  return { task: submitted, created };
}

const currentTask = (id: string): Promise<Task> => getDb().task.findUniqueOrThrow({ where: { id } });
