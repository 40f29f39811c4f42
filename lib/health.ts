// What the health endpoints report. Liveness: the process answers (restart it
// if not). Readiness: it can do its work now, naming the part that cannot
// (database, image storage); upstream reachability is reported from a cached
// probe but does not take an instance out of rotation, since every instance
// shares the same upstream and none could serve better.
import { randomUUID } from "node:crypto";
import { getConfig } from "./config";
import { getDb } from "./db/client";
import { getUpstreamReachability, type Reachability } from "./ops/upstream-reachability";
import { getBlobStore } from "./storage";

export type HealthReport = { status: "ok" | "error"; db: string; provider: string; uptimeSeconds: number };
export type LivenessReport = { status: "ok"; uptimeSeconds: number };
export type ReadinessReport = HealthReport & { storage: string; upstream: Reachability };

const uptimeSeconds = () => Math.round(process.uptime());

export function checkLiveness(): LivenessReport {
  return { status: "ok", uptimeSeconds: uptimeSeconds() };
}

/** GET /api/health: the database ping monitors have used from the start. */
export async function checkHealth(timeoutMs = 3000): Promise<HealthReport> {
  const db = await checkPart(() => getDb().$queryRawUnsafe("SELECT 1"), timeoutMs);
  return { status: db === "ok" ? "ok" : "error", db, provider: getConfig().KLING_PROVIDER, uptimeSeconds: uptimeSeconds() };
}

export async function checkReadiness(timeoutMs = 3000): Promise<ReadinessReport> {
  const config = getConfig();
  const [health, storage, upstream] = await Promise.all([checkHealth(timeoutMs), checkPart(probeStorage, timeoutMs), getUpstreamReachability(config)]);
  return { ...health, status: health.status === "ok" && storage === "ok" ? "ok" : "error", storage, upstream };
}

// Archiving writes, reads and deletes: prove all three with a throwaway object.
async function probeStorage(): Promise<void> {
  const store = getBlobStore();
  const key = `health/${randomUUID()}.txt`;
  const body = Buffer.from("ready");
  await store.put(key, body, "text/plain");
  try {
    const back = await store.get(key);
    if (!back?.body.equals(body)) throw new Error("read back something else");
  } finally {
    await store.delete(key);
  }
}

/** "ok", or "error: <reason>" with a reason that names no internals. */
async function checkPart(run: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  try {
    await withTimeout(run(), timeoutMs);
    return "ok";
  } catch (err) {
    return `error: ${err instanceof Error && err.message.includes("timed out") ? "timed out" : "unreachable"}`;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
