// What the task pipeline looks like right now, read from the database so every
// instance (and the admin console) sees the same numbers. Shared by
// GET /api/metrics (gauges) and the admin console; one round trip per table.
import { getDb, Prisma } from "../db/client";
import { ACTIVE, claimableNow, clockSql } from "../tasks/task-lease";

export const TASK_STATUSES = ["waiting", "queued", "submitted", "processing", "succeed", "failed"] as const;
export type TaskStatusName = (typeof TASK_STATUSES)[number];
export type TaskStatusCounts = Record<TaskStatusName, number>;

export type SystemSnapshot = {
  /** When the snapshot was taken (database clock), ISO 8601. */
  takenAt: string;
  tasks: {
    /** Every task in the database, by current status. */
    byStatus: TaskStatusCounts;
    /** Tasks created in the last 24 h, by current status. */
    createdLast24h: TaskStatusCounts;
  };
  queue: {
    /**
     * Work waiting for the reconciler: tasks still in flight (or a failed one whose
     * upstream images still need saving) whose next check is due, plus queued tasks
     * whose submit has not been sent yet (even while backing off).
     */
    depth: number;
    /** Due and free to claim now (no live lease): what claimDueTasks would pick up. */
    due: number;
    /** Queued tasks whose submit has not left yet. */
    pendingSubmit: number;
    /** Tasks held under a live lease by some worker right now. */
    leased: number;
    /** Upstream has the task (submitted/processing, no success recorded yet). */
    inFlightUpstream: number;
    /** Seconds the oldest claimable due task has been waiting (reconciler lag); 0 when none. */
    oldestDueAgeSeconds: number;
  };
  callbacks: {
    /** Caller notifications not yet delivered (state pending). */
    backlog: number;
    /** Seconds since the oldest pending notification was created; 0 when none. */
    oldestBacklogAgeSeconds: number;
    /** Notifications given up on (state failed) and updated in the last 24 h. */
    failedLast24h: number;
  };
  outcomes: {
    /** Tasks that reached a final status in the last 24 h. */
    finishedLast24h: number;
    failedLast24h: number;
    /**
     * failedLast24h / finishedLast24h, or null with nothing finished. Stored rows keep
     * outcomes, not individual upstream calls: per-call error counts are the
     * in-process counter kling_upstream_calls_total on /api/metrics.
     */
    failureRateLast24h: number | null;
  };
};

type TaskRow = Record<`all_${TaskStatusName}` | `new_${TaskStatusName}`, number> & {
  depth: number;
  due: number;
  pending_submit: number;
  leased: number;
  in_flight: number;
  oldest_due_age: number;
  finished_24h: number;
  failed_24h: number;
  taken_at: Date;
};

/** `testNow` lets tests pin the clock; production reads the database's. */
export async function getSystemSnapshot(opts: { testNow?: Date } = {}): Promise<SystemSnapshot> {
  const db = getDb();
  const now = clockSql(opts);
  const dayAgo = Prisma.sql`(${now} - interval '24 hours')`;
  const perStatus = (prefix: string, extra: Prisma.Sql) =>
    Prisma.join(
      TASK_STATUSES.map((s) => Prisma.sql`count(*) FILTER (WHERE status = ${s}::"TaskStatus" ${extra})::int AS ${Prisma.raw(`"${prefix}_${s}"`)}`),
      ", ",
    );
  // A waiting task is not claimable: it is the fair queue's until granted a slot.
  const claimable = claimableNow(opts);
  const [t] = await db.$queryRaw<TaskRow[]>`
    SELECT ${perStatus("all", Prisma.empty)}, ${perStatus("new", Prisma.sql`AND "createdAt" >= ${dayAgo}`)},
      count(*) FILTER (WHERE ${ACTIVE} AND ("nextCheckAt" <= ${now} OR (status = 'queued' AND "submitSentAt" IS NULL)))::int AS depth,
      count(*) FILTER (WHERE ${claimable})::int AS due,
      count(*) FILTER (WHERE status = 'queued' AND "submitSentAt" IS NULL)::int AS pending_submit,
      count(*) FILTER (WHERE "leaseUntil" IS NOT NULL AND "leaseUntil" >= ${now})::int AS leased,
      count(*) FILTER (WHERE status IN ('submitted', 'processing') AND "upstreamSucceededAt" IS NULL)::int AS in_flight,
      COALESCE(EXTRACT(EPOCH FROM (${now} - min("nextCheckAt") FILTER (WHERE ${claimable}))), 0)::float8 AS oldest_due_age,
      count(*) FILTER (WHERE status IN ('succeed', 'failed') AND "finishedAt" >= ${dayAgo})::int AS finished_24h,
      count(*) FILTER (WHERE status = 'failed' AND "finishedAt" >= ${dayAgo})::int AS failed_24h,
      ${now} AS taken_at
    FROM "Task"`;
  const [c] = await db.$queryRaw<{ backlog: number; oldest_age: number; failed_24h: number }[]>`
    SELECT count(*) FILTER (WHERE state = 'pending')::int AS backlog,
      COALESCE(EXTRACT(EPOCH FROM (${now} - min("createdAt") FILTER (WHERE state = 'pending'))), 0)::float8 AS oldest_age,
      count(*) FILTER (WHERE state = 'failed' AND "updatedAt" >= ${dayAgo})::int AS failed_24h
    FROM "CallbackDelivery"`;

  const counts = (prefix: "all" | "new") => Object.fromEntries(TASK_STATUSES.map((s) => [s, Number(t[`${prefix}_${s}`])])) as TaskStatusCounts;
  const finished = Number(t.finished_24h);
  const failed = Number(t.failed_24h);
  // A due time in the future of a skewed clock must not read as negative lag.
  const age = (seconds: number) => Math.max(0, Number(seconds));
  return {
    takenAt: new Date(t.taken_at).toISOString(),
    tasks: { byStatus: counts("all"), createdLast24h: counts("new") },
    queue: {
      depth: Number(t.depth),
      due: Number(t.due),
      pendingSubmit: Number(t.pending_submit),
      leased: Number(t.leased),
      inFlightUpstream: Number(t.in_flight),
      oldestDueAgeSeconds: age(t.oldest_due_age),
    },
    callbacks: { backlog: Number(c.backlog), oldestBacklogAgeSeconds: age(c.oldest_age), failedLast24h: Number(c.failed_24h) },
    outcomes: { finishedLast24h: finished, failedLast24h: failed, failureRateLast24h: finished ? failed / finished : null },
  };
}
