// Which IP addresses count as the public internet, and a readable name for the
// rest (loopback, private, link-local…): for outbound checks and their messages.
import ipaddr from "ipaddr.js";

const NAMES: Record<string, string> = {
  loopback: "loopback",
  private: "private",
  linkLocal: "link-local",
  uniqueLocal: "unique-local (private IPv6)",
  unspecified: "unspecified",
  carrierGradeNat: "carrier-grade NAT",
  multicast: "multicast",
  broadcast: "broadcast",
  reserved: "reserved",
};

/** The address as ipaddr.js sees it, IPv4-mapped IPv6 (::ffff:127.0.0.1) unwrapped to IPv4. */
function parse(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = address.replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(bare)) return null;
  const ip = ipaddr.parse(bare);
  return ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

export function isIpLiteral(host: string): boolean {
  return parse(host) !== null;
}

export function isPublicIp(address: string): boolean {
  return parse(address)?.range() === "unicast";
}

/** "a loopback address", "a private address", … for messages; undefined for a public one. */
export function describeNonPublic(address: string): string | undefined {
  const ip = parse(address);
  if (!ip) return "not an IP address";
  const range = ip.range();
  if (range === "unicast") return undefined;
  return `a ${NAMES[range] ?? `reserved (${range})`} address`;
}

/** The canonical text of an address (IPv4-mapped IPv6 shown as IPv4). */
export function normalizeIp(address: string): string {
  return parse(address)?.toString() ?? address;
}
