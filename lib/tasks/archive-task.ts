// Archives a task upstream reported as succeeded. Paid work is never thrown
// away on a passing fault: download and storage errors are retried with their
// own counter and backoff for a day after upstream's success (its URLs live 30
// days); only an image that can never be read (not an image, too large) ends it.
import { getDb } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { ImageError } from "../images/errors";
import { logger } from "../log";
import { archiveImages } from "./archive-images";
import { notifyTaskChanged } from "./notify";
import type { ReconcileContext } from "./reconcile-task";
import { LeaseLostError, proveTaskLease, releaseTask } from "./task-lease";
import { ARCHIVE_RETRY_MS, archiveRetryDelayMs } from "./timing";

export async function archiveTask(task: Task, ctx: ReconcileContext): Promise<void> {
  try {
    await archiveImages(task, { prove: () => proveTaskLease(task.id, ctx.owner, ctx), now: ctx.now });
  } catch (err) {
    if (err instanceof LeaseLostError) return;
    const message = err instanceof Error ? err.message : String(err);
    const attempts = task.archiveAttempts + 1;
    const permanent = err instanceof ImageError && !err.retryable;
    const expired = ctx.now.getTime() - task.upstreamSucceededAt!.getTime() > ARCHIVE_RETRY_MS;
    if (permanent || expired) {
      const { count } = await getDb().task.updateMany({
        where: { id: task.id, leaseOwner: ctx.owner },
        data: { status: "failed", statusMsg: `The images could not be saved: ${message}`, finishedAt: ctx.now, leaseUntil: null, leaseOwner: null },
      });
      if (count) await notifyTaskChanged(task.id, task);
      return;
    }
    logger.warn({ taskId: task.id, attempts, err: message }, "archiving failed; will retry");
    await releaseTask(task.id, ctx.owner, {
      archiveAttempts: attempts,
      statusMsg: `Saving images (will retry: ${message})`,
      nextCheckAt: new Date(ctx.now.getTime() + archiveRetryDelayMs(attempts)),
    });
  }
}
