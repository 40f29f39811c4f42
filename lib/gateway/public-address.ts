// Callers' callback URLs may only reach the public internet: never loopback,
// link-local, private or other reserved ranges, unless an operator allows it.
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { isPublicIp } from "../http/ip-ranges";

export { isPublicIp };

/** Checks the literal host only (cheap, at submit time). */
export function isObviouslyPrivateHost(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local")) return true;
  return ipaddr.isValid(host) && !isPublicIp(host);
}

/** Resolves the host and requires every address to be public (at delivery time). */
export async function resolvesToPublic(url: URL, resolve: typeof lookup = lookup): Promise<boolean> {
  if (isObviouslyPrivateHost(url)) return false;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(host)) return isPublicIp(host);
  try {
    const addresses = await resolve(host, { all: true, verbatim: true });
    return addresses.length > 0 && addresses.every((a) => isPublicIp(a.address));
  } catch {
    return false;
  }
}
