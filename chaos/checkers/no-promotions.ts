// No promotions: across the run no data node changed role (a standby became writable, the
// primary became a standby or read-only) and the writes stayed on one timeline. The claim
// of the no-fault soak, and of any run whose faults hit no data node.
import { dataNodes, type NodeName } from '../../model/topology.ts';
import type { NodeState, RoleSample } from '../../load/workload/index.ts';
import type { FaultEvent, RunHistory } from '../../model/history.ts';
import { timelineSwitches } from './recovery.ts';
import { couldNotCheck, verdict } from './verdict.ts';
import type { Verdict } from '../../model/summary.ts';

export interface RoleChange {
  node: NodeName;
  at: number;
  from: Exclude<NodeState, 'unreachable'>;
  to: Exclude<NodeState, 'unreachable'>;
}

/**
 * Each node's changes between the roles it was seen in. A probe that got no answer says
 * nothing about the role (a busy node misses a 200 ms probe now and then), so
 * unreachable samples are passed over rather than counted as changes.
 */
export function roleChanges(samples: readonly RoleSample[]): RoleChange[] {
  const last = new Map<NodeName, Exclude<NodeState, 'unreachable'>>();
  const out: RoleChange[] = [];
  for (const s of samples.toSorted((a, b) => a.at - b.at)) {
    if (s.state === 'unreachable') continue;
    const was = last.get(s.node);
    if (was !== undefined && was !== s.state) out.push({ node: s.node, at: s.at, from: was, to: s.state });
    last.set(s.node, s.state);
  }
  return out;
}

/**
 * Whether the run's faults left the data nodes alone. Routers carry no data and the
 * witness only votes when the primary is gone, so while only they are hit repmgr has no
 * reason to promote: any role change then is a spurious failover, and kill-proxy and
 * kill-witness are held to no promotions as the soak is. A fault that names a data node
 * (on either side of a partition, too) may end in a legitimate role change (a restarted
 * primary replaced, a partitioned one fenced); split brains there are
 * single-writable-primary's to judge. A fault that was unsupported never went in; one
 * whose inject failed may have gone in half, so it counts.
 */
export function faultsSpareDataNodes(faults: readonly FaultEvent[]): boolean {
  const data = new Set<string>(dataNodes().map((n) => n.name));
  return faults.filter((f) => f.status !== 'unsupported').every((f) => !f.targets.some((t) => data.has(t)));
}

export function noPromotions(h: RunHistory): Verdict {
  const claim = 'no data node changes role and writes stay on one timeline (no promotion, no demotion)';
  if (h.samples.length === 0) return couldNotCheck('no-promotions', claim, 'no role samples were taken');
  const changes = roleChanges(h.samples);
  const switches = h.rows ? timelineSwitches(h.rows) : [];
  const opTimelines = [...new Set(h.ops.flatMap((o) => (o.outcome === 'ok' && o.timeline !== undefined ? [o.timeline] : [])))].sort((a, b) => a - b);
  const primaries = [...new Set(h.samples.filter((s) => s.state === 'writable').map((s) => s.node))].sort();
  const unreachable = h.samples.filter((s) => s.state === 'unreachable').length;
  return verdict(
    'no-promotions',
    claim,
    [
      ...changes.map((c) => `${c.node} ${c.from} → ${c.to} at ${(c.at / 1000).toFixed(1)} s`),
      ...switches.map((t) => `timeline ${t.fromTimeline} → ${t.toTimeline} in the rows read back`),
      ...(opTimelines.length > 1 ? [`acknowledged writes on timelines ${opTimelines.join(', ')}`] : []),
    ],
    `${h.samples.length} role samples: ${primaries.join(', ') || 'no node'} primary throughout, no role change; writes on timeline ${opTimelines.join(', ') || '?'}${h.rows ? '' : ' (rows not read back)'}; ${unreachable} probes unanswered`,
    (n) => `${changes.length} role changes, ${switches.length} timeline switches (${n} problems)`,
  );
}
