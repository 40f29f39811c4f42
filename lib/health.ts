// What /api/health reports: each part's state, naming the one that fails.
import { getConfig } from "./config";
import { getDb } from "./db/client";

export type HealthReport = { status: "ok" | "error"; db: string; provider: string; uptimeSeconds: number };

export async function checkHealth(timeoutMs = 3000): Promise<HealthReport> {
  let db = "ok";
  try {
    await withTimeout(getDb().$queryRawUnsafe("SELECT 1"), timeoutMs);
  } catch (err) {
    db = `error: ${err instanceof Error && err.message.includes("timed out") ? "timed out" : "unreachable"}`;
  }
  return {
    status: db === "ok" ? "ok" : "error",
    db,
    provider: getConfig().KLING_PROVIDER,
    uptimeSeconds: Math.round(process.uptime()),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), ms))),
  ]).finally(() => clearTimeout(timer));
}
