// Row leases on tasks, measured by the database's clock so hosts with skewed
// clocks agree. A task is claimed only when a worker is free to work it now,
// and the lease is renewed and proven in one guarded UPDATE right before every
// upstream call (a status poll right after its claim rides on the claim's:
// reconcile-task.ts): a worker that lost its lease skips the work instead of
// duplicating it. SKIP LOCKED lets any number of workers share one database.
import { Prisma, queryRows } from "../db/client";
import type { Task } from "../generated/prisma/client";

export type LeaseClock = {
  /** Seconds a claim or renewal holds. */
  leaseSeconds: number;
  /** Tests move time forward with their own clock; production uses the database's. */
  testNow?: Date;
};

const dbNow = Prisma.sql`(now() AT TIME ZONE 'UTC')`;
/** The clock leases and due times are compared against. */
export const clockSql = (c: Pick<LeaseClock, "testNow">) => (c.testNow ? Prisma.sql`${c.testNow}::timestamp` : dbNow);
export const leaseEnd = (c: LeaseClock) => Prisma.sql`${clockSql(c)} + (${c.leaseSeconds}::float8 * interval '1 second')`;

/**
 * Active work a worker may claim (all of it but `waiting`): a task in flight, or a failed one whose images upstream
 * delivered after all (the portal had given up on it) and are not yet saved. The same condition, in the same words,
 * as the predicate of the partial index "Task_due_idx" on "nextCheckAt" (its migration), so that the planner proves
 * a claim is covered by it and reads due tasks in order, stopping at the claim's limit. Literal SQL: no parameters.
 */
export const CLAIMABLE = Prisma.sql`(status IN ('queued', 'submitted', 'processing')
  OR (status = 'failed' AND "upstreamSucceededAt" IS NOT NULL AND "finishedAt" IS NULL))`;
// Work still to do (also counted by lib/ops/system-snapshot.ts): what can be claimed, and a `waiting` task
// (fair-queue.ts), which no worker claims until it is granted a slot.
export const ACTIVE = Prisma.sql`(status = 'waiting' OR ${CLAIMABLE})`;

/** What a claim would take now (also counted by lib/ops/system-snapshot.ts): claimable, due, and held by no worker. */
export function claimableNow(c: Pick<LeaseClock, "testNow">): Prisma.Sql {
  const now = clockSql(c);
  return Prisma.sql`${CLAIMABLE} AND "nextCheckAt" <= ${now} AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})`;
}

export async function claimDueTasks(opts: LeaseClock & { owner: string; limit: number }): Promise<Task[]> {
  if (opts.limit <= 0) return [];
  // The claimed rows come back whole: one round trip per claim (queryRows: straight to the driver, like the hot routes).
  return queryRows<Task>(claimDueSql(opts));
}

/** The claim's statement (tests read its plan): up to `limit` due tasks nobody holds, earliest due first, leased to `owner`. */
export function claimDueSql(opts: LeaseClock & { owner: string; limit: number }): Prisma.Sql {
  return Prisma.sql`
    UPDATE "Task" SET "leaseUntil" = ${leaseEnd(opts)}, "leaseOwner" = ${opts.owner}
    WHERE id IN (
      SELECT id FROM "Task"
      WHERE ${claimableNow(opts)}
      ORDER BY "nextCheckAt"
      LIMIT ${opts.limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING *`;
}

/**
 * Renews the lease and proves it is still ours, in one statement; false means
 * another worker owns the task now (or it moved on) and the caller must skip.
 * `markSent` also records that a submit is about to leave, while still queued.
 */
export async function proveTaskLease(id: string, owner: string, c: LeaseClock & { markSent?: boolean }): Promise<boolean> {
  const sent = c.markSent ? Prisma.sql`, "submitSentAt" = ${clockSql(c)}` : Prisma.empty;
  const onlyQueued = c.markSent ? Prisma.sql`AND status = 'queued'` : Prisma.empty;
  const rows = await queryRows<{ id: string }>(Prisma.sql`
    UPDATE "Task" SET "leaseUntil" = GREATEST("leaseUntil", ${leaseEnd(c)})${sent}
    WHERE id = ${id} AND "leaseOwner" = ${owner} AND "leaseUntil" > ${dbNow} ${onlyQueued}
    RETURNING id`);
  return rows.length === 1;
}

/** Gives a task back with its next check time. Only the lease holder can. */
export async function releaseTask(
  id: string,
  owner: string,
  data: { nextCheckAt: Date; attempts?: number; archiveAttempts?: number; statusMsg?: string; submitSentAt?: null },
): Promise<void> {
  // As Prisma's updateMany would write it (updatedAt too), in one statement straight to the driver (queryRows).
  const set = [
    Prisma.sql`"nextCheckAt" = ${data.nextCheckAt}`,
    ...(data.attempts !== undefined ? [Prisma.sql`attempts = ${data.attempts}`] : []),
    ...(data.archiveAttempts !== undefined ? [Prisma.sql`"archiveAttempts" = ${data.archiveAttempts}`] : []),
    ...(data.statusMsg !== undefined ? [Prisma.sql`"statusMsg" = ${data.statusMsg}`] : []),
    ...(data.submitSentAt === null ? [Prisma.sql`"submitSentAt" = NULL`] : []),
  ];
  await queryRows(Prisma.sql`
    UPDATE "Task" SET ${Prisma.join(set)}, "leaseUntil" = NULL, "leaseOwner" = NULL, "updatedAt" = ${new Date()}
    WHERE id = ${id} AND "leaseOwner" = ${owner}`);
}

export class LeaseLostError extends Error {
  constructor(taskId: string) {
    super(`lost the lease on task ${taskId}`);
    this.name = "LeaseLostError";
  }
}
