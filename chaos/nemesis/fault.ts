// A fault goes in with inject() and comes out with heal(). heal() is idempotent: it runs
// at the end of every step, again on the way out (also after a failed check or Ctrl-C),
// and must do no harm when there is nothing to undo.
import type { ClusterInfo } from '../../cluster/info.ts';
import type { NodeName } from '../../model/topology.ts';

export type FaultName = 'kill' | 'stop' | 'restart' | 'pause' | 'partition' | 'packet-loss' | 'latency';

/** What a fault is aimed at, by topology name. Link faults cut `nodes` from `others`. */
export interface FaultTarget {
  nodes: NodeName[];
  others?: NodeName[];
  /** packet-loss: probability a packet on the link is dropped (0..1). */
  probability?: number;
  /** partition: the link refuses at once (a TCP reset, ICMP unreachable) instead of dropping in silence. */
  refuse?: boolean;
  /** latency: added one-way delay, ms. */
  delayMs?: number;
}

export interface NemesisContext {
  /** The cluster as last refreshed (host ports move when containers restart). */
  info(): ClusterInfo;
  /** Re-reads host ports after containers came back, and makes that the current info. */
  refresh(): Promise<ClusterInfo>;
}

export interface Fault {
  name: FaultName;
  /** Why this machine can't do it, or undefined when it can. */
  unsupported?(ctx: NemesisContext, t: FaultTarget): Promise<string | undefined>;
  inject(ctx: NemesisContext, t: FaultTarget): Promise<void>;
  heal(ctx: NemesisContext, t: FaultTarget): Promise<void>;
}

export function containerOf(info: ClusterInfo, node: NodeName): string {
  const id = info.nodes[node]?.container;
  if (!id) throw new Error(`no container for ${node} in this cluster`);
  return id;
}
