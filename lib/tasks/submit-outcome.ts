// What a failed submit tells us about upstream: did it take the task or not?
// Only answers that prove it did not are safe to send again; anything that may
// have reached upstream (a timeout, a reset, a 5xx, an unreadable 200) is an
// unknown outcome and must be confirmed before any second submit, or the same
// generation could be paid for twice.
import { KlingError } from "../kling/errors";

export type SubmitOutcome =
  /** Upstream refused the task for good (bad parameters, credentials, policy): fail it. */
  | "rejected"
  /** Upstream certainly did not take it (429, quota, connection refused): safe to send again later. */
  | "not_accepted"
  /** Upstream already holds a task with this external id: look it up. */
  | "duplicate"
  /** It may or may not have been taken: confirm before doing anything else. */
  | "unknown";

// Errors raised before a single byte could reach the server.
const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

export function submitOutcome(err: unknown): SubmitOutcome {
  if (!(err instanceof KlingError)) return "unknown";
  switch (err.kind) {
    case "duplicate":
      return "duplicate";
    case "rate_limited":
    case "quota":
      // A 429 or a 1302/1303/1101/1102 business code: refused before any work began.
      return "not_accepted";
    case "network":
      return err.details.cause && NEVER_SENT.has(err.details.cause) ? "not_accepted" : "unknown";
    case "timeout":
    case "server":
    case "invalid_response":
      return "unknown";
    default:
      return "rejected";
  }
}
