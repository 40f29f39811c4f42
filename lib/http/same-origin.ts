// CSRF guard for cookie-authenticated writes: a cross-site page can make a browser send a
// form post or a no-cors fetch here with the user's cookie, but only with a "simple" content
// type and with its own Origin; JSON needs a CORS preflight, which the portal never grants.
import { ApiError } from "./errors";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Throws 403 unless a write request provably comes from the portal's own pages (or is JSON). */
export function assertSameOriginWrite(req: Request, publicUrl: string): void {
  if (!WRITES.has(req.method.toUpperCase())) return;
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  const sameOrigin = origin !== null && isOwnOrigin(origin, req, publicUrl);
  if (origin !== null && !sameOrigin) throw refused(`Origin ${origin} is not this portal`);
  if (site !== null && site !== "same-origin" && site !== "none") throw refused(`the browser marked it Sec-Fetch-Site: ${site}`);
  if (sameOrigin || site === "same-origin" || isJson(req)) return;
  throw refused(`send Content-Type: application/json (got ${req.headers.get("content-type") ?? "none"}) or call from this portal's pages`);
}

/** The public address, or the host the request came to (a portal reached by another name, behind a proxy). */
function isOwnOrigin(origin: string, req: Request, publicUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" from sandboxed frames and privacy redirects
  }
  if (url.origin === new URL(publicUrl).origin) return true;
  const host = req.headers.get("x-forwarded-host")?.split(",")[0].trim() || req.headers.get("host");
  return !!host && url.host === host;
}

function isJson(req: Request): boolean {
  const type = req.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  return type === "application/json";
}

const refused = (why: string) =>
  new ApiError(403, "cross_site_request", `Cross-site request refused: ${why}. The portal's own API accepts writes only from its pages or as JSON.`);
