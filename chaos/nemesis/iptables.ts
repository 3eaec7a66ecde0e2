// Link faults with iptables inside the containers (they have NET_ADMIN). Every rule goes
// into one chain of ours, jumped to from INPUT and OUTPUT, so it can't touch Docker's own
// rules. Each fault's rules carry a comment naming the fault: healing one removes its own
// rules only, so two faults overlapping on a node (a random schedule draws such) each last
// as long as scheduled. A final heal-all flushes the chain.
//
// Rules match the peers' addresses on the cluster network only, both families: the network
// is dual-stack and names resolve to IPv6 first, so an IPv4-only rule would cut nothing. The host reaches a node's
// mapped port from the network's gateway (docker-proxy), which is no peer: the harness's
// own probes still see a partitioned node, as an operator's monitoring would.
//
// DROP by default: a cut cable or a dead switch port says nothing, so in-flight sessions
// hang until timeouts fire. That is what repmgr's connect_timeout and the routers' health
// checks must cope with. A refusing cut (REJECT: a firewall, a host that answers for a dead
// neighbour) hands both sides an instant error instead, so the cut-off primary's fence and
// the standbys' election start at the same moment: the tightest race the fence must win.
import { execIn } from '../../fixtures/docker.ts';
import type { ClusterInfo } from '../../cluster/info.ts';
import type { NodeName } from '../../model/topology.ts';
import { containerOf } from './fault.ts';

export const CHAIN = 'PGHA_CHAOS';

/** The tool for each address family. */
export const FAMILIES = [
  { tool: 'iptables', address: 'ip' },
  { tool: 'ip6tables', address: 'ip6' },
] as const;

export function ipOf(info: ClusterInfo, node: NodeName, family: 'ip' | 'ip6' = 'ip'): string {
  const ip = info.nodes[node]?.[family];
  if (!ip) throw new Error(`no ${family === 'ip' ? 'IPv4' : 'IPv6'} address on the cluster network for ${node}`);
  return ip;
}

/** How a cut link behaves: silence (a cut cable) or an instant refusal. */
export type LinkCut = 'drop' | 'refuse';

export interface CutOptions {
  /** Each packet on the link is cut with this probability (1: all of them). */
  probability?: number;
  cut?: LinkCut;
}

// A TCP packet is answered with a reset, so an established session (repmgrd's, the
// walreceiver's) fails at its next packet too, not only a new connect; anything else gets
// the family's ICMP port unreachable. The reset REJECT makes carries the peer's address as
// its source and passes these very rules on its way to the local socket: without the
// first rule it was rejected in turn, silently, and the refusing cut behaved as a drop
// (connects waited out connect_timeout, by hand on a `pgha up` cluster).
const VERDICTS: Record<LinkCut, readonly string[]> = {
  drop: ['-j DROP'],
  refuse: ['-p tcp --tcp-flags RST RST -j RETURN', '-p tcp -j REJECT --reject-with tcp-reset', '-j REJECT'],
};

/** The shell that puts one fault's rules into a node, for both families. */
export function cutScript(info: ClusterInfo, peers: readonly NodeName[], tag: string, { probability = 1, cut = 'drop' }: CutOptions = {}): string {
  const match = probability < 1 ? `-m statistic --mode random --probability ${probability.toFixed(4)} ` : '';
  return FAMILIES.flatMap(({ tool, address }) => [
    `${tool} -w -N ${CHAIN} 2>/dev/null || true`,
    ...['INPUT', 'OUTPUT'].map((hook) => `{ ${tool} -w -C ${hook} -j ${CHAIN} 2>/dev/null || ${tool} -w -I ${hook} 1 -j ${CHAIN}; }`),
    ...peers.flatMap((p) =>
      ['-s', '-d'].flatMap((dir) => VERDICTS[cut].map((verdict) => `${tool} -w -A ${CHAIN} ${dir} ${ipOf(info, p, address)} ${match}-m comment --comment ${tag} ${verdict}`)),
    ),
  ]).join(' && ');
}

/**
 * In each of `nodes`, cuts traffic to and from every address of `peers`. All of a node's
 * rules go in with one exec, so a partition is in place within one round trip per node;
 * one rule per exec took 2-4 s here, long enough for one side to notice the cut well
 * before the other.
 */
export async function cutBetween(info: ClusterInfo, nodes: readonly NodeName[], peers: readonly NodeName[], tag: string, options: CutOptions = {}): Promise<void> {
  const script = cutScript(info, peers, tag, options);
  await Promise.all(
    nodes.map(async (n) => {
      const r = await execIn(containerOf(info, n), ['bash', '-c', script]);
      if (r.exitCode !== 0) throw new Error(`iptables in ${n}: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`}`);
    }),
  );
}

/**
 * The comment that names one fault's rules: its kind and both sides, so the same fault
 * built again (heal after a restart of the harness's view) finds them.
 */
export function ruleTag(kind: 'partition' | 'loss', nodes: readonly NodeName[], others: readonly NodeName[]): string {
  const side = (ns: readonly NodeName[]) => [...ns].sort().join('+');
  return `pgha:${kind}:${side(nodes)}/${side(others)}`.replace(/[^A-Za-z0-9:+/_-]/g, '_').slice(0, 200);
}

/** The shell that deletes the rules of the chain carrying `tag` (nothing if none do). */
export function removeTaggedScript(tag: string): string {
  // -S prints each rule as its -A line; turned into -D it deletes that exact rule.
  // iptables-nft quotes the comment, iptables-legacy may not: either way, the whole tag.
  return FAMILIES.map(
    ({ tool }) => `${tool} -w -S ${CHAIN} 2>/dev/null | grep -F -e '--comment "${tag}" ' -e '--comment ${tag} ' | sed 's/^-A /-D /' | while read -r rule; do eval ${tool} -w "$rule"; done; true`,
  ).join('; ');
}

/** Removes one fault's rules from the nodes; a stopped container has none to remove. */
export async function removeTagged(info: ClusterInfo, nodes: readonly NodeName[], tag: string): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      const id = info.nodes[n]?.container;
      if (id) await execIn(id, ['bash', '-c', removeTaggedScript(tag)]).catch(() => undefined);
    }),
  );
}

/** Removes every rule of ours from the nodes; a stopped container has none to remove. */
export async function flush(info: ClusterInfo, nodes: readonly NodeName[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      const id = info.nodes[n]?.container;
      if (id) await execIn(id, ['bash', '-c', FAMILIES.map(({ tool }) => `${tool} -w -F ${CHAIN} 2>/dev/null`).join('; ')]).catch(() => undefined);
    }),
  );
}
