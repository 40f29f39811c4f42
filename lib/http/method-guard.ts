// Next.js answers a method that a route handler does not export with a bare
// 405: no body, no Allow header. The custom server reads which methods each
// route.ts exports once at start and answers those requests itself, in the
// portal's error shape (the seed's on the gateway paths), saying what is allowed.
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { createRouteMatcher, readRouteMethods, readRoutePatterns } from "../ops/route-patterns";
import FIXED_SECURITY_HEADERS from "./fixed-security-headers.json";
import { resourceHeaders } from "./resource-headers";

/** The methods allowed on `pathname` when a route handler serves it and `method` is not one of them; otherwise null. */
export type MethodGuard = (method: string, pathname: string) => string[] | null;

export function methodGuardFor(dir: string): MethodGuard {
  const appDir = path.join(dir, "app");
  const routes = readRouteMethods(appDir);
  const routeOf = createRouteMatcher(readRoutePatterns(appDir));
  return (method, pathname) => {
    const exported = routes.get(routeOf(pathname).route);
    if (!exported) return null;
    // Next.js answers HEAD from GET, and OPTIONS itself.
    const allowed = [...exported, ...(exported.includes("GET") && !exported.includes("HEAD") ? ["HEAD"] : []), "OPTIONS"];
    return allowed.includes(method.toUpperCase()) ? null : allowed;
  };
}

/** Answers a request whose method the route does not take; false when it is for Next.js to handle. */
export function refuseUnsupportedMethod(guard: MethodGuard, req: IncomingMessage, res: ServerResponse, publicUrl: string): boolean {
  const pathname = (req.url ?? "/").split("?", 1)[0];
  const allowed = guard(req.method ?? "GET", pathname);
  if (!allowed) return false;
  const offered = allowed.filter((m) => m !== "HEAD" && m !== "OPTIONS");
  const message = `${req.method} is not allowed on ${pathname.slice(0, 200)}: use ${offered.join(" or ")}`;
  const body = JSON.stringify(
    pathname.startsWith("/kling-ai-") ? { error: "Method not allowed", detail: message } : { error: { code: "method_not_allowed", message } },
  );
  res.writeHead(405, {
    ...Object.fromEntries(FIXED_SECURITY_HEADERS.map((h) => [h.key, h.value])),
    ...resourceHeaders(publicUrl),
    Allow: allowed.join(", "),
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
  });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}
