// Next.js proxy, for pages only: a fresh CSP nonce for each page, which Next.js reads
// from the request's Content-Security-Policy header and puts on its own scripts; HSTS
// over https. API, gateway, image and build-asset responses never reach it: the custom
// server gives them their fixed policy (lib/http/resource-headers.ts) without the
// proxy's cost, 35–40% of a bare API request's CPU.
import { NextResponse, type NextRequest } from "next/server";
import { getConfig, isDevelopmentBuild } from "@/lib/config";
import { createNonce, hstsFor, pageCsp } from "@/lib/http/security-headers";

export function proxy(request: NextRequest) {
  const hsts = hstsFor(getConfig().PUBLIC_URL);
  const nonce = createNonce();
  const csp = pageCsp({ nonce, dev: isDevelopmentBuild(), https: hsts !== null });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  if (hsts) response.headers.set("Strict-Transport-Security", hsts);
  return response;
}

// Every path but the resource paths of isResourcePath (lib/http/security-headers.ts):
// Next.js reads this literal at build time, so it cannot be built from that list;
// tests/e2e/security-headers.test.ts checks both kinds of path over HTTP.
export const config = {
  matcher: ["/((?!api(?:/|$)|kling-ai-image/|kling-ai-polling/|_next/static/|_next/image).*)"],
};
