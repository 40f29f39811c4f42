// A user's history, newest first, with keyset pagination: the cursor is the
// last task's (createdAt, id), so pages never skip or repeat under new inserts.
import { getDb } from "../db/client";
import type { Prisma } from "../generated/prisma/client";
import { ApiError } from "../http/errors";
import type { ListTasksQuery, TaskListDto } from "./schema";
import { withQueue } from "./queue-position";
import { taskDtoSelect, toTaskDto } from "./to-dto";

export function encodeCursor(task: { createdAt: Date; id: string }): string {
  return Buffer.from(`${task.createdAt.toISOString()}|${task.id}`).toString("base64url");
}

// Only what encodeCursor makes: a hand-made cursor could carry a NUL in the id or a
// year PostgreSQL cannot store, and either would fail in the database as a 500.
const CURSOR_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CURSOR_ID = /^[A-Za-z0-9_-]{1,100}$/;

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso = "", id = "", ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso);
  if (rest.length || !CURSOR_ID.test(id) || !CURSOR_DATE.test(iso) || Number.isNaN(createdAt.getTime())) {
    throw new ApiError(400, "invalid_request", "cursor is not valid: use nextCursor from a previous page", { cursor: "cursor is not valid" });
  }
  return { createdAt, id };
}

export async function listTasks(userId: string, query: Partial<ListTasksQuery>): Promise<TaskListDto> {
  const limit = query.limit ?? 24;
  const where: Prisma.TaskWhereInput = { userId };
  if (query.status) where.status = query.status;
  if (query.aspect_ratio) where.aspectRatio = query.aspect_ratio;
  if (query.q) where.prompt = { contains: query.q, mode: "insensitive" };
  if (query.favorite) where.images = { some: { favorite: true } };
  // Counted only when asked, and for the first page: later pages would only repeat it at the cost of a scan.
  // Any filter beyond the user (read from `where`, so a new filter counts without a change here) needs a count.
  const filtered = Object.keys(where).length > 1;
  const totals = query.count && !query.cursor ? (filtered ? countMatches(where, !!query.favorite) : userTotals(userId)) : null;
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    where.OR = [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }];
  }
  const rows = await getDb().task.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: taskDtoSelect,
    relationLoadStrategy: "join",
  });
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  const counted = await totals;
  return {
    tasks: await withQueue(userId, page.map(toTaskDto)),
    hasMore,
    nextCursor: hasMore ? encodeCursor(page[page.length - 1]!) : null,
    total: counted?.total ?? null,
    totalImages: counted?.totalImages ?? null,
  };
}

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
