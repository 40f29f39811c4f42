// A user's history, newest first, with keyset pagination: the cursor is the
// last task's (createdAt, id), so pages never skip or repeat under new inserts.
import { getDb, queryRows } from "../db/client";
import { Prisma } from "../generated/prisma/client";
import { ApiError } from "../http/errors";
import type { ListTasksQuery, TaskListDto } from "./schema";
import { withQueue } from "./queue-position";
import { taskDtoSelect, toTaskDto, type TaskDtoRow } from "./to-dto";

type Cursor = { createdAt: Date; id: string };

export function encodeCursor(task: { createdAt: Date; id: string }): string {
  return Buffer.from(`${task.createdAt.toISOString()}|${task.id}`).toString("base64url");
}

// Only what encodeCursor makes: a hand-made cursor could carry a NUL in the id or a
// year PostgreSQL cannot store, and either would fail in the database as a 500.
const CURSOR_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CURSOR_ID = /^[A-Za-z0-9_-]{1,100}$/;

function decodeCursor(cursor: string): Cursor {
  const [iso = "", id = "", ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso);
  if (rest.length || !CURSOR_ID.test(id) || !CURSOR_DATE.test(iso) || Number.isNaN(createdAt.getTime())) {
    throw new ApiError(400, "invalid_request", "cursor is not valid: use nextCursor from a previous page", { cursor: "cursor is not valid" });
  }
  return { createdAt, id };
}

/**
 * The query's filters beyond the owner. Both the choice of a count and of the
 * one-statement page read them from here, so a new filter is honoured by both
 * without a change elsewhere.
 */
function filtersOf(query: Partial<ListTasksQuery>): Prisma.TaskWhereInput {
  const filters: Prisma.TaskWhereInput = {};
  if (query.status) filters.status = query.status;
  if (query.aspect_ratio) filters.aspectRatio = query.aspect_ratio;
  if (query.q) filters.prompt = { contains: query.q, mode: "insensitive" };
  if (query.favorite) filters.images = { some: { favorite: true } };
  return filters;
}

export async function listTasks(userId: string, query: Partial<ListTasksQuery>): Promise<TaskListDto> {
  const limit = query.limit ?? 24;
  const filters = filtersOf(query);
  const where: Prisma.TaskWhereInput = { userId, ...filters };
  // Counted only when asked, and for the first page: later pages would only repeat it at the cost of a scan.
  // Any filter beyond the user needs a count.
  const filtered = Object.keys(filters).length > 0;
  const totals = query.count && !query.cursor ? (filtered ? countMatches(where, !!query.favorite) : userTotals(userId)) : null;
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = filtered ? await filteredPage(where, limit + 1, after) : await plainPage(userId, limit + 1, after);
  return pageDto(userId, limit, rows, await totals);
}

/** A history query the one-statement page answers (no filter, no count, a valid cursor), or null. */
export type PlainListPlan = { limit: number; after: Cursor | null };

export function plainListPlan(query: Partial<ListTasksQuery>): PlainListPlan | null {
  if (query.count || Object.keys(filtersOf(query)).length > 0) return null;
  try {
    return { limit: query.limit ?? 24, after: query.cursor ? decodeCursor(query.cursor) : null };
  } catch {
    return null; // listTasks answers the 400, after the session check.
  }
}

/**
 * The page of a plain plan as one SQL value (plainPageSql answers one row of one
 * column), for a caller that reads it in the same statement as something else
 * (the session's user: lib/auth/session-user.ts).
 */
export const plainListSql = (userId: string, plan: PlainListPlan): Prisma.Sql => plainPageSql(userId, plan.limit + 1, plan.after);

/** The answer from that value. */
export const plainListDto = (userId: string, plan: PlainListPlan, value: unknown): Promise<TaskListDto> =>
  pageDto(userId, plan.limit, fromPlainRows(value as PlainRow[] | null), null);

