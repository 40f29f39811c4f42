// Reads a JSON body with a size cap and validates it: 415 for a body declared
// as something else, 413 for oversized, 400 for anything that is not the expected JSON.
import type { z } from "zod";
import { ApiError, validationError } from "./errors";
import { readCapped } from "./read-capped";

/** `schema` must be synchronous (no async refinement or transform): zod refuses such a schema here with $ZodAsyncError. */
export async function readJson<T extends z.ZodType>(req: Request, schema: T, maxBytes = 64 * 1024): Promise<z.output<T>> {
  assertJsonContentType(req);
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const text = (await readCapped(req.body, maxBytes, () => tooLarge(maxBytes))).toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", text.trim() ? "Request body must be valid JSON" : "Request body is empty: send a JSON object", {
      body: text.trim() ? "must be valid JSON" : "is empty",
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

const tooLarge = (max: number) => new ApiError(413, "body_too_large", `Request body is larger than ${Math.round(max / 1024)} KB`);

/**
 * A declared non-JSON type (a form post, text/plain) is refused rather than parsed
 * anyway: the client is confused about what it sends. A missing Content-Type is
 * let through, as before, for scripts that forget the header.
 */
function assertJsonContentType(req: Request): void {
  const declared = req.headers.get("content-type");
  if (declared === null) return;
  const type = declared.split(";")[0].trim().toLowerCase();
  if (type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return;
  throw new ApiError(415, "unsupported_media_type", `Content-Type must be application/json (got ${declared.slice(0, 100) || "an empty one"})`, {
    "Content-Type": "must be application/json",
  });
}
