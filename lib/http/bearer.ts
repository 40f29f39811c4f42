// Endpoints for machines (cron, metrics scrapers) that authenticate with one
// shared secret as `Authorization: Bearer <secret>`, compared in constant time.
import { timingSafeEqual } from "node:crypto";
import { ApiError } from "./errors";

/** Throws a 401 naming `what` unless the request carries exactly `secret`. */
export function assertBearer(req: Request, secret: string, what: string): void {
  const given = Buffer.from(req.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "");
  const want = Buffer.from(secret);
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw new ApiError(401, "unauthorized", `Invalid ${what}`);
}
