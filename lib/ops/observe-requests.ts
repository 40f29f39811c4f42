// Every request through the custom server: an id (X-Request-Id), one JSON log
// line when it ends (method, route pattern, path without query or secrets,
// status, duration, user) and its duration in the per-route histogram. The
// request runs inside a RequestContext so route wrappers can name the user.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";
import type { PortalMetrics } from "./metrics";
import { runWithRequestContext, type RequestContext } from "./request-context";
import type { RouteMatch, RouteMatcher } from "./route-patterns";

export const REQUEST_ID_HEADER = "x-request-id";
// An id from a proxy in front is kept so its logs and ours line up; anything
// else (too long, odd characters) is replaced rather than logged.
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

type Observed = { ctx: RequestContext; match: RouteMatch; start: bigint };
const observed = new WeakMap<IncomingMessage, Observed>();

export type RequestObserver = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export function observeRequests(opts: { logger: Logger; routeOf: RouteMatcher; metrics: PortalMetrics }): RequestObserver {
  const line = (req: IncomingMessage, res: ServerResponse) => {
    const o = observed.get(req)!;
    const durationMs = Number(process.hrtime.bigint() - o.start) / 1e6;
    // requestId is bound by pino-http (customAttributeKeys.reqId).
    return {
      method: req.method,
      route: o.match.route,
      path: o.match.path,
      status: res.statusCode,
      durationMs: Math.round(durationMs * 10) / 10,
      userId: o.ctx.userId,
      apiKeyId: o.ctx.apiKeyId,
      // The client went away before the answer was complete.
      ...(res.writableFinished ? {} : { aborted: true }),
    };
  };
  const http = pinoHttp({
    logger: opts.logger,
    genReqId: (req) => observed.get(req)!.ctx.requestId,
    // Only the fields below: no headers (cookies, keys), no query strings (signed URLs).
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: "requestId" },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : "info"),
    customSuccessObject: (req, res) => line(req, res),
    customErrorObject: (req, res, err) => ({ ...line(req, res), err: err.message }),
    customSuccessMessage: (req, res) => `${req.method} ${observed.get(req)!.match.route} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${observed.get(req)!.match.route} ${res.statusCode}`,
  });

  return (req, res, next) => {
    const incoming = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof incoming === "string" && SAFE_ID.test(incoming) ? incoming : randomUUID();
    const match = opts.routeOf((req.url ?? "/").split("?")[0]);
    const o: Observed = { ctx: { requestId }, match, start: process.hrtime.bigint() };
    observed.set(req, o);
    res.setHeader("X-Request-Id", requestId);
    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - o.start) / 1e9;
      opts.metrics.httpDuration.observe({ route: match.route, method: req.method ?? "", status_code: String(res.statusCode) }, seconds);
    });
    http(req, res);
    runWithRequestContext(o.ctx, next);
  };
}
