// getImageStatus's reads in one database round trip: the key with its owner,
// the key's status budget (key-admission.ts) and the task. Polling is what API
// callers do most, and each round trip costs the server far more CPU than the
// database's work (README, Performance): as three queries (key, budget, task)
// the route spent 2.6 ms of CPU per call, against 1.0 ms for a bare request.
import type { KeyAuth } from "../api-keys/authenticate-api-key";
import { getDb, Prisma, type Db } from "../db/client";
import { admitKey } from "./key-admission";
import type { CountedBudget } from "../rate-limit/count-in-query";
import type { SeedStatusRow } from "./seed-status";

export type StatusLookup = { auth: KeyAuth; wait: number | null; task: SeedStatusRow | null };

type TaskColumns = {
  taskId: string | null;
  status: SeedStatusRow["status"] | null;
  statusMsg: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  images: number[] | null;
};

export async function lookupStatus(key: string | null, taskId: string, budget: CountedBudget, db: Db = getDb()): Promise<StatusLookup> {
  const { auth, wait, row } = await admitKey<TaskColumns>(
    key,
    budget,
    {
      select: Prisma.sql`t.id AS "taskId", t.status::text AS status, t."statusMsg", t."createdAt", t."updatedAt",
        (SELECT array_agg(i.index ORDER BY i.index) FROM "TaskImage" i WHERE i."taskId" = t.id) AS images`,
      join: Prisma.sql`LEFT JOIN "Task" t ON t.id = ${taskId} AND t."userId" = k."userId"`,
    },
    db,
  );
  const task =
    row?.taskId && row.status && row.createdAt && row.updatedAt
      ? {
          id: row.taskId,
          status: row.status,
          statusMsg: row.statusMsg ?? "",
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
          images: (row.images ?? []).map((index) => ({ index })),
        }
      : null;
  return { auth, wait, task };
}
