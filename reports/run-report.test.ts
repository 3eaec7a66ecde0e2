import { describe, expect, it } from 'vitest';
import { lostWritesLine, type Measurement } from './run-report.ts';

const m = (name: string, value: number, subject?: string): Measurement => ({ suite: 'failover', name, value, unit: 'count', at: '', ...(subject ? { subject } : {}) });

describe('lostWritesLine: the acknowledged writes a run lost, in one line', () => {
  it('sums every case that counted them and names the mode', () => {
    expect(lostWritesLine([m('acknowledged writes lost', 0, 'kill primary'), m('acknowledged writes lost', 0, 'stop primary')], 'any1')).toBe(
      'acknowledged writes lost: 0 in 2 case(s), synchronous (ANY 1) replication',
    );
  });
  it('names the cases that lost some', () => {
    expect(lostWritesLine([m('acknowledged writes lost', 150, 'primary cut off'), m('acknowledged writes lost', 0, 'kill primary'), m('acknowledged writes lost', 15, 'blackholed')], 'off')).toBe(
      'acknowledged writes lost: 165 in 3 case(s), asynchronous replication (primary cut off: 150; blackholed: 15)',
    );
  });
  it('ignores other counts, and says nothing when no case counted lost writes', () => {
    expect(lostWritesLine([m('failed or unknown client writes', 7, 'kill primary')], 'any1')).toBeUndefined();
  });
});
