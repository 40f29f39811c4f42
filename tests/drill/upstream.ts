// The emulator's control listener (a separate port, never the API's): what
// upstream saw per portal task, and the faults a drill switches on and off.
export type RefStats = { submissions: number; taskIds: string[]; succeeded: boolean | number };
export type UpstreamStats = { refs: Record<string, RefStats>; calls: Record<string, number> };
export type UpstreamMode = "normal" | "refuse" | "blackhole";

export type UpstreamControl = {
  stats(): Promise<UpstreamStats>;
  /** Faults in EMULATOR_FAULTS syntax for every API call from now on; "" clears. */
  setFaults(spec: string): Promise<void>;
  /** "refuse" closes the API port, "blackhole" accepts and never answers. */
  setMode(mode: UpstreamMode): Promise<void>;
};

export function upstreamControl(controlUrl: string): UpstreamControl {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${controlUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`emulator control ${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    stats: async () => (await (await call("GET", "/stats")).json()) as UpstreamStats,
    setFaults: async (spec) => void (await call("PUT", "/faults", { spec })),
    setMode: async (mode) => void (await call("PUT", "/mode", { mode })),
  };
}

/**
 * The portal task a stats ref belongs to. The official API carries the task id
 * (external_task_id); the Appy Pie one only the callback URL, whose last
 * segment is the task's callback secret. Matching on the secret rather than
 * the whole URL matters with several portals: each builds callback URLs from
 * its own PUBLIC_URL, so one task resubmitted by another instance would
 * otherwise look like two tasks and hide a double charge.
 */
export function refKey(ref: string): { taskId?: string; callbackSecret?: string } {
  const m = /\/api\/callbacks\/kling\/([A-Za-z0-9_-]+)\/?$/.exec(ref);
  return m ? { callbackSecret: m[1] } : { taskId: ref };
}
