// Typed upstream failures. Messages are written for the person who reads them
// in a task card or a log, and never contain keys or tokens.

export type KlingErrorKind =
  | "auth" // credentials missing, wrong or expired
  | "forbidden" // no access to this API, operation or from this IP
  | "quota" // account arrears, resource pack used up
  | "bad_request" // parameters rejected
  | "not_found" // unknown task or resource
  | "duplicate" // a task with this external_task_id already exists upstream: look it up instead
  | "policy" // prompt or image refused by content safety
  | "rate_limited" // 429, rate or concurrency limit
  | "server" // 5xx or upstream maintenance
  | "timeout"
  | "network"
  | "invalid_response"; // not the documented shape

const RETRYABLE: ReadonlySet<KlingErrorKind> = new Set(["rate_limited", "server", "timeout", "network", "invalid_response"]);

// The portal process holds two copies of this module (Next.js's server bundle
// and the reconciler loaded by tsx) but one provider on globalThis: an error
// thrown by one copy must still be a KlingError to the other, or a 429 met by
// the reconciler reads as an unknown outcome and the task waits for a callback
// that never comes. A global brand replaces class identity.
const BRAND = Symbol.for("kling-portal.KlingError");

export class KlingError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: true })[BRAND] === true;
  }
  readonly [BRAND] = true as const;
  readonly retryable: boolean;
  constructor(
    readonly kind: KlingErrorKind,
    message: string,
    readonly details: { status?: number; code?: number; retryAfterMs?: number; requestId?: string; cause?: string } = {},
  ) {
    super(message);
    this.name = "KlingError";
    this.retryable = RETRYABLE.has(kind);
  }
  get status() {
    return this.details.status;
  }
  get code() {
    return this.details.code;
  }
  get retryAfterMs() {
    return this.details.retryAfterMs;
  }
}

export function kindForHttpStatus(status: number): KlingErrorKind {
  if (status === 401) return "auth";
  if (status === 402) return "quota";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 408) return "timeout";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server";
  return "bad_request";
}

const HINTS: Record<KlingErrorKind, string> = {
  auth: "Kling refused the API credentials",
  forbidden: "Kling denied access to this operation",
  quota: "The Kling account has no credit left for this request",
  bad_request: "Kling rejected the request",
  not_found: "Kling does not know this task",
  duplicate: "Kling already has a task with this external id",
  policy: "Kling refused the prompt or image under its content policy; change it and try again",
  rate_limited: "Kling is rate limiting requests; the portal will retry",
  server: "Kling had a server error; the portal will retry",
  timeout: "Kling did not answer in time; the portal will retry",
  network: "Kling could not be reached; the portal will retry",
  invalid_response: "Kling answered in an unexpected format",
};

/** "Kling rejected the request (HTTP 400): prompt is too long" */
export function describe(kind: KlingErrorKind, status?: number, detail?: string): string {
  const where = status ? ` (HTTP ${status})` : "";
  const clean = detail ? sanitizeDetail(detail) : "";
  return `${HINTS[kind]}${where}${clean ? `: ${clean}` : ""}`;
}

// Upstream text is shown to users: keep it short, single-line and free of anything token-like.
export function sanitizeDetail(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]")
    .replace(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, "[redacted]")
    .trim()
    .slice(0, 300);
}
