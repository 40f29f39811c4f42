// A user's image budget for the current month, read from the ledger
// (UsageEntry): used = charges − refunds, limit = the user's base (override or
// QUOTA_IMAGES_PER_MONTH) + grants; null when unlimited. Charges and refunds
// themselves are written by database triggers on Task (see the usage_ledger migration).
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import { periodEndOf, periodStartOf } from "./period";

type Client = PrismaClient | Prisma.TransactionClient;

export type QuotaOverride = { monthlyImageQuota: number | null; quotaUnlimited: boolean };

export type Usage = { used: number; limit: number | null; periodStart: Date; periodEnd: Date };

/** The monthly base for a user: their override, else the configured default; null is unlimited. */
export function baseLimit(override: QuotaOverride | null): number | null {
  if (override?.quotaUnlimited) return null;
  if (override?.monthlyImageQuota !== null && override?.monthlyImageQuota !== undefined) return override.monthlyImageQuota;
  return getConfig().QUOTA_IMAGES_PER_MONTH ?? null;
}

/** The user's override, or null when the user does not exist. */
export async function quotaOverride(userId: string, db: Client = getDb()): Promise<QuotaOverride | null> {
  return db.user.findUnique({ where: { id: userId }, select: { monthlyImageQuota: true, quotaUnlimited: true } });
}

/**
 * Net images used and images granted in the period that starts at `periodStart`:
 * the ledger's sums, kept in one row per user and month by its trigger (UsageTotals).
 */
export async function ledgerTotals(userId: string, periodStart: Date, db: Client = getDb()): Promise<{ used: number; granted: number }> {
  const row = await db.usageTotals.findUnique({ where: { userId_periodStart: { userId, periodStart } }, select: { used: true, granted: true } });
  return { used: row?.used ?? 0, granted: row?.granted ?? 0 };
}

/** What `GET /api/usage` answers: this month's use and limit. */
export async function getUsage(userId: string, now = new Date(), db: Client = getDb()): Promise<Usage> {
  const periodStart = periodStartOf(now);
  const [override, totals] = await Promise.all([quotaOverride(userId, db), ledgerTotals(userId, periodStart, db)]);
  const base = baseLimit(override);
  return { used: totals.used, limit: base === null ? null : base + totals.granted, periodStart, periodEnd: periodEndOf(now) };
}
