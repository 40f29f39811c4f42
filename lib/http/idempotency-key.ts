// The one reader of the Idempotency-Key header, for the web and the gateway:
// trimmed, empty means none, and over 200 characters is a 400 naming the header
// (never silently cut, which would merge two different keys).
import { ApiError } from "./errors";

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

export function readIdempotencyKey(req: Request): string | null {
  const key = req.headers.get("idempotency-key")?.trim() || null;
  if (key && key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ApiError(400, "invalid_request", `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, {
      "Idempotency-Key": `at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
    });
  }
  return key;
}
