// Where a user's waiting tasks stand in the fair queue and about when each
// will be sent: the position is global (1 = next), in the order the granter
// (fair-queue.ts) uses; the estimate counts the slot turnovers needed before
// the task fits, times a typical task's time upstream. One query per call,
// made only when a page shows waiting tasks; the typical time is read at most
// once a minute per process.
import { getDb, Prisma } from "../db/client";
import { queueLimit, waitingTurnsSql } from "./fair-queue";

export type QueueInfo = { position: number; estimateSeconds: number };

/** Typical seconds from submit to upstream success when there is no recent history. */
export const DEFAULT_TASK_SECONDS = 30;
const TYPICAL_TTL_MS = 60_000;
const typicalKey = Symbol.for("kling-portal.typical-task-seconds");
type Holder = { [typicalKey]?: { seconds: number; at: number } };

/** Median seconds from submit to upstream success over the last 50 tasks that succeeded within a day. */
async function typicalTaskSeconds(): Promise<number> {
  const g = globalThis as Holder;
  const cached = g[typicalKey];
  if (cached && Date.now() - cached.at < TYPICAL_TTL_MS) return cached.seconds;
  const [row] = await getDb().$queryRaw<{ median: number | null }[]>`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d)::float8 AS median FROM (
      SELECT EXTRACT(EPOCH FROM ("upstreamSucceededAt" - "submitSentAt")) AS d FROM "Task"
      WHERE "upstreamSucceededAt" > (now() AT TIME ZONE 'UTC') - interval '1 day' AND "submitSentAt" IS NOT NULL
        AND "upstreamSucceededAt" >= "submitSentAt"
      ORDER BY "upstreamSucceededAt" DESC LIMIT 50) recent`;
  const seconds = row?.median && row.median > 0 ? row.median : DEFAULT_TASK_SECONDS;
  g[typicalKey] = { seconds, at: Date.now() };
  return seconds;
}

/** Forgets the cached typical task time (tests). */
export function resetTypicalTaskSeconds(): void {
  delete (globalThis as Holder)[typicalKey];
}

/** Queue position and estimate of each of the user's waiting tasks (empty without a limit). */
export async function queuePositions(userId: string, opts: { now?: Date } = {}): Promise<Map<string, QueueInfo>> {
  const out = new Map<string, QueueInfo>();
  const limit = queueLimit();
  if (limit === undefined) return out;
  const rows = await getDb().$queryRaw<{ id: string; n: number; position: number; ahead: number; held: number; dueIn: number }[]>`
    ${waitingTurnsSql()}, o AS (
      SELECT id, "userId", n, "nextCheckAt",
        row_number() OVER (ORDER BY turn, "createdAt", id)::int AS position,
        COALESCE(sum(n) OVER (ORDER BY turn, "createdAt", id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::int AS ahead
      FROM w
    )
    SELECT id, n, position, ahead, (SELECT COALESCE(sum(slots), 0)::int FROM held) AS held,
      GREATEST(0, EXTRACT(EPOCH FROM ("nextCheckAt" - ${opts.now ?? Prisma.sql`(now() AT TIME ZONE 'UTC')`}::timestamp)))::float8 AS "dueIn"
    FROM o WHERE "userId" = ${userId}`;
  if (rows.length === 0) return out;
  const typical = await typicalTaskSeconds();
  for (const r of rows) out.set(r.id, { position: r.position, estimateSeconds: estimateSeconds(r, limit, typical) });
  return out;
}

/**
 * Turnovers before the task fits (the slots ahead of it and its own, beyond
 * those free now, in whole account-loads), times a typical task; never sooner
 * than its backoff after a 1303 lets it go.
 */
export function estimateSeconds(r: { n: number; ahead: number; held: number; dueIn: number }, limit: number, typical: number): number {
  const free = limit - r.held;
  const turnovers = Math.max(0, Math.ceil((r.ahead + r.n - free) / limit));
  return Math.ceil(Math.max(turnovers * typical, r.dueIn));
}

/** Fills `queue` on the waiting ones of a user's task DTOs; no query when none is waiting. */
export async function withQueue<T extends { id: string; status: string; queue: QueueInfo | null }>(userId: string, tasks: T[]): Promise<T[]> {
  if (!tasks.some((t) => t.status === "waiting")) return tasks;
  const positions = await queuePositions(userId);
  return tasks.map((t) => (t.status === "waiting" ? { ...t, queue: positions.get(t.id) ?? null } : t));
}
