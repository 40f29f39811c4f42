// Stores a task only if the user's budget still has room for it. Concurrent
// submits of one user queue on a per-user advisory lock for the length of a
// transaction, so each sees the ledger with the others' charges in it (the
// Task insert trigger writes the charge in the same transaction): two at the
// edge of a budget can never both pass.
import { getConfig } from "../config";
import { getDb, Prisma } from "../db/client";
import { ApiError } from "../http/errors";
import { baseLimit, type QuotaOverride, quotaOverride } from "./budget";
import { renewalDay } from "./period";

export class QuotaExceededError extends ApiError {
  constructor(
    public readonly needed: number,
    public readonly remaining: number,
    public readonly limit: number,
    now: Date,
  ) {
    super(403, "quota_exceeded", quotaMessage(needed, remaining, limit, now));
    this.name = "QuotaExceededError";
  }
}

export function quotaMessage(needed: number, remaining: number, limit: number, now: Date): string {
  const images = (k: number) => `${k} image${k === 1 ? "" : "s"}`;
  const left = remaining <= 0 ? `none of your ${images(limit)} are` : `only ${remaining} of your ${images(limit)} ${remaining === 1 ? "is" : "are"}`;
  return `This needs ${images(needed)} but ${left} left this month. Your budget renews on ${renewalDay(now)}.`;
}

/** SQL true when the user row `alias` (its monthlyImageQuota and quotaUnlimited) has no monthly limit: baseLimit's null. */
export function unlimitedSql(alias: string): Prisma.Sql {
  const u = Prisma.raw(alias);
  return (getConfig().QUOTA_IMAGES_PER_MONTH ?? null) === null
    ? Prisma.sql`(${u}."quotaUnlimited" OR ${u}."monthlyImageQuota" IS NULL)`
    : Prisma.sql`${u}."quotaUnlimited"`;
}

/**
 * Runs `insert` (which stores the task, and so charges it) when the user has
 * `images` left this month; otherwise throws QuotaExceededError and stores
 * nothing. Without a limit it is just `insert` on the plain client. `known`:
 * the user's override as authentication read it.
 */
export async function insertWithinBudget<T>(
  userId: string,
  images: number,
  insert: (db: Prisma.TransactionClient) => Promise<T>,
  known?: QuotaOverride,
): Promise<T> {
  const db = getDb();
  // Authentication usually read the override already: then an unlimited submit costs no query here.
  const base = baseLimit(known ?? (await quotaOverride(userId)));
  if (base === null) return insert(db);
  return db.$transaction(
    async (tx) => {
      // hashtext is stable across processes; the prefix keeps the key apart from other advisory locks.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`kling-quota:${userId}`}))`;
      // The month by the database's clock at the start of this transaction: the one the insert trigger charges.
      // The ledger's sums for that month, as its trigger keeps them (UsageTotals): one row, however many entries.
      const [totals] = await tx.$queryRaw<{ used: number; granted: number; period: Date }[]>`
        SELECT coalesce(u.used, 0)::int AS used, coalesce(u.granted, 0)::int AS granted, m.start AT TIME ZONE 'UTC' AS period
        FROM (SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AS start) m
        LEFT JOIN "UsageTotals" u ON u."userId" = ${userId} AND u."periodStart" = m.start`;
      const used = Number(totals.used);
      const limit = base + Number(totals.granted);
      if (used + images > limit) throw new QuotaExceededError(images, Math.max(0, limit - used), limit, new Date(totals.period));
      return insert(tx);
    },
    // Submits of one user wait for each other here; the default 2 s wait for a connection is short for a burst.
    { maxWait: 15_000, timeout: 15_000 },
  );
}
