// The user a session stands for. A session is a
// signed JWT carrying the user's id and the session version it was issued
// under; it counts only while the user exists, is not disabled, and still has
// that version (a password change, a disable or a deletion ends it everywhere).
import { getConfig } from "../config";
import { getDb, Prisma, queryRows } from "../db/client";
import { type Counted, countSql } from "../rate-limit/count-in-query";

export type SessionUser = {
  id: string;
  email: string;
  name: string | null;
  isAdmin: boolean;
  hasPassword: boolean;
  /** The image budget override, read with the session's one query so a submit need not read it again. */
  quota?: { monthlyImageQuota: number | null; quotaUnlimited: boolean };
};

/** What a session token says: the user id (`sub`) and the version (`sv`; absent in tokens older than versions, read as 0). */
export type SessionClaims = { id?: unknown; sv?: unknown };

/** Whether an address is made admin by ADMIN_EMAILS (whatever the database says). */
export function isAdminEmail(email: string): boolean {
  return getConfig().ADMIN_EMAILS.includes(email.toLowerCase());
}

/** What a session is checked against. */
export type SessionRow = {
  id: string;
  email: string;
  name: string | null;
  isAdmin: boolean;
  hasPassword: boolean;
  disabledAt: Date | null;
  sessionVersion: number;
  monthlyImageQuota: number | null;
  quotaUnlimited: boolean;
};

/** The columns of a SessionRow, for the statements that check a session along with something else. */
export const SESSION_COLUMNS = Prisma.sql`u.id, u.email, u.name, u."isAdmin", u."passwordHash" IS NOT NULL AS "hasPassword", u."disabledAt", u."sessionVersion",
  u."monthlyImageQuota", u."quotaUnlimited"`;

/** The user a session's claims still stand for, or null: one query, also for the version and disabled checks. */
export async function sessionUserFor(claims: SessionClaims | null | undefined): Promise<SessionUser | null> {
  const id = claimedId(claims);
  if (!id) return null;
  // Straight to the driver (queryRows): every signed-in page and route reads this.
  const [row] = await queryRows<SessionRow>(Prisma.sql`SELECT ${SESSION_COLUMNS} FROM "User" u WHERE u.id = ${id}`);
  return row ? sessionUserFrom(row, claims) : null;
}

/**
 * The same check, with one more value read in the same statement (a route's own
 * data for the claimed user, such as a history page): one round trip instead of
 * two. The value is returned only with a user the session still stands for.
 */
export async function sessionUserWith(
  claims: SessionClaims | null | undefined,
  extra: (userId: string) => Prisma.Sql,
): Promise<{ user: SessionUser; extra: unknown } | null> {
  const id = claimedId(claims);
  if (!id) return null;
  const [row] = await queryRows<SessionRow & { extra: unknown }>(Prisma.sql`
    SELECT ${SESSION_COLUMNS}, (${extra(id)}) AS extra FROM "User" u WHERE u.id = ${id}`);
  const user = row ? sessionUserFrom(row, claims) : null;
  return user && { user, extra: row!.extra };
}

/**
 * The same check, spending one point of the user's budget in a rate limiter's
 * table (rate-limiter-flexible's; lib/rate-limit/count-in-query.ts) in the same
 * statement: counted only while the session stands, as a count taken after
 * the check would be, on the library's key `<keyPrefix>:<user id>`. `count` is
 * the limiter's row after the point, its window measured from `now`. An
 * admission that also stores its request's row is made in groups (admit-grouped.ts).
 */
export async function sessionUserCounting(
  claims: SessionClaims | null | undefined,
  budget: { table: string; keyPrefix: string; durationMs: number; points: number },
  now: number,
): Promise<{ user: SessionUser; count: Counted } | null> {
  const claimed = claimedSession(claims);
  if (!claimed) return null;
  const { id, version } = claimed;
  const standing = Prisma.sql`FROM u WHERE u."disabledAt" IS NULL AND u."sessionVersion" = ${version}`;
  const [row] = await queryRows<SessionRow & Counted>(Prisma.sql`
    WITH u AS (SELECT ${SESSION_COLUMNS} FROM "User" u WHERE u.id = ${id}),
    c AS (${countSql(budget.table, Prisma.sql`${`${budget.keyPrefix}:${id}`}`, standing, budget.durationMs, now)})
    SELECT u.*, c.points, c.expire FROM u LEFT JOIN c ON true`);
  const user = row ? sessionUserFrom(row, claims) : null;
  return user && { user, count: { points: row!.points, expire: row!.expire } };
}

const claimedId = (claims: SessionClaims | null | undefined): string | null => (typeof claims?.id === "string" && claims.id ? claims.id : null);

/** The user id and session version the claims name, or null when they can stand for no session. */
export function claimedSession(claims: SessionClaims | null | undefined): { id: string; version: number } | null {
  const id = claimedId(claims);
  const version = claimedVersion(claims);
  // No int4 column holds anything else: such a claim stands for no session (and is never sent as a parameter).
  if (!id || !Number.isInteger(version) || Math.abs(version) >= 2 ** 31) return null;
  return { id, version };
}

const claimedVersion = (claims: SessionClaims | null | undefined): number => (typeof claims?.sv === "number" ? claims.sv : 0);

export function sessionUserFrom(row: SessionRow, claims: SessionClaims | null | undefined): SessionUser | null {
  if (row.disabledAt || row.sessionVersion !== claimedVersion(claims)) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isAdmin: row.isAdmin || isAdminEmail(row.email),
    hasPassword: row.hasPassword,
    quota: { monthlyImageQuota: row.monthlyImageQuota, quotaUnlimited: row.quotaUnlimited },
  };
}

/** The version a new session is issued under (at sign-in). */
export async function currentSessionVersion(userId: string): Promise<number> {
  const row = await getDb().user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return row?.sessionVersion ?? 0;
}

export async function isUserDisabled(userId: string): Promise<boolean> {
  const row = await getDb().user.findUnique({ where: { id: userId }, select: { disabledAt: true } });
  return !!row?.disabledAt;
}
