// Drives one claimed task a step towards its end: submit a queued task (or
// confirm one whose submit had an unknown outcome), poll a running one,
// archive a succeeded one. The deadline applies only to tasks upstream never
// accepted: a task upstream took is followed until upstream says it is final.
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { KlingError } from "../kling/errors";
import type { UpstreamTask } from "../kling/provider";
import { logger } from "../log";
import { applyStatus } from "./apply-status";
import { archiveTask } from "./archive-task";
import { failTask } from "./fail-task";
import { getProvider } from "./provider";
import { submitTask, type SubmitContext } from "./submit-task";
import { proveTaskLease, releaseTask } from "./task-lease";
import { nextPollDelayMs, pollDelayMs, retryDelayMs } from "./timing";

export type ReconcileContext = SubmitContext & {
  /** performance.now() when the claim that took this task was sent (absent under a test clock). */
  claimedAt?: number;
};

/** Margin beyond one upstream call's timeout that a claim must still hold for to stand in for a renewal. */
const CLAIM_SLACK_MS = 5000;

/**
 * True while the claim's lease outlasts a whole status call from now, with slack: renewing it
 * before the call would prove nothing the claim did not (one statement fewer per poll). Only for
 * status reads: a paid submit always proves its lease right before it leaves.
 */
export function claimCoversCall(ctx: Pick<ReconcileContext, "claimedAt" | "leaseSeconds">, now = performance.now()): boolean {
  if (ctx.claimedAt === undefined) return false;
  return now - ctx.claimedAt + getConfig().KLING_TIMEOUT_MS + CLAIM_SLACK_MS <= ctx.leaseSeconds * 1000;
}

export async function reconcileTask(task: Task, ctx: ReconcileContext): Promise<void> {
  if (task.upstreamSucceededAt) return archiveTask(task, ctx);
  if (task.status === "queued") return task.submitSentAt ? confirmSubmit(task, ctx) : submitOrExpire(task, ctx);
  if (!task.upstreamTaskId) {
    // In flight without a recorded upstream id: treat it as a submit to confirm, never as one to resend.
    await getDb().task.updateMany({
      where: { id: task.id, leaseOwner: ctx.owner },
      data: { status: "queued", submitSentAt: task.submitSentAt ?? ctx.now },
    });
    return releaseTask(task.id, ctx.owner, { nextCheckAt: ctx.now });
  }
  return poll(task, task.upstreamTaskId, ctx);
}

async function submitOrExpire(task: Task, ctx: ReconcileContext) {
  // The deadline runs from when the task got a Kling slot (fair-queue.ts), not from its creation.
  if (ctx.now > task.deadlineAt) {
    const last = task.statusMsg.replace(/^Waiting to retry: /, "");
    await failTask(
      task.id,
      ctx.owner,
      `Kling did not accept this task within ${minutes(getConfig().TASK_DEADLINE_SECONDS * 1000)} minutes${last ? ` (last answer: ${last})` : ""}. Nothing was charged. Try again.`,
      ctx.now,
    );
    return;
  }
  await submitTask(task, ctx);
}

// A submit was sent but its answer was lost. With a lookup (the official API)
// the task is found by its external id and adopted, or, when upstream never
// got it, sent again under the same external id (a late first copy would be
// refused as a duplicate). Without one, only the upstream callback can confirm it.
async function confirmSubmit(task: Task, ctx: ReconcileContext) {
  const provider = getProvider();
  if (provider.lookup) {
    if (!(await proveTaskLease(task.id, ctx.owner, ctx))) return;
    let found: UpstreamTask | null;
    try {
      found = await provider.lookup(task.id, { maxRetries: 0 });
    } catch (err) {
      return backOff(task, ctx, err, "looking the task up failed");
    }
    if (found) return adopt(task, found, ctx);
    return submitOrExpire(task, ctx);
  }
  const window = getConfig().SUBMIT_CONFIRM_SECONDS * 1000;
  const waited = ctx.now.getTime() - task.submitSentAt!.getTime();
  if (waited >= window) {
    await failTask(
      task.id,
      ctx.owner,
      `Kling never confirmed this task: the answer to its submit was lost and no status arrived within ${minutes(window)} minutes. It was not sent again, so it cannot have been charged twice; if Kling finishes it after all, the images will appear here.`,
      ctx.now,
    );
    return;
  }
  // Only our own database is read until then: callbacks advance the task as they arrive.
  await releaseTask(task.id, ctx.owner, {
    nextCheckAt: new Date(ctx.now.getTime() + Math.min(pollDelayMs(task.attempts), window - waited)),
    attempts: task.attempts + 1,
  });
}

async function adopt(task: Task, found: Awaited<ReturnType<typeof getStatusOf>>, ctx: ReconcileContext) {
  const result = await applyStatus(task.id, found, ctx.now);
  if (result === "needs-archive") return archiveTask(await getDb().task.findUniqueOrThrow({ where: { id: task.id } }), ctx);
  await releaseTask(task.id, ctx.owner, { nextCheckAt: new Date(ctx.now.getTime() + pollDelayMs(0)), attempts: 0 });
}

const getStatusOf = (id: string) => getProvider().getStatus(id, { maxRetries: 0 });

async function poll(task: Task, upstreamTaskId: string, ctx: ReconcileContext) {
  if (!claimCoversCall(ctx) && !(await proveTaskLease(task.id, ctx.owner, ctx))) return;
  let upstream: UpstreamTask;
  try {
    upstream = await getStatusOf(upstreamTaskId);
  } catch (err) {
    if (err instanceof KlingError && err.kind === "not_found") {
      await failTask(task.id, ctx.owner, "Kling no longer knows this task (it may have expired). Try again.", ctx.now);
      return;
    }
    return backOff(task, ctx, err, "status check failed");
  }
  const result = await applyStatus(task.id, upstream, ctx.now, task);
  if (result === "needs-archive") return archiveTask(await getDb().task.findUniqueOrThrow({ where: { id: task.id } }), ctx);
  const late = ctx.now > task.deadlineAt && (upstream.status === "submitted" || upstream.status === "processing");
  await releaseTask(task.id, ctx.owner, {
    nextCheckAt: new Date(ctx.now.getTime() + nextPollDelayMs(task)),
    attempts: task.attempts + 1,
    // Past the usual time the card says so; the task is still followed to its end.
    ...(late ? { statusMsg: "Taking longer than usual; Kling is still working on it" } : {}),
  });
}

async function backOff(task: Task, ctx: ReconcileContext, err: unknown, what: string) {
  const wait = Math.max(retryDelayMs(task.attempts + 1), err instanceof KlingError ? (err.retryAfterMs ?? 0) : 0);
  logger.warn({ taskId: task.id, err: err instanceof Error ? err.message : String(err) }, `${what}; will retry`);
  await releaseTask(task.id, ctx.owner, { nextCheckAt: new Date(ctx.now.getTime() + wait), attempts: task.attempts + 1 });
}

const minutes = (ms: number) => Math.round(ms / 60_000);
