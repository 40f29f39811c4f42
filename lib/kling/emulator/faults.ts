// Fault knobs for the emulator, written the same way in EMULATOR_FAULTS, in
// the X-Emulator-Faults request header and in tests:
//   "status=429; retry-after=2; error-rate=0.5; latency=300; callbacks=reorder; outcome=failed; duration=800; callback-drop-rate=0.3; concurrency=4"

export const CALLBACK_MODES = ["normal", "drop", "duplicate", "reorder"] as const;
export type CallbackMode = (typeof CALLBACK_MODES)[number];

export type Faults = {
  /** Delay before every answer. */
  latencyMs?: number;
  /** Answer API calls with this status instead (429 or 5xx) … */
  status?: number;
  /** … with this Retry-After (seconds) … */
  retryAfterS?: number;
  /** … on this share of calls (default all). */
  errorRate?: number;
  /** Share of new tasks that end `failed`. */
  failRate?: number;
  /** Force how new tasks end. */
  outcome?: "succeed" | "failed";
  /** How long new tasks take from submit to their end. */
  durationMs?: number;
  /** What happens to status callbacks of new tasks. */
  callbacks?: CallbackMode;
  /** Share of single status callbacks of new tasks silently not sent (drills: a lossy network). */
  callbackDropRate?: number;
  /** The account's parallel limit in image slots: a submit that would exceed it is refused (official 1303, seed 429). */
  concurrency?: number;
};

export class FaultSpecError extends Error {}

const num = (key: string, v: string, min: number, max: number) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new FaultSpecError(`${key} must be a number from ${min} to ${max}`);
  return n;
};

export function parseFaults(spec: string | null | undefined): Faults {
  const faults: Faults = {};
  if (!spec) return faults;
  for (const part of spec.split(/[;,]/)) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const [rawKey, ...rest] = trimmed.split("=");
    const key = rawKey.trim().toLowerCase();
    const value = rest.join("=").trim();
    switch (key) {
      case "latency":
        faults.latencyMs = num(key, value, 0, 600_000);
        break;
      case "status": {
        const s = num(key, value, 400, 599);
        if (s !== 429 && s < 500) throw new FaultSpecError("status must be 429 or a 5xx code");
        faults.status = s;
        break;
      }
      case "retry-after":
        faults.retryAfterS = num(key, value, 0, 3600);
        break;
      case "error-rate":
        faults.errorRate = num(key, value, 0, 1);
        break;
      case "fail-rate":
        faults.failRate = num(key, value, 0, 1);
        break;
      case "duration":
        faults.durationMs = num(key, value, 0, 3_600_000);
        break;
      case "outcome":
        if (value !== "succeed" && value !== "failed") throw new FaultSpecError("outcome must be succeed or failed");
        faults.outcome = value;
        break;
      case "callback-drop-rate":
        faults.callbackDropRate = num(key, value, 0, 1);
        break;
      case "concurrency":
        faults.concurrency = num(key, value, 1, 100_000);
        break;
      case "callbacks":
        if (!CALLBACK_MODES.includes(value as CallbackMode)) throw new FaultSpecError(`callbacks must be one of ${CALLBACK_MODES.join(", ")}`);
        faults.callbacks = value as CallbackMode;
        break;
      default:
        throw new FaultSpecError(
          `unknown fault "${key}" (known: latency, status, retry-after, error-rate, fail-rate, duration, outcome, callbacks, callback-drop-rate, concurrency)`,
        );
    }
  }
  return faults;
}
