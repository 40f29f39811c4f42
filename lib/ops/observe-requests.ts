// Every request through the custom server: an id (X-Request-Id), one JSON log
// line when it ends (method, route pattern, path without query or secrets,
// status, duration, user) and its duration in the per-route histogram. The
// request runs inside a RequestContext so route wrappers can name the user.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { PortalMetrics } from "./metrics";
import { runWithRequestContext, type RequestContext } from "./request-context";
import type { RouteMatcher } from "./route-patterns";

export const REQUEST_ID_HEADER = "x-request-id";
// An id from a proxy in front is kept so its logs and ours line up; anything
// else (too long, odd characters) is replaced rather than logged.
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export type RequestObserver = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export function observeRequests(opts: { logger: Logger; routeOf: RouteMatcher; metrics: PortalMetrics }): RequestObserver {
  const { logger } = opts;
  return (req, res, next) => {
    const incoming = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof incoming === "string" && SAFE_ID.test(incoming) ? incoming : randomUUID();
    const match = opts.routeOf((req.url ?? "/").split("?")[0]);
    const ctx: RequestContext = { requestId };
    const start = process.hrtime.bigint();
    res.setHeader("X-Request-Id", requestId);
    // A response's own error (a write after its end) is logged with its line, not thrown.
    let failure: string | undefined;
    res.on("error", (err) => {
      failure = err.message;
    });
    // One handler when the response ends or the connection closes: no per-request child
    // loggers (pino-http made two, one serialising the request through the redaction, for
    // every request, logged or not); the line is only built when its level is logged.
    res.once("close", () => {
      const durationMs = Number(process.hrtime.bigint() - start) / 1e6;
      const status = res.statusCode;
      opts.metrics.httpDuration.observe({ route: match.route, method: req.method ?? "", status_code: String(status) }, durationMs / 1000);
      const err = failure ?? (status >= 500 ? `failed with status code ${status}` : undefined);
      const level = err ? "error" : "info";
      if (!logger.isLevelEnabled(level)) return;
      // Only these fields: no headers (cookies, keys), no query strings (signed URLs).
      const line = {
        requestId,
        method: req.method,
        route: match.route,
        path: match.path,
        status,
        durationMs: Math.round(durationMs * 10) / 10,
        userId: ctx.userId,
        apiKeyId: ctx.apiKeyId,
        // The client went away before the answer was complete.
        ...(res.writableFinished ? {} : { aborted: true }),
        ...(err ? { err } : {}),
      };
      logger[level](line, `${req.method} ${match.route} ${status}`);
    });
    runWithRequestContext(ctx, next);
  };
}
