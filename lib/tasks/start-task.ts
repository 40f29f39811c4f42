// Creates a task and submits it at once (the common path for web and API).
// With a concurrency limit the task first waits for a slot (fair-queue.ts):
// granted at once, it is submitted inline as without one; otherwise the
// request answers with the waiting task and a worker submits it when its turn comes.
import type { AdmittedWrite } from "../auth/admit-grouped";
import { getDb, Prisma } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { isHttpLink } from "../kling/schema";
import { createTask, type CreateTaskOptions, creatorOf, newTaskId, newTaskRow } from "./create-task";
import { insertTasksSql, NEW_TASK_COLUMNS, newTaskValues } from "./insert-task";
import { unlimitedSql } from "../usage/reserve";
import { grantSlots, releaseHold } from "./fair-queue";
import { wakeReconciler } from "./reconciler";
import type { CreateTaskRequest } from "./schema";
import { submitTask } from "./submit-task";
import { creatorHoldSeconds } from "./timing";
import { getConfig } from "../config";
import { logger } from "../log";

export async function startTask(input: CreateTaskRequest, opts: CreateTaskOptions): Promise<{ task: Task; created: boolean }> {
  const storing = Date.now();
  const { task: stored, created } = await createTask(input, { ...opts, sendNow: true });
  if (!created) return { task: stored, created };
  return { task: await sendStarted(stored, storing), created };
}

/**
 * The INSERT a submit's admission can make in its own statement (lib/auth/admit-grouped.ts),
 * one round trip fewer than admitting and then storing; undefined when this request needs
 * createTask's steps first (an Idempotency-Key to look up, an upload to store). Under a
 * budget the row is written only for a user without a monthly image limit: a limited
 * user's submit is stored by createTask, under the budget's lock. The row written is a
 * Task, sent on with sendStarted.
 */
export function insertAtAdmission(input: CreateTaskRequest, opts: Omit<CreateTaskOptions, "userId">): AdmittedWrite<Task> | undefined {
  if (opts.idempotencyKey || (input.image && !isHttpLink(input.image))) return undefined;
  return {
    kind: "task",
    columns: NEW_TASK_COLUMNS,
    values: (userId) => {
      const now = Date.now();
      const row = newTaskRow(input, { ...opts, userId, sendNow: true }, { id: newTaskId(), imageRef: input.image ?? null, requestHash: null, now });
      return newTaskValues(row, new Date(now));
    },
    sql: (admitted) => insertTasksSql(Prisma.sql`${admitted} AND ${unlimitedSql("u")}`),
  };
}

/**
 * Sends a task just stored by its creator (`storing`: when the store began), or hands it to the fair queue.
 * `grant`: the fair queue's granter (tests make it fail).
 */
export async function sendStarted(stored: Task, storing: number, deps: { grant?: typeof grantSlots } = {}): Promise<Task> {
  const leaseSeconds = creatorHoldSeconds(getConfig());
  // Stored as sent under a hold that began just now (only a task its creator holds at once, never a waiting one):
  // that proves the lease as a renewal would. A store that took half the hold (a lock wait, a stalled pool) proves it
  // again before sending.
  const markedAtInsert = stored.submitSentAt !== null && Date.now() - storing < (leaseSeconds * 1000) / 2;
  let task = stored;
  if (stored.status === "waiting") {
    // The task is stored: a grant that fails here (a busy pool) is the reconciler's to make. The creator's hold
    // taken at the insert is given up at once if it can be, or lapses after the hold.
    const owner = creatorOf(stored.id);
    const granted = await (deps.grant ?? grantSlots)({ hold: { id: stored.id, owner, leaseSeconds } }).catch(async (err) => {
      logger.warn({ taskId: stored.id, err }, "granting a slot at submit failed; the reconciler will");
      await releaseHold({ id: stored.id, owner }).catch(() => 0);
      return [] as string[];
    });
    // Others granted along with it are the reconciler's to submit.
    if (granted.some((id) => id !== stored.id)) wakeReconciler();
    // Granted, it is already leased to its creator (in the grant's statement): no reconciler can have claimed it.
    const taken = granted.includes(stored.id) ? await getDb().task.findUnique({ where: { id: stored.id, leaseOwner: owner } }) : null;
    if (!taken) return currentTask(stored.id);
    task = taken;
  }
  // One attempt inline, so the request answers fast; the reconciler takes over after that.
  const submitted = await submitTask(task, { owner: task.leaseOwner!, now: new Date(), leaseSeconds, markedAtInsert });
  // A retryable fault left it queued (or waiting again): let the reconciler try again soon.
  if (submitted.status === "queued" || submitted.status === "waiting") wakeReconciler();
  return submitted;
}

const currentTask = (id: string): Promise<Task> => getDb().task.findUniqueOrThrow({ where: { id } });
