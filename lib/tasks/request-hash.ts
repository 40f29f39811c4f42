// A fingerprint of a validated submit, so a replayed Idempotency-Key can be
// told apart from the same key reused for a different request (Stripe's 422).
// Canonical: object keys sorted, undefined dropped, so field order and
// defaults left out do not matter; the source and callback_url count too.
import { createHash } from "node:crypto";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

export function hashRequest(request: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(request)))
    .digest("hex");
}
