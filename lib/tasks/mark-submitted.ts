// A submit's acceptance recorded: the task moves on to submitted with its
// upstream id, its first poll scheduled and its lease released, only while it
// is still queued and still held by the submitter (a callback may already have
// advanced it). Acceptances of concurrent submits go to the database together
// (grouped-write.ts): one UPDATE … RETURNING for all of them, each row under its
// own guard. In SQL, as Prisma's update cost about 0.25 ms more of the server's
// CPU per submit (insert-task.ts).
import { Prisma, queryRows } from "../db/client";
import { groupedWrite } from "../db/grouped-write";
import type { Task } from "../generated/prisma/client";

export type Acceptance = { id: string; owner: string; upstreamTaskId: string; nextCheckAt: Date; at: Date };

/** The task as recorded, or null when it was no longer queued and held by `owner`. */
export const markSubmitted = groupedWrite<Acceptance, Task | null>(async (items) => {
  // Dates as their UTC time, as Prisma stores them (an array's Dates would otherwise go in local time).
  const iso = (d: Date) => d.toISOString();
  // Rows locked in id order before they change: two statements that each lock several rows in that order cannot deadlock.
  const rows = await queryRows<Task>(Prisma.sql`
    WITH v AS (
      SELECT * FROM unnest(${items.map((i) => i.id)}::text[], ${items.map((i) => i.owner)}::text[], ${items.map((i) => i.upstreamTaskId)}::text[],
        ${items.map((i) => iso(i.nextCheckAt))}::timestamp[], ${items.map((i) => iso(i.at))}::timestamp[]) AS v(id, owner, up, next, at)
    ), locked AS (
      SELECT t.id FROM "Task" t JOIN v ON v.id = t.id ORDER BY t.id FOR UPDATE OF t
    )
    UPDATE "Task" t SET status = 'submitted', "statusMsg" = '', "upstreamTaskId" = v.up, attempts = 0,
      "nextCheckAt" = v.next, "leaseUntil" = NULL, "leaseOwner" = NULL, "updatedAt" = v.at
    FROM v JOIN locked ON locked.id = v.id
    WHERE t.id = v.id AND t.status = 'queued' AND t."leaseOwner" = v.owner
    RETURNING t.*`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return items.map((i) => byId.get(i.id) ?? null);
});
