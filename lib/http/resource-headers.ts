// The fixed headers of every response that is not a page (JSON, images, build
// assets), set by the custom server before Next.js answers (the proxy, proxy.ts,
// runs for pages only) and by its own answers (lib/http/method-guard.ts).
import type { ServerResponse } from "node:http";
import { hstsFor, isResourcePath, RESOURCE_CSP } from "./security-headers";

/** The deny-all policy and, when PUBLIC_URL is https, HSTS. */
export function resourceHeaders(publicUrl: string): Record<string, string> {
  const hsts = hstsFor(publicUrl);
  return { "Content-Security-Policy": RESOURCE_CSP, ...(hsts ? { "Strict-Transport-Security": hsts } : {}) };
}

export function resourceHeadersFor(publicUrl: string): (pathname: string, res: ServerResponse) => void {
  const headers = Object.entries(resourceHeaders(publicUrl));
  return (pathname, res) => {
    if (!isResourcePath(pathname)) return;
    for (const [name, value] of headers) res.setHeader(name, value);
  };
}
