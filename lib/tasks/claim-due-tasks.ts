// Claims tasks whose next check is due with a row lease. SKIP LOCKED lets any
// number of reconcilers share one PostgreSQL without taking the same task.
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { Task } from "../generated/prisma/client";
import { leaseSeconds } from "./timing";

export async function claimDueTasks(opts: { owner: string; limit: number; now?: Date }): Promise<Task[]> {
  const db = getDb();
  const now = opts.now ?? new Date();
  const leaseUntil = new Date(now.getTime() + leaseSeconds(getConfig()) * 1000);
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "Task" SET "leaseUntil" = ${leaseUntil}, "leaseOwner" = ${opts.owner}
    WHERE id IN (
      SELECT id FROM "Task"
      WHERE status IN ('queued', 'submitted', 'processing')
        AND "nextCheckAt" <= ${now}
        AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})
      ORDER BY "nextCheckAt"
      LIMIT ${opts.limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id`;
  if (rows.length === 0) return [];
  return db.task.findMany({ where: { id: { in: rows.map((r) => r.id) }, leaseOwner: opts.owner } });
}

/** Gives a task back with its next check time. Only the lease holder can. */
export async function releaseTask(id: string, owner: string, data: { nextCheckAt: Date; attempts?: number; statusMsg?: string }) {
  await getDb().task.updateMany({ where: { id, leaseOwner: owner }, data: { ...data, leaseUntil: null, leaseOwner: null } });
}
