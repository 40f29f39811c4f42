// Sends a stored task upstream. Retryable faults (429, 5xx, network) leave it
// queued for the reconciler; a rejection (4xx) fails it with Kling's reason.
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { KlingError } from "../kling/errors";
import { logger } from "../log";
import { loadReferenceImage } from "./create-task";
import { notifyTaskChanged } from "./notify";
import { getProvider } from "./provider";
import { retryDelayMs, POLL_INTERVAL_MS } from "./timing";

export function upstreamCallbackUrl(task: Pick<Task, "callbackSecret">): string {
  return `${getConfig().PUBLIC_URL}/api/callbacks/kling/${task.callbackSecret}`;
}

export async function submitTask(task: Task, opts: { leaseOwner: string; now?: Date; maxRetries?: number }): Promise<Task> {
  const db = getDb();
  const now = opts.now ?? new Date();
  const release = { leaseUntil: null, leaseOwner: null };
  try {
    const upstream = await getProvider().submit(
      {
        prompt: task.prompt,
        negative_prompt: task.negativePrompt ?? undefined,
        image: await loadReferenceImage(task.imageRef),
        image_fidelity: task.imageFidelity,
        n: task.n,
        aspect_ratio: task.aspectRatio as never,
        callback_url: upstreamCallbackUrl(task),
      },
      { externalTaskId: task.id, maxRetries: opts.maxRetries },
    );
    // Only a task still queued and still ours moves on: a callback may already have advanced it.
    const { count } = await db.task.updateMany({
      where: { id: task.id, status: "queued", leaseOwner: opts.leaseOwner },
      data: {
        status: "submitted",
        statusMsg: "",
        upstreamTaskId: upstream.taskId,
        attempts: 0,
        nextCheckAt: new Date(now.getTime() + POLL_INTERVAL_MS),
        ...release,
      },
    });
    if (count) {
      await notifyTaskChanged(task.id);
    } else {
      // A callback got there first: still record the upstream id and give the lease back.
      await db.task.updateMany({ where: { id: task.id, upstreamTaskId: null }, data: { upstreamTaskId: upstream.taskId } });
      await db.task.updateMany({ where: { id: task.id, leaseOwner: opts.leaseOwner }, data: release });
    }
  } catch (err) {
    const retryable = !(err instanceof KlingError) || err.retryable;
    const message = err instanceof Error ? err.message : String(err);
    logger.warn({ taskId: task.id, retryable, kind: err instanceof KlingError ? err.kind : "unknown" }, "submit failed");
    if (retryable) {
      const attempts = task.attempts + 1;
      const wait = Math.max(retryDelayMs(attempts), err instanceof KlingError && err.retryAfterMs ? err.retryAfterMs : 0);
      await db.task.updateMany({
        where: { id: task.id, status: "queued", leaseOwner: opts.leaseOwner },
        data: { attempts, statusMsg: `Waiting to retry: ${message}`, nextCheckAt: new Date(now.getTime() + wait), ...release },
      });
    } else {
      const { count } = await db.task.updateMany({
        where: { id: task.id, status: "queued", leaseOwner: opts.leaseOwner },
        data: { status: "failed", statusMsg: message, finishedAt: now, ...release },
      });
      if (count) await notifyTaskChanged(task.id);
    }
  }
  return db.task.findUniqueOrThrow({ where: { id: task.id } });
}
