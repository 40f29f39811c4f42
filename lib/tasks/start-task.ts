// Creates a task and submits it at once (the common path for web and API).
import type { Task } from "../generated/prisma/client";
import { createTask, type CreateTaskOptions } from "./create-task";
import { wakeReconciler } from "./reconciler";
import type { CreateTaskRequest } from "./schema";
import { submitTask } from "./submit-task";
import { creatorHoldSeconds } from "./timing";
import { getConfig } from "../config";

export async function startTask(input: CreateTaskRequest, opts: CreateTaskOptions): Promise<{ task: Task; created: boolean }> {
  const { task, created } = await createTask(input, opts);
  if (!created) return { task, created };
  // One attempt inline, so the request answers fast; the reconciler takes over after that.
  const submitted = await submitTask(task, { owner: task.leaseOwner!, now: new Date(), leaseSeconds: creatorHoldSeconds(getConfig()) });
  // A retryable fault left it queued: let the reconciler try again soon.
  if (submitted.status === "queued") wakeReconciler();
  return { task: submitted, created };
}
