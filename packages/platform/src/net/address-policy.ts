import ipaddr from 'ipaddr.js';

/**
 * Which addresses an outbound fetch of a user-given URL may connect to. Deny by default: only
 * ipaddr.js's `unicast` range (public unicast) passes, so loopback, private (RFC 1918), unique
 * local (RFC 4193), link-local (incl. 169.254.169.254 metadata), multicast, unspecified, CGNAT
 * (RFC 6598), broadcast, reserved and every v6 range that can embed a v4 address (IPv4-mapped,
 * NAT64 RFC 6052, 6to4, Teredo) are refused.
 */
export interface AddressPolicy {
  /**
   * CIDRs allowed even though they are not public, e.g. `127.0.0.1/32` for a test origin server.
   * Empty in production; never derived from user input.
   */
  allowCidrs?: readonly string[];
}

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name, e.g. `loopback`, `private`, `linkLocal`, `carrierGradeNat`. */
  range: string;
}

export function classifyAddress(address: string, policy: AddressPolicy = {}): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'invalid' };
  const parsed = ipaddr.parse(address);
  // An IPv4-mapped v6 address (::ffff:a.b.c.d) reaches the v4 host: judge it as that host, but
  // name the class so the refusal says why.
  const mapped = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress();
  const range = mapped ? 'ipv4Mapped' : parsed.range();
  for (const cidr of policy.allowCidrs ?? []) {
    const [net, bits] = ipaddr.parseCIDR(cidr);
    const candidate = mapped ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
    if (candidate.kind() === net.kind() && candidate.match(net, bits)) return { allowed: true, range };
  }
  return { allowed: range === 'unicast', range };
}

/** `new URL().hostname` keeps IPv6 literals bracketed; ipaddr.js wants them bare. */
export function ipLiteral(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : null;
}
