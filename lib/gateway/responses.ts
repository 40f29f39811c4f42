// The seed's response bodies, exactly as documented, for the portal's own
// copy of the gateway endpoints; plus, in the same shape, the one status the
// seed lacks: 422 for an Idempotency-Key reused with a different request.
import { SEED_ERROR_MESSAGES } from "../kling/schema";

export const SEED_ERRORS = { ...SEED_ERROR_MESSAGES, 422: "Idempotency key reused with a different request" } as const;

export type SeedErrorStatus = keyof typeof SEED_ERRORS;

const noCache = { "Cache-Control": "no-cache" };

export function seedError(status: SeedErrorStatus, extra: { detail?: string; retryAfterSeconds?: number } = {}): Response {
  const headers: Record<string, string> = { ...noCache };
  if (extra.retryAfterSeconds !== undefined) headers["Retry-After"] = String(extra.retryAfterSeconds);
  return Response.json({ error: SEED_ERRORS[status], ...(extra.detail ? { detail: extra.detail } : {}) }, { status, headers });
}

export const TASK_NOT_FOUND_BODY = { task_status: "failed", task_status_msg: "task not found" } as const;

export function seedJson(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: noCache });
}
