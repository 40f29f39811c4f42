// A new task's row in one INSERT … RETURNING *. Every submit makes one, and
// Prisma's create spent about 0.3 ms more of the server's CPU on it than this
// statement (rendering its query template and mapping the row; README,
// Performance). The row read back has the same fields and types as Prisma's Task.
import { type Db, Prisma, queryRows } from "../db/client";
import type { Task } from "../generated/prisma/client";

/** What createTask stores; the rest comes from the columns' defaults. */
export type NewTask = {
  id: string;
  userId: string;
  source: "web" | "api";
  apiKeyId: string | null;
  prompt: string;
  negativePrompt: string | null;
  imageRef: string | null;
  imageFidelity: number;
  n: number;
  aspectRatio: string;
  clientCallbackUrl: string | null;
  provider: string;
  callbackSecret: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  deadlineAt: Date;
  status?: "waiting";
  statusMsg?: string;
  leaseUntil?: Date;
  leaseOwner?: string;
  submitSentAt?: Date;
};

export async function insertTask(db: Db | Prisma.TransactionClient, t: NewTask, now = new Date()): Promise<Task> {
  const [task] = await queryRows<Task>(insertTaskSql(t, now), db);
  return task;
}

/**
 * Each column a new task's INSERT sets from its NewTask: the SQL type its value is sent as in
 * a group's arrays, the type it is stored as where that differs, and its value. nextCheckAt,
 * createdAt and updatedAt come from the insert's own time.
 */
const COLUMNS: readonly { name: string; type: string; cast?: string; value: (t: NewTask) => unknown }[] = [
  { name: "id", type: "text", value: (t) => t.id },
  { name: "userId", type: "text", value: (t) => t.userId },
  { name: "source", type: "text", cast: '"TaskSource"', value: (t) => t.source },
  { name: "apiKeyId", type: "text", value: (t) => t.apiKeyId },
  { name: "prompt", type: "text", value: (t) => t.prompt },
  { name: "negativePrompt", type: "text", value: (t) => t.negativePrompt },
  { name: "imageRef", type: "text", value: (t) => t.imageRef },
  { name: "imageFidelity", type: "float8", value: (t) => t.imageFidelity },
  { name: "n", type: "int", value: (t) => t.n },
  { name: "aspectRatio", type: "text", value: (t) => t.aspectRatio },
  { name: "clientCallbackUrl", type: "text", value: (t) => t.clientCallbackUrl },
  { name: "provider", type: "text", value: (t) => t.provider },
  { name: "callbackSecret", type: "text", value: (t) => t.callbackSecret },
  { name: "idempotencyKey", type: "text", value: (t) => t.idempotencyKey },
  { name: "requestHash", type: "text", value: (t) => t.requestHash },
  { name: "deadlineAt", type: "timestamp", value: (t) => t.deadlineAt },
  { name: "status", type: "text", cast: '"TaskStatus"', value: (t) => t.status ?? "queued" },
  { name: "statusMsg", type: "text", value: (t) => t.statusMsg ?? "" },
  { name: "leaseUntil", type: "timestamp", value: (t) => t.leaseUntil ?? null },
  { name: "leaseOwner", type: "text", value: (t) => t.leaseOwner ?? null },
  { name: "submitSentAt", type: "timestamp", value: (t) => t.submitSentAt ?? null },
];

const INSERT_INTO = Prisma.raw(
  `INSERT INTO "Task" (${[...COLUMNS.map((c) => c.name), "nextCheckAt", "createdAt", "updatedAt"].map((n) => `"${n}"`).join(", ")})`,
);
const cast = (c: (typeof COLUMNS)[number]) => (c.cast ? `::${c.cast}` : "");

/** The INSERT … RETURNING * itself, with the columns as Prisma's create would set them: createdAt and updatedAt from this process's clock. */
export function insertTaskSql(t: NewTask, now: Date): Prisma.Sql {
  const values = COLUMNS.map((c) => Prisma.sql`${c.value(t)}${Prisma.raw(cast(c))}`);
  return Prisma.sql`${INSERT_INTO} SELECT ${Prisma.join(values)}, ${now}, ${now}, ${now} RETURNING *`;
}

/** The columns a group's rows carry for insertTasksSql, with the SQL type each is sent as; `at` is createdAt's time. */
export const NEW_TASK_COLUMNS: readonly (readonly [name: string, type: string])[] = [...COLUMNS.map((c) => [c.name, c.type] as const), ["at", "timestamp"]];

/** A new task's values in NEW_TASK_COLUMNS' order. */
export function newTaskValues(t: NewTask, now: Date): unknown[] {
  return [...COLUMNS.map((c) => c.value(t)), now];
}

const SELECT_FROM_GROUP = Prisma.raw(`SELECT ${COLUMNS.map((c) => `r."${c.name}"${cast(c)}`).join(", ")}, r.at, r.at, r.at`);

/**
 * The same INSERT … RETURNING * for a group's rows `r` (NEW_TASK_COLUMNS), one task per
 * row `from` (a `FROM … WHERE …` clause over `r`) yields, written in user order: a task's
 * triggers lock its user's totals, and two groups that lock them in one order cannot deadlock.
 */
export function insertTasksSql(from: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${INSERT_INTO} ${SELECT_FROM_GROUP} ${from} ORDER BY r."userId", r.id RETURNING *`;
}
