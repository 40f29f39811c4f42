// The per-request security headers the proxy adds (the fixed ones live in next.config.mjs):
// a nonce-based Content-Security-Policy for pages, a deny-all one for API and image responses,
// and HSTS when the portal is served over https.

/** Paths whose responses are never HTML documents of the app: JSON, images and build assets. */
const RESOURCE_PREFIXES = ["/api/", "/kling-ai-image/", "/kling-ai-polling/", "/_next/static/", "/_next/image"];

export function isResourcePath(pathname: string): boolean {
  return pathname === "/api" || RESOURCE_PREFIXES.some((p) => pathname.startsWith(p));
}

/** JSON and images load nothing and must never be framed. */
export const RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'";

export type PageCspOptions = { nonce: string; dev: boolean; https: boolean };

/**
 * The policy of every page. Scripts run only with this response's nonce, and
 * what they load ('strict-dynamic'): Next.js puts the nonce on its own scripts
 * when it renders the page. Style attributes need 'unsafe-inline' in
 * style-src-attr because React renders `style={…}` (aspect ratios, grid
 * columns) into the server HTML and a nonce cannot cover an attribute;
 * <style> elements still need the nonce. In development React needs eval for
 * its debugging stacks and Next.js injects unnonced <style> tags for hot reload.
 */
export function pageCsp({ nonce, dev, https }: PageCspOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    // Our image routes are same-origin; the generate form previews uploads as data: URLs (blob: for object URLs).
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

export const HSTS = "max-age=31536000; includeSubDomains";

/** HSTS only when the public address is https: over plain http a browser ignores it, and on localhost it would pin a developer's other ports. */
export function hstsFor(publicUrl: string): string | null {
  return publicUrl.startsWith("https://") ? HSTS : null;
}

/** 128 random bits, base64: unguessable and fresh for every response. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
