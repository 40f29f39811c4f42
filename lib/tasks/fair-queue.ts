// The fair queue in front of the Kling account's concurrency (issue 14). With
// KLING_MAX_CONCURRENCY set, a new task waits in the portal (`waiting`, no
// Kling slot) until it is granted one: waiting → queued, and the usual
// submit path takes over. Slots are counted in images (a task holds its n)
// while it is queued/submitted/processing and upstream has not yet succeeded.
// Grants go round-robin by user: the waiting task whose user would then hold
// the fewest slots goes first, so one user's burst cannot starve another's
// single task. Every instance and worker grants in one transaction under one
// advisory lock, so the same database never grants a slot twice.
import { getConfig } from "../config";
import { getDb, Prisma } from "../db/client";
import { KlingError } from "../kling/errors";
import { logger } from "../log";
import { notifyTaskChanged } from "./notify";
import { BUSY_MSG } from "./queue-messages";
import { clockSql, leaseEnd, type LeaseClock } from "./task-lease";

/** pg_advisory_xact_lock key of the granter ("KLNGQUE" in ASCII), the same on every instance. */
const GRANT_LOCK_KEY = 0x4b4c4e475155n;

/** Statuses that may hold Kling slots (only while upstream has not yet succeeded). */
export const SLOT_HOLDING = Prisma.sql`status IN ('queued', 'submitted', 'processing') AND "upstreamSucceededAt" IS NULL`;

/** A waiting task ahead of others, in the granter's order. */
export type QueueRow = { id: string; userId: string; n: number; createdAt: Date; nextCheckAt: Date };

/** Whether the portal queues tasks at all (KLING_MAX_CONCURRENCY set). */
export const queueLimit = (): number | undefined => getConfig().KLING_MAX_CONCURRENCY;

/** Image slots now held upstream, across every user. */
export async function slotsHeld(db: Pick<Prisma.TransactionClient, "$queryRaw"> = getDb()): Promise<number> {
  const [row] = await db.$queryRaw<{ held: number }[]>`SELECT COALESCE(sum(n), 0)::int AS held FROM "Task" WHERE ${SLOT_HOLDING}`;
  return row?.held ?? 0;
}

/**
 * The CTEs `held` (slots per user) and `w` (waiting tasks with their `turn`:
 * the slots their user would hold once every earlier waiting task of theirs
 * is granted). The fair order is `turn, "createdAt", id`.
 */
export function waitingTurnsSql(due: Prisma.Sql = Prisma.empty): Prisma.Sql {
  return Prisma.sql`WITH held AS (
      SELECT "userId", sum(n)::int AS slots FROM "Task" WHERE ${SLOT_HOLDING} GROUP BY "userId"
    ), w AS (
      SELECT t.id, t."userId", t.n, t."createdAt", t."nextCheckAt",
        COALESCE(h.slots, 0) + COALESCE(sum(t.n) OVER (PARTITION BY t."userId" ORDER BY t."createdAt", t.id
          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS turn
      FROM "Task" t LEFT JOIN held h ON h."userId" = t."userId"
      WHERE t.status = 'waiting' ${due}
    )`;
}

/**
 * Waiting tasks in the fair order: by the slots their user would hold once
 * every earlier waiting task of theirs is granted (fewest first), then by age.
 * `dueAt` limits it to tasks due then (backoff after a 1303 waits its turn) and held by no creator
 * then but `heldBy`: a task its creator is about to grant is in no other granter's order meanwhile.
 */
export async function waitingInOrder(
  db: Pick<Prisma.TransactionClient, "$queryRaw">,
  opts: { dueAt?: Prisma.Sql; limit?: number; heldBy?: string } = {},
): Promise<QueueRow[]> {
  // Due then, and held by no creator but `heldBy` (a creator's hold ends with its grant, or lapses if it died).
  const mine = opts.heldBy === undefined ? Prisma.empty : Prisma.sql` OR t."leaseOwner" = ${opts.heldBy}`;
  const due = opts.dueAt
    ? Prisma.sql`AND t."nextCheckAt" <= ${opts.dueAt} AND (t."leaseUntil" IS NULL OR t."leaseUntil" < ${opts.dueAt}${mine})`
    : Prisma.empty;
  const limit = opts.limit !== undefined ? Prisma.sql`LIMIT ${opts.limit}` : Prisma.empty;
  return db.$queryRaw<QueueRow[]>`${waitingTurnsSql(due)}
    SELECT id, "userId", n, "createdAt", "nextCheckAt" FROM w ORDER BY turn, "createdAt", id ${limit}`;
}

/**
 * Hands free slots to due waiting tasks, in the fair order and strictly so:
 * granting stops at the first task that does not fit, so a big task is never
 * overtaken for ever by small ones. A task bigger than the whole limit is
 * granted only when nothing at all is in flight. Granting resets the task's
 * deadline: time spent waiting in the portal is not Kling's delay.
 * Returns the granted task ids. Without a limit (it was removed while tasks
 * waited) every waiting task goes on at once.
 * `hold`: the creator's own task, held by its creator since its insert (create-task.ts) so that no other
 * granter takes it first. Granted now, it stays leased to its creator in the same statement, so that no
 * reconciler claims it between the grant and the creator's send (either would leave the creator answering
 * with a task still queued); not granted, the creator's hold ends and it waits like any other.
 */
