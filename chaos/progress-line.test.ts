// The progress lines on hand-made windows: what a person reading a CI log sees.
import { describe, expect, it } from 'vitest';
import type { Op, RoleSample } from '../model/history.ts';
import { faultHealedLine, faultInjectedLine, progressLine } from './progress-line.ts';
import { windowedLines } from './progress-ticker.ts';

let n = 0;
const op = (outcome: Op['outcome'], ms: number, extra: Partial<Op> = {}): Op => ({
  id: `w0:${n++}`, kind: 'write', process: 'w0', key: n, invokedAt: 1000, completedAt: 1000 + ms, invokedWall: 0, outcome, ...extra,
});
const sample = (node: RoleSample['node'], at: number, state: RoleSample['state']): RoleSample => ({ node, at, wall: 0, state });

describe('progressLine', () => {
  it('says elapsed / total, ok and failed operations, p99, HTTP answers and 5xx, and each node role', () => {
    const ops = [...Array.from({ length: 98 }, () => op('ok', 10)), op('ok', 250), op('fail', 5000), op('unknown', 5000)];
    const line = progressLine({
      elapsedMs: 80_400,
      totalMs: 600_000,
      ops,
      samples: [sample('pg-1', 1, 'writable'), sample('pg-2', 1, 'standby'), sample('pg-1', 2, 'unreachable'), sample('pg-2', 2, 'writable')],
      http: { answered: [{ status: 201 }, { status: 200 }, { status: 503 }, { status: 404 }], pending: 3 },
    });
    expect(line).toBe('progress 1:20 / 10:00 | ops 99 ok, 2 failed (1 unknown) | p99 250 ms | http 4 answered, 1 5xx, 3 waiting | pg-1 down, pg-2 primary');
  });

  it('leaves out router probes, the total when there is none, and HTTP when no load runs', () => {
    const line = progressLine({ elapsedMs: 5_000, ops: [op('fail', 10, { pinnedTo: 'proxysql' })], samples: [] });
    expect(line).toBe('progress 0:05 | ops 0 ok, 0 failed | p99 – | roles: no sample');
  });

  it('says when a fault went in and how long it held', () => {
    const ev = { id: 'f2', label: 'kill proxysql-2', injectedAt: 12_300 };
    expect(faultInjectedLine(ev)).toBe('f2 kill proxysql-2: injected at 0:12');
    expect(faultHealedLine(ev, 22_340)).toBe('f2 kill proxysql-2: healed after 10.0 s');
  });
});

describe('windowedLines', () => {
  it('counts only what happened since the previous line', () => {
    const ops: Op[] = [op('ok', 10), op('ok', 10)];
    const samples: RoleSample[] = [sample('pg-1', 1, 'writable')];
    const answered = [{ id: 'h0', kind: 'read-order' as const, sentAt: 0, status: 500 }];
    let now = 10_000;
    const next = windowedLines({ now: () => now, totalMs: 60_000, ops: () => ops, samples: () => samples, http: () => ({ answered, pending: 0 }) });
    expect(next()).toBe('progress 0:10 / 1:00 | ops 2 ok, 0 failed | p99 10 ms | http 1 answered, 1 5xx, 0 waiting | pg-1 primary');
    ops.push(op('fail', 10));
    now = 20_000;
    expect(next()).toBe('progress 0:20 / 1:00 | ops 0 ok, 1 failed | p99 – | http 0 answered, 0 5xx, 0 waiting | roles: no sample');
  });
});
