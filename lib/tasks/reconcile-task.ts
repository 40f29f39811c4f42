// Drives one claimed task a step towards its end: submit a queued task, poll
// a running one, archive a succeeded one, fail one past its deadline.
import { getDb } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { ImageError } from "../images/errors";
import { KlingError } from "../kling/errors";
import { logger } from "../log";
import { applyStatus } from "./apply-status";
import { notifyTaskChanged } from "./notify";
import { archiveImages } from "./archive-images";
import { releaseTask } from "./claim-due-tasks";
import { getProvider } from "./provider";
import { submitTask } from "./submit-task";
import { pollDelayMs, retryDelayMs } from "./timing";

const MAX_ARCHIVE_ATTEMPTS = 6;

export async function reconcileTask(task: Task, ctx: { owner: string; now: Date; fetch?: typeof fetch }): Promise<void> {
  const { owner, now } = ctx;
  if (now > task.deadlineAt && !task.upstreamSucceededAt) {
    const minutes = Math.round((task.deadlineAt.getTime() - task.createdAt.getTime()) / 60_000);
    return failTask(task.id, owner, `Kling did not finish this image within ${minutes} minutes. Try again.`, now);
  }
  if (task.status === "queued") {
    await submitTask(task, { leaseOwner: owner, now });
    return;
  }
  if (task.upstreamSucceededAt) return archive(task, ctx);
  if (!task.upstreamTaskId) {
    // Submitted without a recorded upstream id cannot be polled; send it again.
    await getDb().task.updateMany({ where: { id: task.id, leaseOwner: owner }, data: { status: "queued" } });
    return releaseTask(task.id, owner, { nextCheckAt: now });
  }
  try {
    const upstream = await getProvider().getStatus(task.upstreamTaskId);
    const result = await applyStatus(task.id, upstream, now);
    if (result === "needs-archive") {
      return archive(await getDb().task.findUniqueOrThrow({ where: { id: task.id } }), ctx);
    }
    await releaseTask(task.id, owner, { nextCheckAt: new Date(now.getTime() + pollDelayMs(task.attempts)), attempts: task.attempts + 1 });
  } catch (err) {
    if (err instanceof KlingError && err.kind === "not_found") {
      return failTask(task.id, owner, "Kling no longer knows this task (it may have expired). Try again.", now);
    }
    const wait = Math.max(retryDelayMs(task.attempts + 1), err instanceof KlingError ? (err.retryAfterMs ?? 0) : 0);
    logger.warn({ taskId: task.id, err: errMessage(err) }, "status check failed; will retry");
    await releaseTask(task.id, owner, { nextCheckAt: new Date(now.getTime() + wait), attempts: task.attempts + 1 });
  }
}

async function archive(task: Task, ctx: { owner: string; now: Date; fetch?: typeof fetch }) {
  try {
    await archiveImages(task, { leaseOwner: ctx.owner, now: ctx.now, fetch: ctx.fetch });
  } catch (err) {
    const attempts = task.attempts + 1;
    const retryable = !(err instanceof ImageError) || err.retryable;
    if (!retryable || attempts >= MAX_ARCHIVE_ATTEMPTS) {
      const { count } = await getDb().task.updateMany({
        where: { id: task.id, leaseOwner: ctx.owner },
        data: { status: "failed", statusMsg: `The images could not be saved: ${errMessage(err)}`, finishedAt: ctx.now, leaseUntil: null, leaseOwner: null },
      });
      if (count) await notifyTaskChanged(task.id);
      return;
    }
    logger.warn({ taskId: task.id, err: errMessage(err) }, "archiving failed; will retry");
    await releaseTask(task.id, ctx.owner, { nextCheckAt: new Date(ctx.now.getTime() + retryDelayMs(attempts)), attempts });
  }
}

async function failTask(id: string, owner: string, message: string, now: Date) {
  const { count } = await getDb().task.updateMany({
    where: { id, leaseOwner: owner, status: { in: ["queued", "submitted", "processing"] } },
    data: { status: "failed", statusMsg: message, finishedAt: now, leaseUntil: null, leaseOwner: null },
  });
  if (count) await notifyTaskChanged(id);
}

const errMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
