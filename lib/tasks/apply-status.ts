// Applies an upstream status (from a callback or a poll) to a task. Idempotent
// and monotonic: repeated or out-of-order reports never move a task backwards,
// and succeed/failed are final, except that upstream success also reaches a
// task the portal had failed on its own. Upstream success is recorded first;
// the task becomes `succeed` once its images are archived (archive-images.ts).
import { getDb } from "../db/client";
import type { TaskStatus } from "../generated/prisma/client";
import type { UpstreamTask } from "../kling/provider";
import { slotFreed } from "./fair-queue";
import { notifyTaskChanged } from "./notify";
import { CALLBACK_SAFETY_POLL_MS } from "./timing";

const rank: Record<TaskStatus, number> = { waiting: 0, queued: 0, submitted: 1, processing: 2, succeed: 3, failed: 3 };

export type ApplyResult = "advanced" | "unchanged" | "needs-archive";

/** What a caller may already have read of the task: spares reads, and a write that could not change anything. */
export type KnownTask = {
  clientCallbackUrl: string | null;
  callbackAt?: Date | null;
  status?: TaskStatus;
  upstreamTaskId?: string | null;
  upstreamSucceededAt?: Date | null;
};

/**
 * `known`: the task's callback_url when the caller has already read it (spares a read per change).
 * `via`: a callback also marks the task as carried by callbacks, so it is polled only as a safety net.
 */
export async function applyStatus(
  taskId: string,
  upstream: UpstreamTask,
  now = new Date(),
  known?: KnownTask,
  via: "poll" | "callback" = "poll",
): Promise<ApplyResult> {
  if (known && cannotChange(upstream, known, via)) return "unchanged";
  const db = getDb();
  const lower = (s: TaskStatus) => (Object.keys(rank) as TaskStatus[]).filter((k) => rank[k] < rank[s]);
  // Every update below requires `upstreamSucceededAt: null`: once upstream
  // success is recorded, nothing but the archiver may change the task.
  const open = { id: taskId, upstreamSucceededAt: null };
  const fill = { upstreamTaskId: upstream.taskId, upstreamUpdatedAt: upstream.updatedAt ? new Date(upstream.updatedAt) : undefined };

  switch (upstream.status) {
    case "submitted":
    case "processing": {
      const carried = via === "callback" ? { callbackAt: now, nextCheckAt: new Date(now.getTime() + CALLBACK_SAFETY_POLL_MS) } : {};
      const { count } = await db.task.updateMany({
        where: { ...open, status: { in: lower(upstream.status) } },
        data: { status: upstream.status, statusMsg: "", ...fill, ...carried },
      });
      if (count) await notifyTaskChanged(taskId, known);
      else if (via === "callback" && !known?.callbackAt) {
        // A poll got there first, or this is a repeat: the task is still carried by callbacks from now on.
        await db.task.updateMany({ where: { ...open, callbackAt: null, status: { in: ["submitted", "processing"] } }, data: carried });
      }
      return count ? "advanced" : "unchanged";
    }
    case "succeed": {
      if (upstream.images.length === 0) {
        return fail(taskId, "Kling reported success but returned no images. Try again.", now, known);
      }
      const success = { upstreamImages: upstream.images, upstreamSucceededAt: now, nextCheckAt: now, ...fill };
      let { count } = await db.task.updateMany({
        where: { ...open, status: { in: ["waiting", "queued", "submitted", "processing"] } },
        data: { status: "processing", statusMsg: "Saving images", ...success },
      });
      if (!count) {
        // The portal had given up on it (deadline, unconfirmed submit), yet upstream
        // made and charged it: keep the images. The one way out of `failed`, to `succeed`.
        ({ count } = await db.task.updateMany({
          where: { ...open, status: "failed" },
          data: { statusMsg: "Kling finished this task after all; saving the images", finishedAt: null, ...success },
        }));
      }
      if (count) {
        await notifyTaskChanged(taskId, known);
        slotFreed();
      }
      return count ? "needs-archive" : "unchanged";
    }
    case "failed":
      return fail(taskId, upstream.statusMsg || "Kling could not generate this image. Try again or change the prompt.", now, known);
  }
}

/**
 * Whether the updates below would certainly match no row, judged from a read made
 * before them: a repeated callback (Kling retries them, and reports "processing"
 * more than once) then costs no write. Only facts that never revert count:
 * recorded upstream success is never cleared, and a task with an upstream id only
 * moves up in rank (only a task without one goes back to the queue).
 */
function cannotChange(upstream: UpstreamTask, known: KnownTask, via: "poll" | "callback"): boolean {
  if (known.upstreamSucceededAt) return true;
  if (upstream.status !== "submitted" && upstream.status !== "processing") return false;
  if (!known.status || !known.upstreamTaskId) return false;
  // The second update (marking the task as carried by callbacks) is needed until callbackAt is set.
  return rank[known.status] >= rank[upstream.status] && (via === "poll" || !!known.callbackAt);
}

async function fail(taskId: string, message: string, now: Date, known?: { clientCallbackUrl: string | null }): Promise<ApplyResult> {
  const { count } = await getDb().task.updateMany({
    where: { id: taskId, upstreamSucceededAt: null, status: { in: ["waiting", "queued", "submitted", "processing"] } },
    data: { status: "failed", statusMsg: message, finishedAt: now, leaseUntil: null, leaseOwner: null },
  });
  if (count) {
    await notifyTaskChanged(taskId, known);
    slotFreed();
  }
  return count ? "advanced" : "unchanged";
}
