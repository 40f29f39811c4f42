// Delivers pending caller notifications: POSTs the seed's status body through
// the safe fetch (public addresses only, checked at connect time, unless
// CALLBACK_ALLOW_PRIVATE is set), retries with backoff, records every
// attempt's outcome; a refused destination is final. Deliveries are
// leased like tasks: claimed only as many as are sent at once, the lease proven
// right before each POST and every write guarded by it, so two delivery loops
// never send one notification at the same time.
import { randomBytes } from "node:crypto";
import { getConfig } from "../../config";
import { getDb, Prisma } from "../../db/client";
import { safeFetch, SafeFetchError, type LookupFn } from "../../http/safe-fetch";
import { logger } from "../../log";
import { clockSql, type LeaseClock } from "../../tasks/task-lease";
import { retryDelayMs } from "../../tasks/timing";
import { signDelivery, type SignedMessage } from "./sign-delivery";

export const MAX_DELIVERY_ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;
/** Callers' answers are not read: only their status counts. */
const ANSWER_CAP_BYTES = 64 * 1024;

export type DeliverOptions = {
  now?: Date;
  /** Notifications sent at once (and so claimed at once). */
  concurrency?: number;
  owner?: string;
  timeoutMs?: number;
  leaseSeconds?: number;
  /** Name resolution for the destinations (tests). */
  lookup?: LookupFn;
};

const rank = (t: "d" | "e") => Prisma.raw(`(CASE ${t}."taskStatus" WHEN 'submitted' THEN 1 WHEN 'processing' THEN 2 ELSE 3 END)`);

export async function deliverDueCallbacks(opts: DeliverOptions = {}): Promise<number> {
  const db = getDb();
  const owner = opts.owner ?? `deliveries:${randomBytes(6).toString("hex")}`;
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  const clock: LeaseClock = { leaseSeconds: opts.leaseSeconds ?? Math.ceil(timeoutMs / 1000) + 15, testNow: opts.now };
  const now = clockSql(clock);
  const until = Prisma.sql`${now} + (${clock.leaseSeconds}::float8 * interval '1 second')`;
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "CallbackDelivery" SET "leaseUntil" = ${until}, "leaseOwner" = ${owner}
    WHERE id IN (
      SELECT id FROM "CallbackDelivery" d
      WHERE state = 'pending' AND "nextAttemptAt" <= ${now} AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})
        -- A task's notifications go out in status order: an earlier one still pending holds back the rest.
        AND NOT EXISTS (
          SELECT 1 FROM "CallbackDelivery" e
          WHERE e."taskId" = d."taskId" AND e.state = 'pending' AND ${rank("e")} < ${rank("d")})
      ORDER BY "nextAttemptAt" LIMIT ${opts.concurrency ?? 4}
      FOR UPDATE SKIP LOCKED
    ) RETURNING id`;
  if (rows.length === 0) return 0;
  const deliveries = await db.callbackDelivery.findMany({ where: { id: { in: rows.map((r) => r.id) }, leaseOwner: owner } });
  await Promise.all(deliveries.map((d) => deliverOne(d, { owner, clock, until, timeoutMs, lookup: opts.lookup })));
  return deliveries.length;
}

type Delivery = Awaited<ReturnType<ReturnType<typeof getDb>["callbackDelivery"]["findMany"]>>[number];

async function deliverOne(d: Delivery, c: { owner: string; clock: LeaseClock; until: Prisma.Sql; timeoutMs: number; lookup?: LookupFn }) {
  const db = getDb();
  // Signed per attempt (its own timestamp) with the key's current secret; a secret that no longer decrypts fails the attempt.
  const result = await signDelivery(d).then(
    (message) => attempt(d.url, message, c, () => proveDeliveryLease(d.id, c.owner, c.until)),
    (err: unknown): Attempt => ({ ok: false, error: `could not sign: ${err instanceof Error ? err.message : String(err)}` }),
  );
  if (result === "lease-lost") return;
  const attempts = d.attempts + 1;
  const done = result.ok;
  const gaveUp = !done && (attempts >= MAX_DELIVERY_ATTEMPTS || result.permanent);
  const base = c.clock.testNow ?? new Date();
  const { count } = await db.callbackDelivery.updateMany({
    where: { id: d.id, leaseOwner: c.owner },
    data: {
      attempts,
      state: done ? "delivered" : gaveUp ? "failed" : "pending",
      deliveredAt: done ? new Date() : null,
      lastStatusCode: result.status ?? null,
      lastError: result.error ?? null,
      nextAttemptAt: new Date(base.getTime() + retryDelayMs(attempts)),
      leaseUntil: null,
      leaseOwner: null,
    },
  });
  if (!count) logger.warn({ deliveryId: d.id }, "callback delivery finished after its lease was lost");
  if (!done) logger.info({ deliveryId: d.id, attempts, status: result.status, error: result.error }, "callback delivery failed");
}

async function proveDeliveryLease(id: string, owner: string, until: Prisma.Sql): Promise<boolean> {
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    UPDATE "CallbackDelivery" SET "leaseUntil" = GREATEST("leaseUntil", ${until})
    WHERE id = ${id} AND "leaseOwner" = ${owner} AND "leaseUntil" > (now() AT TIME ZONE 'UTC') AND state = 'pending'
    RETURNING id`;
  return rows.length === 1;
}

type Attempt = { ok: boolean; status?: number; error?: string; permanent?: boolean };

async function attempt(
  url: string,
  message: SignedMessage,
  c: { timeoutMs: number; lookup?: LookupFn },
  prove: () => Promise<boolean>,
): Promise<Attempt | "lease-lost"> {
  if (!(await prove())) return "lease-lost";
  try {
    const res = await safeFetch(url, {
      purpose: "callback_url",
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "kling-portal-callbacks/1", ...message.headers },
      body: message.body,
      timeoutMs: c.timeoutMs,
      maxBytes: ANSWER_CAP_BYTES,
      readBody: false,
      allowPrivate: getConfig().CALLBACK_ALLOW_PRIVATE,
      lookup: c.lookup,
    });
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    if (err instanceof SafeFetchError) return { ok: false, error: err.kind === "timeout" ? "timed out" : err.message, permanent: err.kind === "refused" };
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
