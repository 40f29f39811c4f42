// Reads a JSON body with a size cap and validates it: 413 for oversized, 400
// for anything that is not the expected JSON.
import type { z } from "zod";
import { ApiError, validationError } from "./errors";
import { readCapped } from "./read-capped";

export async function readJson<T extends z.ZodType>(req: Request, schema: T, maxBytes = 64 * 1024): Promise<z.output<T>> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const text = (await readCapped(req.body, maxBytes, () => tooLarge(maxBytes))).toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "Request body must be valid JSON");
  }
  const parsed = await schema.safeParseAsync(body);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

const tooLarge = (max: number) =>
  new ApiError(413, "body_too_large", `Request body is larger than ${Math.round(max / 1024)} KB`);
