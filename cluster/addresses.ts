// A node's addresses on the cluster's dual-stack network. Both are read back from Docker
// after every start: a restarted or redeployed container may come back on others.
import { randomBytes } from 'node:crypto';

export interface NetworkAddresses {
  /** IPv4 address on the cluster network. */
  ip: string;
  /** IPv6 address on the cluster network: what the nodes' names resolve to first. */
  ip6: string;
}

interface InspectedNetworks {
  NetworkSettings: { Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string } | undefined> };
}

/** Both addresses, or an error naming what is missing: a dual-stack node without either is no cluster node. */
export function networkAddresses(inspect: InspectedNetworks, network: string): NetworkAddresses {
  const n = inspect.NetworkSettings.Networks?.[network];
  const ip = n?.IPAddress ?? '';
  const ip6 = n?.GlobalIPv6Address ?? '';
  if (!ip || !ip6) throw new Error(`the container has no ${!ip ? 'IPv4' : 'IPv6'} address on ${network} (is Docker's network dual-stack?)`);
  return { ip, ip6 };
}

/** Both addresses when the container is on the network, none when it is stopped. */
export function addressesIfAttached(inspect: InspectedNetworks, network: string): Partial<NetworkAddresses> {
  const n = inspect.NetworkSettings.Networks?.[network];
  return { ...(n?.IPAddress ? { ip: n.IPAddress } : {}), ...(n?.GlobalIPv6Address ? { ip6: n.GlobalIPv6Address } : {}) };
}

/**
 * A unique-local /64 (RFC 4193: fd00::/8 and a random 40-bit global id), so runs side by
 * side never share a subnet.
 */
export function randomUlaSubnet(random: (n: number) => Buffer = randomBytes): string {
  const g = random(5);
  const hex = (i: number) => g.readUInt16BE(i).toString(16);
  return `fd${g[0]!.toString(16).padStart(2, '0')}:${hex(1)}:${hex(3)}::/64`;
}
