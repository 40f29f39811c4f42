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
 * The INSERT … RETURNING * itself. With `from` (a `FROM … WHERE …` clause) the row is
 * stored only when that clause yields a row: a statement that admits the request
 * (session, budget) stores it in the same round trip.
 */
export function insertTaskSql(t: NewTask, now: Date, from: Prisma.Sql = Prisma.empty): Prisma.Sql {
  // Columns as Prisma's create would set them: createdAt and updatedAt from this process's clock.
  return Prisma.sql`
    INSERT INTO "Task" (id, "userId", source, "apiKeyId", prompt, "negativePrompt", "imageRef", "imageFidelity", n,
      "aspectRatio", "clientCallbackUrl", provider, "callbackSecret", "idempotencyKey", "requestHash", "deadlineAt",
      status, "statusMsg", "leaseUntil", "leaseOwner", "submitSentAt", "nextCheckAt", "createdAt", "updatedAt")
    SELECT ${t.id}, ${t.userId}, ${t.source}::"TaskSource", ${t.apiKeyId}, ${t.prompt}, ${t.negativePrompt}, ${t.imageRef},
      ${t.imageFidelity}, ${t.n}, ${t.aspectRatio}, ${t.clientCallbackUrl}, ${t.provider}, ${t.callbackSecret},
      ${t.idempotencyKey}, ${t.requestHash}, ${t.deadlineAt}, ${t.status ?? "queued"}::"TaskStatus", ${t.statusMsg ?? ""},
      ${t.leaseUntil ?? null}, ${t.leaseOwner ?? null}, ${t.submitSentAt ?? null}, ${now}, ${now}, ${now} ${from}
    RETURNING *`;
}

/** The columns a group's rows carry for insertTasksSql, with the SQL type each is sent as; `at` is createdAt's time. */
export const NEW_TASK_COLUMNS = [
  ["id", "text"],
  ["userId", "text"],
  ["source", "text"],
  ["apiKeyId", "text"],
  ["prompt", "text"],
  ["negativePrompt", "text"],
  ["imageRef", "text"],
  ["imageFidelity", "float8"],
  ["n", "int"],
  ["aspectRatio", "text"],
  ["clientCallbackUrl", "text"],
  ["provider", "text"],
  ["callbackSecret", "text"],
  ["idempotencyKey", "text"],
  ["requestHash", "text"],
  ["deadlineAt", "timestamp"],
  ["status", "text"],
  ["statusMsg", "text"],
  ["leaseUntil", "timestamp"],
  ["leaseOwner", "text"],
  ["submitSentAt", "timestamp"],
  ["at", "timestamp"],
] as const;

/** A new task's values in NEW_TASK_COLUMNS' order. */
export function newTaskValues(t: NewTask, now: Date): unknown[] {
  return [
    t.id,
    t.userId,
    t.source,
    t.apiKeyId,
    t.prompt,
    t.negativePrompt,
    t.imageRef,
    t.imageFidelity,
    t.n,
    t.aspectRatio,
    t.clientCallbackUrl,
    t.provider,
    t.callbackSecret,
    t.idempotencyKey,
    t.requestHash,
    t.deadlineAt,
    t.status ?? "queued",
    t.statusMsg ?? "",
    t.leaseUntil ?? null,
    t.leaseOwner ?? null,
    t.submitSentAt ?? null,
    now,
  ];
}

/**
 * The same INSERT … RETURNING * for a group's rows `r` (NEW_TASK_COLUMNS), one task per
 * row `from` (a `FROM … WHERE …` clause over `r`) yields, written in user order: a task's
 * triggers lock its user's totals, and two groups that lock them in one order cannot deadlock.
 */
export function insertTasksSql(from: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "Task" (id, "userId", source, "apiKeyId", prompt, "negativePrompt", "imageRef", "imageFidelity", n,
      "aspectRatio", "clientCallbackUrl", provider, "callbackSecret", "idempotencyKey", "requestHash", "deadlineAt",
      status, "statusMsg", "leaseUntil", "leaseOwner", "submitSentAt", "nextCheckAt", "createdAt", "updatedAt")
    SELECT r.id, r."userId", r.source::"TaskSource", r."apiKeyId", r.prompt, r."negativePrompt", r."imageRef",
      r."imageFidelity", r.n, r."aspectRatio", r."clientCallbackUrl", r.provider, r."callbackSecret",
      r."idempotencyKey", r."requestHash", r."deadlineAt", r.status::"TaskStatus", r."statusMsg",
      r."leaseUntil", r."leaseOwner", r."submitSentAt", r.at, r.at, r.at ${from}
    ORDER BY r."userId", r.id
    RETURNING *`;
}
