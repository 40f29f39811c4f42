// The address a request came from, decided once by the portal's own server
// (which alone sees the socket) and handed to route handlers in a header that
// a client cannot set: per-IP throttling must not trust a client's X-Forwarded-For.

/** Set by lib/server/portal-server.ts on every request, replacing anything the client sent. */
export const CLIENT_IP_HEADER = "x-kling-portal-client-ip";

/**
 * The client's address: the socket's peer, or, behind `hops` trusted reverse
 * proxies, the X-Forwarded-For entry that the outermost trusted proxy saw.
 */
export function resolveClientIp(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, hops: number): string {
  const socket = remoteAddress ?? "unknown";
  if (hops <= 0) return socket;
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const chain = [...forwarded, socket];
  return chain[Math.max(0, chain.length - 1 - hops)];
}

/** The client's address from a route handler's headers; "unknown" when the portal server did not set it. */
export function clientIp(headers: Headers | Record<string, string | string[] | undefined>): string {
  const value = headers instanceof Headers ? headers.get(CLIENT_IP_HEADER) : headers[CLIENT_IP_HEADER];
  const ip = Array.isArray(value) ? value[0] : value;
  return ip?.trim() || "unknown";
}
