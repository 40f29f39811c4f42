// Delivers pending caller notifications: POSTs the seed's status body with a
// timeout, retries with backoff, records every attempt's outcome, and refuses
// non-public destinations unless CALLBACK_ALLOW_PRIVATE is set.
import { getConfig } from "../../config";
import { getDb } from "../../db/client";
import { logger } from "../../log";
import { retryDelayMs } from "../../tasks/timing";
import { resolvesToPublic } from "../public-address";

export const MAX_DELIVERY_ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;

export async function deliverDueCallbacks(opts: { now?: Date; limit?: number; fetch?: typeof fetch } = {}): Promise<number> {
  const db = getDb();
  const now = opts.now ?? new Date();
  const leaseUntil = new Date(now.getTime() + 2 * TIMEOUT_MS);
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "CallbackDelivery" SET "leaseUntil" = ${leaseUntil}
    WHERE id IN (
      SELECT id FROM "CallbackDelivery"
      WHERE state = 'pending' AND "nextAttemptAt" <= ${now} AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})
      ORDER BY "nextAttemptAt" LIMIT ${opts.limit ?? 20}
      FOR UPDATE SKIP LOCKED
    ) RETURNING id`;
  const deliveries = await db.callbackDelivery.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { createdAt: "asc" } });
  for (const d of deliveries) {
    const result = await attempt(d.url, d.body, opts.fetch ?? fetch);
    const attempts = d.attempts + 1;
    const done = result.ok;
    const gaveUp = !done && (attempts >= MAX_DELIVERY_ATTEMPTS || result.permanent);
    await db.callbackDelivery.update({
      where: { id: d.id },
      data: {
        attempts,
        state: done ? "delivered" : gaveUp ? "failed" : "pending",
        deliveredAt: done ? new Date() : null,
        lastStatusCode: result.status ?? null,
        lastError: result.error ?? null,
        nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
        leaseUntil: null,
      },
    });
    if (!done) logger.info({ deliveryId: d.id, attempts, status: result.status, error: result.error }, "callback delivery failed");
  }
  return deliveries.length;
}

async function attempt(url: string, body: unknown, doFetch: typeof fetch): Promise<{ ok: boolean; status?: number; error?: string; permanent?: boolean }> {
  const target = new URL(url);
  if (!getConfig().CALLBACK_ALLOW_PRIVATE && !(await resolvesToPublic(target))) {
    return { ok: false, error: "callback_url does not resolve to a public address", permanent: true };
  }
  try {
    const res = await doFetch(target, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "kling-portal-callbacks/1" },
      body: JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => {});
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? (err.name === "TimeoutError" ? "timed out" : err.message) : String(err) };
  }
}
