// Never two writable primaries at one sampled instant. Each node's state at time t is its
// latest sample at or before t, trusted for `staleAfterMs`: an older sample says nothing.
import type { NodeName } from '../../model/topology.ts';
import type { RoleSample } from '../../load/workload/index.ts';
import type { RunHistory } from '../../model/history.ts';
import { couldNotCheck, verdict } from './verdict.ts';
import type { Verdict } from '../../model/summary.ts';

export interface SinglePrimaryOptions {
  /** How long a sample stands for its node (default 1000 ms: five missed 200 ms samples). */
  staleAfterMs?: number;
}

export interface SplitBrain {
  from: number;
  to: number;
  nodes: NodeName[];
}

/** The intervals during which two or more nodes were writable at once, merged. */
export function splitBrains(samples: readonly RoleSample[], staleAfterMs = 1000): SplitBrain[] {
  const sorted = samples.toSorted((a, b) => a.at - b.at);
  const latest = new Map<NodeName, RoleSample>();
  const out: SplitBrain[] = [];
  for (const s of sorted) {
    latest.set(s.node, s);
    const writable = [...latest.values()].filter((x) => x.state === 'writable' && s.at - x.at <= staleAfterMs).map((x) => x.node).sort();
    if (writable.length < 2) continue;
    const last = out[out.length - 1];
    if (last && last.nodes.join() === writable.join() && s.at - last.to <= staleAfterMs) last.to = s.at;
    else out.push({ from: s.at, to: s.at, nodes: writable });
  }
  return out;
}

export function singleWritablePrimary(h: RunHistory, opts: SinglePrimaryOptions = {}): Verdict {
  const claim = 'never two writable primaries at one sampled instant';
  if (h.samples.length === 0) return couldNotCheck('single-writable-primary', claim, 'no role samples were taken');
  const brains = splitBrains(h.samples, opts.staleAfterMs);
  const nodes = new Set(h.samples.map((s) => s.node)).size;
  return verdict(
    'single-writable-primary',
    claim,
    brains.map((b) => `${b.nodes.join(' + ')} writable from ${(b.from / 1000).toFixed(2)} s to ${(b.to / 1000).toFixed(2)} s`),
    `${h.samples.length} samples of ${nodes} nodes, at most one writable at a time`,
    (n) => `two writable primaries in ${n} interval(s), for ${(brains.reduce((s, b) => s + b.to - b.from, 0) / 1000).toFixed(1)} s in all`,
  );
}
