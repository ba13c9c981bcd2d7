/**
 * Checks of IP addresses and CIDRs as they appear in core/v1 objects: service cluster and external IPs,
 * endpoint addresses, node pod CIDRs. Each check returns problems (empty when the value is fine), in the
 * style of the checks in validation.ts.
 */
import { BlockList, isIP } from "node:net";

/** The IP family of `value`: 4, 6, or 0 when it is not a plain IP address (zones are refused). */
export function ipFamily(value: string): 0 | 4 | 6 {
  if (value.includes("%")) return 0;
  const family = isIP(value);
  return family === 4 || family === 6 ? family : 0;
}

/** Problems with `value` as an IP address. */
export function checkIP(value: string): string[] {
  return ipFamily(value) === 0
    ? ["must be a valid IP address, such as 10.9.8.7 or 2001:db8::ffff"]
    : [];
}

/** The family of a CIDR such as `10.0.0.0/16`, or 0 when it is not one. */
export function cidrFamily(value: string): 0 | 4 | 6 {
  const slash = value.indexOf("/");
  if (slash < 0) return 0;
  const family = ipFamily(value.slice(0, slash));
  const bits = value.slice(slash + 1);
  if (family === 0 || !/^(0|[1-9][0-9]{0,2})$/.test(bits)) return 0;
  return Number(bits) <= (family === 4 ? 32 : 128) ? family : 0;
}

/** Problems with `value` as a CIDR. */
export function checkCIDR(value: string): string[] {
  return cidrFamily(value) === 0
    ? ["must be a valid CIDR value, such as 10.9.8.0/24 or 2001:db8::/64"]
    : [];
}

/** True when `values` hold exactly one entry of each family (one IPv4 and one IPv6). */
export function isDualStack(values: readonly string[], family: (v: string) => 0 | 4 | 6): boolean {
  if (values.length !== 2) return false;
  const families = new Set(values.map(family));
  return families.has(4) && families.has(6);
}

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");
const linkLocal = new BlockList();
linkLocal.addSubnet("169.254.0.0", 16, "ipv4");
linkLocal.addSubnet("fe80::", 10, "ipv6");
const linkLocalMulticast = new BlockList();
linkLocalMulticast.addSubnet("224.0.0.0", 24, "ipv4");
linkLocalMulticast.addSubnet("ff02::", 16, "ipv6");

/**
 * Problems with a valid IP that must address a real endpoint: not unspecified, loopback, link-local or
 * link-local multicast, which proxies cannot forward to.
 */
export function checkNonSpecialIP(value: string): string[] {
  const family = ipFamily(value);
  if (family === 0) return [];
  const type = family === 4 ? "ipv4" : "ipv6";
  if (value === "0.0.0.0" || /^[0:]+$/.test(value))
    return ["may not be unspecified (0.0.0.0 or ::)"];
  if (loopback.check(value, type))
    return ["may not be in the loopback range (127.0.0.0/8, ::1/128)"];
  if (linkLocal.check(value, type))
    return ["may not be in the link-local range (169.254.0.0/16, fe80::/10)"];
  if (linkLocalMulticast.check(value, type)) {
    return ["may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"];
  }
  return [];
}
