// Moments read off the role sampler's samples: when a cut-off primary stopped taking
// writes, when another node started to, when the old one came back as a standby, and
// whether the host could still see a node at all. Pure, so a hand-made list of samples
// proves each reading.
import type { NodeName } from '../../model/topology.ts';
import type { RoleSample } from '../../load/workload/index.ts';

const byTime = (samples: readonly RoleSample[]) => samples.toSorted((a, b) => a.at - b.at);

/**
 * When `node` stopped being writable for good within [from, to): the first non-writable
 * sample after its last writable one. A probe that timed out once under load and then
 * answered "writable" again is not a fence. Undefined while it stayed writable to the end.
 */
export function stoppedWritableAt(samples: readonly RoleSample[], node: NodeName, from: number, to: number): number | undefined {
  const mine = byTime(samples).filter((s) => s.node === node && s.at >= from && s.at < to);
  const lastWritable = mine.findLastIndex((s) => s.state === 'writable');
  return mine[lastWritable + 1]?.at;
}

/** The first sample in [from, to) at which a node other than `old` is writable. */
export function otherWritableAt(samples: readonly RoleSample[], old: NodeName, from: number, to = Infinity): { node: NodeName; at: number } | undefined {
  const s = byTime(samples).find((x) => x.node !== old && x.state === 'writable' && x.at >= from && x.at < to);
  return s && { node: s.node, at: s.at };
}

/** The first sample at or after `from` at which `node` answers as a standby. */
export function standbyAgainAt(samples: readonly RoleSample[], node: NodeName, from: number): number | undefined {
  return byTime(samples).find((s) => s.node === node && s.at >= from && s.state === 'standby')?.at;
}

/** The samples of `node` in [from, to) that were ever writable. */
export function writableSamples(samples: readonly RoleSample[], node: NodeName, from: number, to: number): RoleSample[] {
  return samples.filter((s) => s.node === node && s.at >= from && s.at < to && s.state === 'writable');
}

/**
 * Share of `node`'s samples in [from, to) that got an answer. The link faults drop only
 * peers' addresses; the host reaches the mapped ports through the network's gateway, so a
 * partitioned node that is still running must keep answering the sampler.
 */
export function answeredShare(samples: readonly RoleSample[], node: NodeName, from: number, to: number): { answered: number; total: number } {
  const mine = samples.filter((s) => s.node === node && s.at >= from && s.at < to);
  return { answered: mine.filter((s) => s.state !== 'unreachable').length, total: mine.length };
}

/** How many of `node`'s samples in [from, to) were in each state. */
export function stateCounts(samples: readonly RoleSample[], node: NodeName, from: number, to: number): Record<RoleSample['state'], number> {
  const out = { writable: 0, 'read-only': 0, standby: 0, unreachable: 0 };
  for (const s of samples) if (s.node === node && s.at >= from && s.at < to) out[s.state]++;
  return out;
}
