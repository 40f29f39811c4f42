// Next.js proxy (runs before every request): a fresh CSP nonce for each page, which
// Next.js reads from the request's Content-Security-Policy header and puts on its own
// scripts; the deny-all policy for API and image responses; HSTS over https.
import { NextResponse, type NextRequest } from "next/server";
import { getConfig, isDevelopmentBuild } from "@/lib/config";
import { createNonce, hstsFor, isResourcePath, pageCsp, RESOURCE_CSP } from "@/lib/http/security-headers";

export function proxy(request: NextRequest) {
  const publicUrl = getConfig().PUBLIC_URL;
  const hsts = hstsFor(publicUrl);
  let response: NextResponse;
  let csp: string;
  if (isResourcePath(request.nextUrl.pathname)) {
    csp = RESOURCE_CSP;
    response = NextResponse.next();
  } else {
    const nonce = createNonce();
    csp = pageCsp({ nonce, dev: isDevelopmentBuild(), https: hsts !== null });
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("content-security-policy", csp);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  response.headers.set("Content-Security-Policy", csp);
  if (hsts) response.headers.set("Strict-Transport-Security", hsts);
  return response;
}
