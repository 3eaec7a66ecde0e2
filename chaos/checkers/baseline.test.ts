// The baseline window: from the moment every client of the load had its first session to
// the first fault. A start-up failure (a first session through pgpool slower than the
// connect timeout on a starved machine) is before it and fails nothing; a failure once
// the load was ready still fails the baseline; a load that never got ready fails it.
import { describe, expect, it } from 'vitest';
import type { FaultEvent, Op, RunHistory } from '../../model/history.ts';
import type { HttpRequestRecord, TradingHistory } from '../../load/trading/index.ts';
import { healthyBaseline, httpBaseline, phaseStats } from './index.ts';
import { baselineWindow } from './windows.ts';

const w = (k: number, t: number, outcome: Op['outcome'] = 'ok', extra: Partial<Op> = {}): Op => ({
  id: `w0:${k}`,
  kind: 'write',
  process: 'w0',
  key: k,
  invokedAt: t,
  completedAt: t + (outcome === 'ok' ? 5 : 1000),
  invokedWall: 1_000_000 + t,
  outcome,
  ...(outcome === 'ok' ? {} : { error: 'timeout expired' }),
  ...extra,
});
const kill: FaultEvent = { id: 'f1', fault: 'kill', targets: ['pg-1'], label: 'kill pg-1', injectedAt: 10_000, healedAt: 20_000, status: 'injected' };
const hist = (p: Partial<RunHistory>): RunHistory => ({ ops: [], samples: [], faults: [kill], endedAt: 30_000, epochWall: 1_000_000, ...p });
// Writes every 100 ms from `from` to the fault, all answered.
const healthy = (from: number) => Array.from({ length: (10_000 - from) / 100 }, (_, i) => w(100 + i, from + i * 100));
// Connect timeouts at start-up: the first sessions took longer than 1 s.
const startUp = [w(1, 0, 'fail'), w(2, 20, 'fail'), w(3, 40, 'fail')];

describe('baseline window', () => {
  it('runs from the load getting ready to the first fault', () => {
    expect(baselineWindow(hist({ loadReadyAt: 2500 }))).toEqual({ from: 2500, to: 10_000, faultFree: false });
    expect(baselineWindow(hist({ loadReadyAt: 2500, faults: [] }))).toEqual({ from: 2500, to: 30_000, faultFree: true });
  });
  it('starts at 0 for a history without a ready time (the load was ready at once)', () => {
    expect(baselineWindow(hist({}))).toEqual({ from: 0, to: 10_000, faultFree: false });
  });
  it('has none when the load never got ready, or got ready only after the first fault', () => {
    expect(baselineWindow(hist({ loadNotReady: 'still waiting: w2' }))).toEqual({ error: 'the load never got ready: still waiting: w2' });
    expect(baselineWindow(hist({ loadReadyAt: 12_000 }))).toEqual({ error: 'the load got ready at 12.0 s, after the first fault went in at 10.0 s' });
  });
});

describe('healthy baseline against start-up', () => {
  it('leaves out the operations that failed while clients were opening their first sessions', () => {
    const ops = [...startUp, ...healthy(1500)];
    // Measured from t=0 (the old window) the start-up failures were 3 of 88: a failed baseline.
    expect(healthyBaseline(hist({ ops })).status).toBe('fail');
    const v = healthyBaseline(hist({ ops, loadReadyAt: 1500 }));
    expect(v.status).toBe('pass');
    expect(v.summary).toBe('85 operations from the load ready (1.5 s) to the first fault, 0.00 % failed, p99 5 ms');
  });
  it('still fails on a failure once every client had its session', () => {
    const ops = [...startUp, ...healthy(1500), w(9, 5000, 'fail'), w(10, 5050, 'fail')];
    const v = healthyBaseline(hist({ ops, loadReadyAt: 1500 }));
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['w0:9: timeout expired', 'w0:10: timeout expired']);
  });
  it('fails, saying why, when the load never got ready', () => {
    expect(healthyBaseline(hist({ ops: healthy(1500), loadNotReady: 'not every client had a session within 30 s (still waiting: workload: p-proxysql-2)' }))).toMatchObject({
      status: 'fail',
      summary: 'could not check: the load never got ready: not every client had a session within 30 s (still waiting: workload: p-proxysql-2)',
    });
  });
  it('starts the first phase at the ready time too', () => {
    const stats = phaseStats(hist({ ops: [...startUp, ...healthy(1500)], loadReadyAt: 1500 }));
    expect(stats[0]).toMatchObject({ phase: 'f1 before', from: 1500, to: 10_000, ops: 85, fail: 0 });
  });
});

describe('HTTP baseline against start-up', () => {
  const req = (i: number, t: number, status: number): HttpRequestRecord => ({ id: `h${i}`, kind: 'read-positions', sentAt: t, status, doneAt: t + 10 });
  const trading = (requests: HttpRequestRecord[]): TradingHistory => ({ load: { targetRate: 10, connections: 4, lanes: 2, deadlineMs: 2000 }, startedAt: 0, stoppedAt: 30_000, requests, cutAtStop: 0 });
  const early = [req(0, 0, 503), req(1, 100, 503)];
  const steady = Array.from({ length: 80 }, (_, i) => req(10 + i, 2000 + i * 100, 200));
  it('judges only requests sent once the load was ready', () => {
    expect(httpBaseline(trading([...early, ...steady]), hist({})).status).toBe('fail');
    expect(httpBaseline(trading([...early, ...steady]), hist({ loadReadyAt: 2000 }))).toMatchObject({ status: 'pass' });
    expect(httpBaseline(trading([...steady, req(99, 3050, 503), req(98, 3060, 503)]), hist({ loadReadyAt: 2000 })).status).toBe('fail');
  });
  it('fails when the load never got ready', () => {
    expect(httpBaseline(trading(steady), hist({ loadNotReady: 'x' })).summary).toBe('could not check: the load never got ready: x');
  });
});
