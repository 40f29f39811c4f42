// One error type for the portal's own API, and the one place that turns any
// thrown value into a response: internals never reach the client.
import { z } from "zod";
import { logger } from "../log";

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly fields?: Record<string, string>,
    public readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (what = "Not found") => new ApiError(404, "not_found", what);
export const unauthorized = () => new ApiError(401, "unauthorized", "Sign in to continue");

/** Field path → first message, e.g. { n: "n must be at most 9" }. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  // A Map, not an object literal: a field named "__proto__" or "constructor" would
  // otherwise read Object.prototype's members and never get its message.
  const fields = new Map<string, string>();
  const add = (key: string, message: string) => {
    if (!fields.has(key)) fields.set(key, message);
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) add(k, `Unknown field "${k}"`);
      continue;
    }
    add(issue.path.length ? issue.path.join(".") : "body", issue.message);
  }
  // fromEntries defines own properties, so "__proto__" stays an ordinary key.
  return Object.fromEntries(fields);
}

export function validationError(error: z.ZodError): ApiError {
  const fields = fieldErrors(error);
  const summary = Object.entries(fields)
    .map(([k, v]) => (v.toLowerCase().startsWith(k.toLowerCase()) ? v : `${k}: ${v}`))
    .join("; ");
  return new ApiError(400, "invalid_request", summary || "Invalid request", fields);
}

export function errorResponse(err: unknown): Response {
  if (err instanceof ApiError) {
    return Response.json(
      { error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } },
      { status: err.status, headers: err.headers },
    );
  }
  if (err instanceof z.ZodError) return errorResponse(validationError(err));
  logger.error({ err }, "unhandled error in route handler");
  return Response.json({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } }, { status: 500 });
}

/**
 * The answer to a request whose client closed it first: nginx's 499, so that metrics and
 * logs do not count a visitor leaving as the portal's own 500 error.
 */
export function clientClosedResponse(err: unknown): Response {
  logger.info({ reason: err instanceof Error ? err.message : String(err) }, "the client closed the request before its answer");
  return Response.json({ error: { code: "client_closed_request", message: "The client closed the request" } }, { status: 499 });
}
