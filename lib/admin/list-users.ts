// The admin console's user list: who uses what this month and when each was last
// active, in one query (ordered by email, a page at a time).
import { getDb, Prisma } from "../db/client";
import { isAdminEmail } from "../auth/session";
import { baseLimit } from "../usage/budget";
import { adminUserSchema, type AdminUser, type ListUsersQuery } from "./schema";

type Row = {
  id: string;
  email: string;
  name: string | null;
  createdAt: Date;
  isAdmin: boolean;
  disabledAt: Date | null;
  images_month: number;
  tasks_month: number;
  last_task: Date | null;
  last_key: Date | null;
  keys_active: number;
  keys_revoked: number;
  monthlyImageQuota: number | null;
  quotaUnlimited: boolean;
  budget_used: number;
  budget_granted: number;
};

/** The first instant of the calendar month (UTC) that `now` is in. */
export const monthStart = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

export async function listUsersForAdmin(query: ListUsersQuery, now = new Date()): Promise<{ users: AdminUser[]; nextCursor: string | null }> {
  const filters: Prisma.Sql[] = [];
  if (query.q) filters.push(Prisma.sql`(u.email ILIKE ${`%${escapeLike(query.q)}%`} OR u.name ILIKE ${`%${escapeLike(query.q)}%`})`);
  if (query.cursor) filters.push(Prisma.sql`u.email > ${query.cursor}`);
  const rows = await queryUsers(filters, query.limit + 1, now);
  const page = rows.slice(0, query.limit);
  return { users: page.map(toAdminUser), nextCursor: rows.length > query.limit ? page[page.length - 1].email : null };
}

/** One user in the list's shape, or null. */
export async function getUserForAdmin(id: string, now = new Date()): Promise<AdminUser | null> {
  const [row] = await queryUsers([Prisma.sql`u.id = ${id}`], 1, now);
  return row ? toAdminUser(row) : null;
}

function queryUsers(filters: Prisma.Sql[], limit: number, now: Date) {
  const since = monthStart(now);
  const where = filters.length ? Prisma.sql`WHERE ${Prisma.join(filters, " AND ")}` : Prisma.empty;
  return getDb().$queryRaw<Row[]>`
    SELECT u.id, u.email, u.name, u."createdAt", u."isAdmin", u."disabledAt", u."monthlyImageQuota", u."quotaUnlimited",
      coalesce(ut.used, 0)::int AS budget_used,
      coalesce(ut.granted, 0)::int AS budget_granted,
      (SELECT count(*) FROM "TaskImage" i JOIN "Task" t ON t.id = i."taskId" WHERE t."userId" = u.id AND i."createdAt" >= ${since}::timestamp)::int AS images_month,
      (SELECT count(*) FROM "Task" t WHERE t."userId" = u.id AND t."createdAt" >= ${since}::timestamp)::int AS tasks_month,
      (SELECT max(t."createdAt") FROM "Task" t WHERE t."userId" = u.id) AS last_task,
      (SELECT max(k."lastUsedAt") FROM "ApiKey" k WHERE k."userId" = u.id) AS last_key,
      (SELECT count(*) FROM "ApiKey" k WHERE k."userId" = u.id AND k."revokedAt" IS NULL)::int AS keys_active,
      (SELECT count(*) FROM "ApiKey" k WHERE k."userId" = u.id AND k."revokedAt" IS NOT NULL)::int AS keys_revoked
    FROM "User" u
      -- The month's ledger sums, one row kept by the ledger's trigger.
      LEFT JOIN "UsageTotals" ut ON ut."userId" = u.id AND ut."periodStart" = ${since}::timestamp
    ${where}
    ORDER BY u.email
    LIMIT ${limit}`;
}

function toAdminUser(r: Row): AdminUser {
  const last = [r.last_task, r.last_key].filter((d): d is Date => d !== null).map((d) => new Date(d).getTime());
  return adminUserSchema.parse({
    id: r.id,
    email: r.email,
    name: r.name,
    createdAt: new Date(r.createdAt).toISOString(),
    admin: r.isAdmin ? "grant" : isAdminEmail(r.email) ? "env" : null,
    disabled: r.disabledAt !== null,
    imagesThisMonth: Number(r.images_month),
    tasksThisMonth: Number(r.tasks_month),
    budget: budgetOf(r),
    lastActiveAt: last.length ? new Date(Math.max(...last)).toISOString() : null,
    apiKeys: { active: Number(r.keys_active), revoked: Number(r.keys_revoked) },
  });
}

function budgetOf(r: Row): AdminUser["budget"] {
  const base = baseLimit({ monthlyImageQuota: r.monthlyImageQuota, quotaUnlimited: r.quotaUnlimited });
  return { used: Number(r.budget_used), limit: base === null ? null : base + Number(r.budget_granted) };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