async function pageDto(userId: string, limit: number, rows: TaskDtoRow[], counted: { total: number; totalImages: number } | null): Promise<TaskListDto> {
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  return {
    tasks: await withQueue(userId, page.map(toTaskDto)),
    hasMore,
    nextCursor: hasMore ? encodeCursor(page[page.length - 1]!) : null,
    total: counted?.total ?? null,
    totalImages: counted?.totalImages ?? null,
  };
}

/** A page with filters, through Prisma's query builder. */
export async function filteredPage(where: Prisma.TaskWhereInput, take: number, after: Cursor | null): Promise<TaskDtoRow[]> {
  const page = after ? { ...where, OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : where;
  return getDb().task.findMany({ where: page, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take, select: taskDtoSelect, relationLoadStrategy: "join" });
}

/**
 * The unfiltered page (the history, its live updates and API clients read it all
 * the time) in one SQL statement answering one JSON value: the same rows as
 * filteredPage, for less than half of the client's CPU (Prisma maps a relation
 * join's rows field by field; README, Performance). Timestamps are stored as UTC
 * without a zone, so JSON carries them without one.
 */
export async function plainPage(userId: string, take: number, after: Cursor | null): Promise<TaskDtoRow[]> {
  const [row] = await queryRows<{ page: PlainRow[] }>(plainPageSql(userId, take, after));
  return fromPlainRows(row?.page ?? null);
}

const fromPlainRows = (rows: PlainRow[] | null): TaskDtoRow[] =>
  (rows ?? []).map((t) => ({
    ...t,
    createdAt: fromUtc(t.createdAt),
    updatedAt: fromUtc(t.updatedAt),
    finishedAt: t.finishedAt ? fromUtc(t.finishedAt) : null,
  }));

/** plainPage's statement (the bench EXPLAINs it). */
export function plainPageSql(userId: string, take: number, after: Cursor | null): Prisma.Sql {
  const keyset = after
    ? Prisma.sql`AND (t."createdAt" < ${utc(after.createdAt)}::timestamp OR (t."createdAt" = ${utc(after.createdAt)}::timestamp AND t.id < ${after.id}))`
    : Prisma.empty;
  return Prisma.sql`
    SELECT COALESCE(json_agg(p ORDER BY p."createdAt" DESC, p.id DESC), '[]') AS page FROM (
      SELECT t.id, t.status, t."statusMsg", t.source, t.prompt, t."negativePrompt", t."imageRef", t."imageFidelity", t.n, t."aspectRatio",
             t."createdAt", t."updatedAt", t."finishedAt",
             COALESCE((SELECT json_agg(json_build_object('index', i.index, 'width', i.width, 'height', i.height, 'favorite', i.favorite) ORDER BY i.index)
                       FROM "TaskImage" i WHERE i."taskId" = t.id), '[]') AS images
      FROM "Task" t WHERE t."userId" = ${userId} ${keyset}
      ORDER BY t."createdAt" DESC, t.id DESC LIMIT ${take}) p`;
}

type PlainRow = Omit<TaskDtoRow, "createdAt" | "updatedAt" | "finishedAt"> & { createdAt: string; updatedAt: string; finishedAt: string | null };
// "2026-11-26T22:28:18.037Z" ↔ the column's zone-less "2026-11-26T22:28:18.037".
const utc = (d: Date) => d.toISOString().slice(0, -1);
const fromUtc = (s: string) => new Date(`${s}Z`);

/** The whole history's size: one row the database's triggers keep (UserTotals), not a count over every task. */
async function userTotals(userId: string) {
  const row = await getDb().userTotals.findUnique({ where: { userId } });
  return { total: row?.tasks ?? 0, totalImages: row?.images ?? 0 };
}

async function countMatches(where: Prisma.TaskWhereInput, favoritesOnly: boolean) {
  const db = getDb();
  const [total, totalImages] = await Promise.all([
    db.task.count({ where }),
    db.taskImage.count({ where: { task: where, ...(favoritesOnly ? { favorite: true } : {}) } }),
  ]);
  return { total, totalImages };
}
