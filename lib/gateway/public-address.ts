// Callers' callback URLs may only reach the public internet: the cheap literal
// check at submit time (the safe fetch checks resolved addresses at delivery).
import ipaddr from "ipaddr.js";
import { isPublicIp } from "../http/ip-ranges";

export { isPublicIp };

/** Checks the literal host only (cheap, at submit time). */
export function isObviouslyPrivateHost(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local")) return true;
  return ipaddr.isValid(host) && !isPublicIp(host);
}
