// Faults on links between groups of nodes: a full partition, random packet loss, and
// latency (tc netem, where the kernel has it).
import { execIn } from '../../fixtures/docker.ts';
import type { ClusterInfo } from '../../cluster/info.ts';
import type { NodeName } from '../../model/topology.ts';
import { containerOf, type Fault, type FaultTarget } from './fault.ts';
import { cutBetween, ipOf, removeTagged, ruleTag } from './iptables.ts';

const sides = (t: FaultTarget): [NodeName[], NodeName[]] => {
  if (!t.others?.length) throw new Error('a link fault needs two groups: nodes and others');
  return [t.nodes, t.others];
};

// Both sides cut, so neither half can reach the other even through a stale connection.
export const partition: Fault = {
  name: 'partition',
  inject: async (ctx, t) => {
    const [a, b] = sides(t);
    // Rules match addresses, and a restarted container may have another one by now.
    await ctx.refresh();
    const tag = ruleTag('partition', a, b);
    const cut = t.refuse ? 'refuse' : 'drop';
    await Promise.all([cutBetween(ctx.info(), a, b, tag, { cut }), cutBetween(ctx.info(), b, a, tag, { cut })]);
  },
  heal: async (ctx, t) => removeTagged(ctx.info(), [...t.nodes, ...(t.others ?? [])], ruleTag('partition', t.nodes, t.others ?? [])),
};

// Loss on the link, applied on the `nodes` side only (each packet has one chance to die).
export const packetLoss: Fault = {
  name: 'packet-loss',
  inject: async (ctx, t) => {
    const [a, b] = sides(t);
    const p = t.probability ?? 0.3;
    await ctx.refresh();
    if (!(p > 0 && p <= 1)) throw new Error(`packet loss probability ${p} is outside (0, 1]`);
    await cutBetween(ctx.info(), a, b, ruleTag('loss', a, b), { probability: p });
  },
  heal: async (ctx, t) => removeTagged(ctx.info(), t.nodes, ruleTag('loss', t.nodes, t.others ?? [])),
};

/** The container's interface on the cluster network (containers also sit on Docker's bridge). */
async function clusterInterface(info: ClusterInfo, node: NodeName): Promise<string> {
  const r = await execIn(containerOf(info, node), ['ip', '-o', '-4', 'addr', 'show']);
  const ip = ipOf(info, node);
  const line = r.stdout.split('\n').find((l) => l.includes(` ${ip}/`));
  const dev = line?.split(/\s+/)[1];
  if (!dev) throw new Error(`no interface with ${ip} in ${node}`);
  return dev;
}

const QDISC_HANDLE = 'root';

/**
 * Latency with netem on the node's cluster interface (every peer, both directions of its
 * traffic leaving the node). netem is a kernel module: where it is missing the fault is
 * unsupported, and says so.
 */
export const latency: Fault = {
  name: 'latency',
  unsupported: async (ctx, t) => {
    const node = t.nodes[0];
    if (!node) return 'no target';
    const id = containerOf(ctx.info(), node);
    const probe = await execIn(id, ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
    if (probe.exitCode !== 0) return `tc netem is not available in this kernel (${(probe.stderr || probe.stdout).trim() || `exit ${probe.exitCode}`})`;
    await execIn(id, ['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
    return undefined;
  },
  inject: async (ctx, t) => {
    for (const n of t.nodes) {
      const dev = await clusterInterface(ctx.info(), n);
      const r = await execIn(containerOf(ctx.info(), n), ['tc', 'qdisc', 'replace', 'dev', dev, QDISC_HANDLE, 'netem', 'delay', `${t.delayMs ?? 100}ms`]);
      if (r.exitCode !== 0) throw new Error(`tc netem in ${n}: ${r.stderr.trim()}`);
    }
  },
  heal: async (ctx, t) => {
    for (const n of t.nodes) {
      const dev = await clusterInterface(ctx.info(), n).catch(() => undefined);
      if (dev) await execIn(containerOf(ctx.info(), n), ['tc', 'qdisc', 'del', 'dev', dev, QDISC_HANDLE]).catch(() => undefined);
    }
  },
};
