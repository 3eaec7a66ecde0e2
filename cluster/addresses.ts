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

/**
 * One IPv4 and one IPv6 address on the network that no container holds: the top of each
 * subnet, which Docker (allocating from the bottom) never reaches in a run. A name pointed
 * at them resolves where nothing answers, as a killed container's name does until Docker
 * drops it.
 */
export function silentAddresses(subnets: readonly string[], used: ReadonlySet<string>): NetworkAddresses {
  const v4 = subnets.find((s) => !s.includes(':'));
  const v6 = subnets.find((s) => s.includes(':'));
  if (!v4 || !v6) throw new Error(`the network has no ${!v4 ? 'IPv4' : 'IPv6'} subnet (subnets: ${subnets.join(', ') || 'none'})`);
  const [base, bits] = v4.split('/') as [string, string];
  const start = base.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const top = start + 2 ** (32 - Number(bits)) - 2;
  const ip = [24, 16, 8, 0].map((s) => Math.floor(top / 2 ** s) % 256).join('.');
  if (!/::\/64$/.test(v6)) throw new Error(`an IPv6 subnet of the form <prefix>::/64 was expected, not ${v6}`);
  const ip6 = v6.replace(/::\/64$/, '::ffff:fffe');
  for (const a of [ip, ip6]) if (used.has(a)) throw new Error(`${a} is held by a container on the network: no silent address to point a name at`);
  return { ip, ip6 };
}
