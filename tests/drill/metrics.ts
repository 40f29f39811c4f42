// The drill's verdict from two independent witnesses: the portal's database
// (what the portal promised and delivered) and upstream's own counts (what
// was charged). The promise: nothing lost, nothing charged twice, paid work
// delivered.
import type { Submitted } from "./burst";
import type { TaskRow } from "./database";
import { refKey, type UpstreamStats } from "./upstream";

export type DrillMetrics = {
  tasks: number;
  terminal: number;
  lost: number;
  duplicated: number;
  paid_not_delivered: number;
  failed: number;
  images: number;
  notes: string[];
};

const FINAL = new Set(["succeed", "failed"]);

export function measure(opts: { submitted: Submitted[]; rows: TaskRow[]; stats: UpstreamStats; stillOpen: Set<string> }): DrillMetrics {
  const notes: string[] = [];
  const rowsById = new Map(opts.rows.map((r) => [r.id, r]));
  const rowsBySecret = new Map(opts.rows.map((r) => [r.callbackSecret, r]));

  // Lost: acknowledged but missing or not final, plus submits never acknowledged.
  const acked = opts.submitted.filter((s) => s.taskId);
  const unacked = opts.submitted.filter((s) => !s.taskId);
  const missing = acked.filter((s) => !rowsById.has(s.taskId!));
  const notFinal = acked.filter((s) => rowsById.has(s.taskId!) && !FINAL.has(rowsById.get(s.taskId!)!.status));
  if (unacked.length) notes.push(`${unacked.length} submits never acknowledged (last error: ${unacked[0].lastError ?? "none"})`);
  if (missing.length) notes.push(`${missing.length} acknowledged tasks missing from the database (e.g. ${missing[0].taskId})`);
  if (notFinal.length) {
    const r = rowsById.get(notFinal[0].taskId!)!;
    notes.push(`${notFinal.length} tasks not final (e.g. ${r.id} ${r.status} "${r.statusMsg}")`);
  }
  const lost = unacked.length + missing.length + notFinal.length;
  const callerOpen = acked.filter((s) => opts.stillOpen.has(s.taskId!) && FINAL.has(rowsById.get(s.taskId!)?.status ?? "")).length;
  if (callerOpen) notes.push(`${callerOpen} tasks final in the database but not yet to their caller when the wait ended`);

  // Upstream's view: one accepted upstream task per portal task at most.
  let duplicated = 0;
  const paid = new Set<string>();
  let strays = 0;
  const doubled: string[] = [];
  for (const [ref, s] of Object.entries(opts.stats.refs ?? {})) {
    const k = refKey(ref);
    const row = k.taskId ? rowsById.get(k.taskId) : rowsBySecret.get(k.callbackSecret!);
    const accepted = Array.isArray(s.taskIds) ? s.taskIds.length : s.submissions;
    if (!row) {
      // Upstream holds work no portal task accounts for: charged for nothing.
      strays += accepted;
      continue;
    }
    duplicated += Math.max(0, accepted - 1);
    if (accepted > 1) doubled.push(`${row.id} (${accepted} upstream tasks, ${row.status}, upstream id ${row.upstreamTaskId ?? "none"})`);
    if (s.succeeded) paid.add(row.id);
  }
  if (doubled.length) notes.push(`charged more than once: ${doubled.slice(0, 3).join(", ")}${doubled.length > 3 ? ", …" : ""}`);
  if (strays) notes.push(`${strays} upstream tasks match no portal task`);
  duplicated += strays;

  // Paid, not delivered: upstream finished it, yet the portal has not every image.
  const undelivered = [...paid].map((id) => rowsById.get(id)!).filter((r) => r.status !== "succeed" || r.images < r.n);
  if (undelivered.length)
    notes.push(
      `${undelivered.length} paid tasks without their images (e.g. ${undelivered[0].id} ${undelivered[0].status} "${undelivered[0].statusMsg}" ${undelivered[0].images}/${undelivered[0].n})`,
    );

  const mine = acked.map((s) => rowsById.get(s.taskId!)).filter((r): r is TaskRow => !!r);
  const failed = mine.filter((r) => r.status === "failed");
  if (failed.length) {
    const reasons = new Map<string, number>();
    for (const r of failed) reasons.set(r.statusMsg, (reasons.get(r.statusMsg) ?? 0) + 1);
    notes.push(`failed: ${[...reasons].map(([m, c]) => `${c}× "${m.slice(0, 90)}"`).join(", ")}`);
  }
  const extra = opts.rows.length - mine.length;
  if (extra > 0) notes.push(`${extra} tasks in the database beyond the acknowledged ones`);

  return {
    tasks: opts.submitted.length,
    terminal: mine.filter((r) => FINAL.has(r.status)).length,
    lost,
    duplicated,
    paid_not_delivered: undelivered.length,
    failed: failed.length,
    images: mine.reduce((sum, r) => sum + r.images, 0),
    notes,
  };
}

export const passes = (m: Pick<DrillMetrics, "lost" | "duplicated" | "paid_not_delivered">) => m.lost === 0 && m.duplicated === 0 && m.paid_not_delivered === 0;
