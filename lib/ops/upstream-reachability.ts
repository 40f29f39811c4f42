// Whether the configured Kling upstream answers at all, for readiness. Probed at
// most once per TTL per process (a probe per readiness check would hammer the
// upstream from every instance) and never with credentials: any HTTP answer,
// even a 404, means reachable; a timeout or network fault means not.
import type { Config } from "../config";
import { getLocalEmulatorAddress } from "../kling/local-emulator-address";
import { deadline } from "../http/deadline";

export type Reachability = { status: "reachable" | "unreachable" | "unknown"; detail?: string; checkedAt: string };

const TTL_MS = 30_000;
const key = Symbol.for("kling-portal.upstream-reachability");
type Entry = { at: number; result: Promise<Reachability> };
type Holder = { [key]?: Entry };

function upstreamBaseUrl(config: Config): string | undefined {
  if (config.KLING_PROVIDER === "kling") return config.KLING_BASE_URL;
  if (config.KLING_PROVIDER === "appypie") return config.APPYPIE_BASE_URL;
  return getLocalEmulatorAddress()?.baseUrl;
}

async function probe(config: Config, timeoutMs: number, fetchImpl: typeof fetch): Promise<Reachability> {
  const checkedAt = new Date().toISOString();
  const url = upstreamBaseUrl(config);
  // The local provider's emulator runs only inside `npm start`; elsewhere there is nothing to probe.
  if (!url) return { status: "unknown", detail: "no upstream address in this process", checkedAt };
  const time = deadline(timeoutMs);
  try {
    const res = await fetchImpl(url, { method: "HEAD", redirect: "manual", signal: time.signal });
    await res.body?.cancel().catch(() => {});
    return { status: "reachable", checkedAt };
  } catch (err) {
    const code = (err as { cause?: { code?: string } })?.cause?.code;
    return { status: "unreachable", detail: time.timedOut() ? "timed out" : (code ?? "connection failed"), checkedAt };
  } finally {
    time.clear();
  }
}

/** The cached probe result, refreshed when older than 30 s; concurrent callers share one probe. */
export function getUpstreamReachability(config: Config, opts: { timeoutMs?: number; fetch?: typeof fetch; now?: number } = {}): Promise<Reachability> {
  const g = globalThis as Holder;
  const now = opts.now ?? Date.now();
  const entry = g[key];
  if (entry && now - entry.at < TTL_MS) return entry.result;
  const result = probe(config, opts.timeoutMs ?? 3000, opts.fetch ?? fetch);
  g[key] = { at: now, result };
  return result;
}

/** Forgets the cached result (tests). */
export function resetUpstreamReachability(): void {
  delete (globalThis as Holder)[key];
}
