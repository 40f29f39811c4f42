// The fixed headers of every response that is not a page (JSON, images, build
// assets), set by the custom server before Next.js answers: the proxy
// (proxy.ts) runs for pages only.
import type { ServerResponse } from "node:http";
import { hstsFor, isResourcePath, RESOURCE_CSP } from "./security-headers";

export function resourceHeadersFor(publicUrl: string): (pathname: string, res: ServerResponse) => void {
  const hsts = hstsFor(publicUrl);
  return (pathname, res) => {
    if (!isResourcePath(pathname)) return;
    res.setHeader("Content-Security-Policy", RESOURCE_CSP);
    if (hsts) res.setHeader("Strict-Transport-Security", hsts);
  };
}