export async function grantSlots(opts: { testNow?: Date; hold?: CreatorHold } = {}): Promise<string[]> {
  const limit = queueLimit();
  const config = getConfig();
  const now = clockSql(opts);
  if (limit === undefined) return releaseAll(now, config.TASK_DEADLINE_SECONDS, opts.hold);
  // Attempts are kept: a task sent back by repeated 1303s backs off further each time.
  const granted = await getDb().$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${GRANT_LOCK_KEY}::bigint)::text`;
      const held = await slotsHeld(tx);
      let free = limit - held;
      const ids: string[] = [];
      if (free > 0) {
        // No more tasks than free slots can be granted (each takes at least one).
        const candidates = await waitingInOrder(tx, { dueAt: now, limit: free + 1, heldBy: opts.hold?.owner });
        for (const task of candidates) {
          if (task.n <= free) {
            ids.push(task.id);
            free -= task.n;
          } else {
            if (task.n > limit && held === 0 && ids.length === 0) ids.push(task.id);
            break;
          }
        }
      }
      // The creator's task not granted now waits like any other: its creator's hold ends here.
      if (opts.hold && !ids.includes(opts.hold.id)) await releaseHold(opts.hold, tx);
      if (ids.length === 0) return [];
      return tx.$queryRaw<{ id: string; clientCallbackUrl: string | null }[]>`
      UPDATE "Task" SET status = 'queued', "statusMsg" = '', "nextCheckAt" = ${now},${holdSql(opts.hold, "keep")}
        "deadlineAt" = ${now} + (${config.TASK_DEADLINE_SECONDS}::float8 * interval '1 second'), "updatedAt" = ${new Date()}
      WHERE id IN (${Prisma.join(ids)}) AND status = 'waiting'
      RETURNING id, "clientCallbackUrl"`;
      // Granters queue on the lock; each holds it for three short statements.
    },
    { maxWait: 10_000, timeout: 15_000 },
  );
  for (const task of granted) await notifyTaskChanged(task.id, task);
  if (granted.length) logger.debug({ granted: granted.length }, "fair queue granted Kling slots");
  return granted.map((t) => t.id);
}

type CreatorHold = { id: string; owner: string } & LeaseClock;

/** Ends a creator's hold on its waiting task (not granted, or its grant failed), so that other granters need not wait for it to lapse. */
export function releaseHold(hold: Pick<CreatorHold, "id" | "owner">, db: Pick<Prisma.TransactionClient, "$executeRaw"> = getDb()): Promise<number> {
  return db.$executeRaw`UPDATE "Task" SET "leaseOwner" = NULL, "leaseUntil" = NULL
    WHERE id = ${hold.id} AND status = 'waiting' AND "leaseOwner" = ${hold.owner}`;
}

/** The lease assignments of granted rows: the creator's own task leased to it; the others' leases kept or cleared. */
function holdSql(hold: CreatorHold | undefined, others: "keep" | "clear"): Prisma.Sql {
  const otherOwner = others === "keep" ? Prisma.sql`"leaseOwner"` : Prisma.sql`NULL`;
  const otherUntil = others === "keep" ? Prisma.sql`"leaseUntil"` : Prisma.sql`NULL`;
  if (!hold) return others === "keep" ? Prisma.empty : Prisma.sql` "leaseOwner" = NULL, "leaseUntil" = NULL,`;
  return Prisma.sql`
        "leaseOwner" = CASE WHEN id = ${hold.id} THEN ${hold.owner} ELSE ${otherOwner} END,
        "leaseUntil" = CASE WHEN id = ${hold.id} THEN ${leaseEnd(hold)} ELSE ${otherUntil} END,`;
}

async function releaseAll(now: Prisma.Sql, deadlineSeconds: number, hold: CreatorHold | undefined): Promise<string[]> {
  // Creators' holds on waiting tasks end with the wait (a claim must be able to take them), but the caller's own.
  const rows = await getDb().$queryRaw<{ id: string; clientCallbackUrl: string | null }[]>`
    UPDATE "Task" SET status = 'queued', "statusMsg" = '', "nextCheckAt" = ${now},${holdSql(hold, "clear")}
      "deadlineAt" = ${now} + (${deadlineSeconds}::float8 * interval '1 second'), "updatedAt" = ${new Date()}
    WHERE status = 'waiting'
    RETURNING id, "clientCallbackUrl"`;
  for (const task of rows) await notifyTaskChanged(task.id, task);
  return rows.map((r) => r.id);
}

const wakeKey = Symbol.for("kling-portal.reconciler-wake");

/**
 * A task gave its slot back (final, upstream success, or sent back to wait):
 * the in-process reconciler grants it to the next waiting task now rather than
 * at its next tick. Only with a limit; without one nothing waits.
 */
export function slotFreed(): void {
  if (queueLimit() === undefined) return;
  (globalThis as { [wakeKey]?: () => void })[wakeKey]?.();
}

/** Kling turned a submit away for a full account or too many requests (429, 1302, 1303): with a queue, the task waits again. */
export function sendsBackToQueue(err: unknown): boolean {
  return queueLimit() !== undefined && err instanceof KlingError && err.kind === "rate_limited";
}

/**
 * Puts a task whose submit Kling refused as busy back in the queue: it gives
 * its slot back, is due again after the backoff, and is never failed for it
 * (the next grant resets its deadline). Only the lease holder can.
 */
export async function sendBackToQueue(taskId: string, owner: string, data: { nextCheckAt: Date; attempts: number }): Promise<void> {
  const { count } = await getDb().task.updateMany({
    where: { id: taskId, leaseOwner: owner, status: "queued", upstreamTaskId: null },
    data: { ...data, status: "waiting", statusMsg: BUSY_MSG, submitSentAt: null, leaseUntil: null, leaseOwner: null },
  });
  if (count) {
    await notifyTaskChanged(taskId);
    slotFreed();
  }
}
