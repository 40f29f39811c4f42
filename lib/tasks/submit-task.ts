// Sends a stored task upstream, at most once per proven lease, and records
// what the answer proves: accepted (submitted), refused for good (failed),
// certainly not taken (queued again with backoff), or an unknown outcome that
// must be confirmed before anything is sent again (see submit-outcome.ts).
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { Task } from "../generated/prisma/client";
import type { KlingImageRequest } from "../kling/schema";
import type { UpstreamTask } from "../kling/provider";
import { logger } from "../log";
import { storedRequest } from "./create-task";
import { sendBackToQueue, sendsBackToQueue } from "./fair-queue";
import { failTask } from "./fail-task";
import { markSubmitted } from "./mark-submitted";
import { notifyTaskChanged } from "./notify";
import { getProvider } from "./provider";
import { submitOutcome } from "./submit-outcome";
import { proveTaskLease, releaseTask, type LeaseClock } from "./task-lease";
import { POLL_INTERVAL_MS, pollDelayMs, retryDelayMs } from "./timing";

export function upstreamCallbackUrl(task: Pick<Task, "callbackSecret">): string {
  return `${getConfig().PUBLIC_URL}/api/callbacks/kling/${task.callbackSecret}`;
}

export type SubmitContext = LeaseClock & {
  owner: string;
  now: Date;
  /** The creator's task, stored as sent under a fresh hold (create-task.ts, sendNow): the lease needs no proof now. */
  markedAtInsert?: boolean;
};

export async function submitTask(task: Task, ctx: SubmitContext): Promise<Task> {
  const db = getDb();
  // Everything that can fail before sending happens before the submit is marked as sent.
  const request = await buildRequest(task);
  if (!ctx.markedAtInsert && !(await proveTaskLease(task.id, ctx.owner, { ...ctx, markSent: true }))) {
    logger.info({ taskId: task.id }, "submit skipped: the lease was lost or the task moved on");
    return db.task.findUniqueOrThrow({ where: { id: task.id } });
  }
  let upstream: UpstreamTask;
  try {
    // Never retried inside the call: a retry after a timeout could be a second paid generation.
    upstream = await getProvider().submit(request, { externalTaskId: task.id, maxRetries: 0 });
  } catch (err) {
    await recordFailure(task, err, ctx).catch((e) => logger.error({ taskId: task.id, err: e }, "could not record a failed submit"));
    return db.task.findUniqueOrThrow({ where: { id: task.id } });
  }
  try {
    const accepted = await recordAccepted(task, upstream.taskId, ctx);
    if (accepted) return accepted;
  } catch (err) {
    // Upstream has the task; submitSentAt is set, so the reconciler confirms it instead of resending.
    logger.error({ taskId: task.id, err }, "upstream accepted a task but recording it failed");
  }
  return db.task.findUniqueOrThrow({ where: { id: task.id } });
}

async function buildRequest(task: Task): Promise<KlingImageRequest> {
  return { ...(await storedRequest(task)), callback_url: upstreamCallbackUrl(task) };
}

/** The task as recorded when it moved on to submitted; null when a callback got there first. */
async function recordAccepted(task: Task, upstreamTaskId: string, ctx: SubmitContext): Promise<Task | null> {
  const db = getDb();
  const updated = await markSubmitted({
    id: task.id,
    owner: ctx.owner,
    upstreamTaskId,
    nextCheckAt: new Date(ctx.now.getTime() + POLL_INTERVAL_MS),
    at: new Date(),
  });
  if (updated) {
    await notifyTaskChanged(task.id, task);
    return updated;
  }
  await db.task.updateMany({ where: { id: task.id, upstreamTaskId: null }, data: { upstreamTaskId } });
  await db.task.updateMany({ where: { id: task.id, leaseOwner: ctx.owner }, data: { leaseUntil: null, leaseOwner: null } });
  return null;
}

async function recordFailure(task: Task, err: unknown, ctx: SubmitContext) {
  const outcome = submitOutcome(err);
  const message = err instanceof Error ? err.message : String(err);
  const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs ?? 0;
  const attempts = task.attempts + 1;
  const at = (ms: number) => new Date(ctx.now.getTime() + ms);
  logger.warn({ taskId: task.id, outcome, kind: (err as { kind?: string }).kind }, "submit failed");
  switch (outcome) {
    case "rejected":
      return failTask(task.id, ctx.owner, message, ctx.now);
    case "not_accepted":
      // Kling's account is full (1303) or busy (1302, 429): with the fair queue the task waits for a slot again.
      if (sendsBackToQueue(err)) return sendBackToQueue(task.id, ctx.owner, { attempts, nextCheckAt: at(Math.max(retryDelayMs(attempts), retryAfterMs)) });
      // Proven not taken: sending it again later is safe.
      return releaseTask(task.id, ctx.owner, {
        submitSentAt: null,
        attempts,
        statusMsg: `Waiting to retry: ${message}`,
        nextCheckAt: at(Math.max(retryDelayMs(attempts), retryAfterMs)),
      });
    case "duplicate":
      return releaseTask(task.id, ctx.owner, { attempts, statusMsg: "Checking with Kling whether it has this task", nextCheckAt: at(0) });
    case "unknown": {
      const canLookUp = !!getProvider().lookup;
      return releaseTask(task.id, ctx.owner, {
        attempts,
        statusMsg: `Waiting for Kling to confirm the task (${message})`,
        nextCheckAt: at(canLookUp ? Math.max(retryDelayMs(attempts), retryAfterMs) : pollDelayMs(attempts)),
      });
    }
  }
}
