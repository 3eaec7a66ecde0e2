import { describe, expect, it } from 'vitest';
import type { NodeName } from '../../model/topology.ts';
import type { RoleSample } from '../../load/workload/index.ts';
import { answeredShare, otherWritableAt, standbyAgainAt, stateCounts, stoppedWritableAt, writableSamples } from './role-timeline.ts';

const run = (node: NodeName, from: number, to: number, state: RoleSample['state']): RoleSample[] => {
  const out: RoleSample[] = [];
  for (let t = from; t < to; t += 200) out.push({ node, at: t, wall: 1_000_000 + t, state });
  return out;
};

// pg-1 writable, one timed-out probe at 1000, writable again, fenced at 4000, standby from 9000;
// pg-2 standby until 5000, then writable.
const samples = [
  ...run('pg-1', 0, 1000, 'writable'),
  ...run('pg-1', 1000, 1200, 'unreachable'),
  ...run('pg-1', 1200, 4000, 'writable'),
  ...run('pg-1', 4000, 9000, 'unreachable'),
  ...run('pg-1', 9000, 10_000, 'standby'),
  ...run('pg-2', 0, 5000, 'standby'),
  ...run('pg-2', 5000, 10_000, 'writable'),
];

describe('role timeline', () => {
  it('takes the stop after the last writable sample, not a single timed-out probe', () => {
    expect(stoppedWritableAt(samples, 'pg-1', 500, 8000)).toBe(4000);
  });
  it('says undefined while the node stayed writable', () => {
    expect(stoppedWritableAt(samples, 'pg-1', 0, 3000)).toBeUndefined();
  });
  it('finds the first other writable node, the return as a standby, and writable samples', () => {
    expect(otherWritableAt(samples, 'pg-1', 500)).toEqual({ node: 'pg-2', at: 5000 });
    expect(otherWritableAt(samples, 'pg-1', 500, 5000)).toBeUndefined();
    expect(standbyAgainAt(samples, 'pg-1', 8000)).toBe(9000);
    expect(writableSamples(samples, 'pg-2', 0, 5000)).toEqual([]);
    expect(writableSamples(samples, 'pg-2', 0, 5400).length).toBe(2);
  });
  it('counts the answered samples of a node', () => {
    expect(answeredShare(samples, 'pg-1', 0, 2000)).toEqual({ answered: 9, total: 10 });
    expect(stateCounts(samples, 'pg-1', 0, 2000)).toEqual({ writable: 9, 'read-only': 0, standby: 0, unreachable: 1 });
  });
});
