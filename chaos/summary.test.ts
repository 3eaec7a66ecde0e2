// A chaos run judged end to end from hand-made records (runVerdicts, then summarize): what
// the run could not check fails it, with the reason in the verdicts, the summary and the
// JUnit; a fault this machine cannot make is unsupported, named, and the run is judged on
// the rest. bin/chaos.ts exits 1 exactly when a verdict fails (runChaos's `failed`).
import { describe, expect, it } from 'vitest';
import type { FaultEvent, Op, RoleSample, RunHistory } from '../model/history.ts';
import type { HttpRequestRecord, TradingHistory } from '../model/http-history.ts';
import type { Verdict } from '../model/summary.ts';
import { junitXml } from '../reports/chaos-junit.ts';
import { runVerdicts, summarize } from './summary.ts';

// 40 s: pg-1 primary until a kill at 10 s, pg-2 writable from 12 s; writes every 100 ms
// fail from 10 s to 13 s; every acknowledged write read back.
function healthyRun(faults: FaultEvent[] = [kill]): RunHistory {
  const ops: Op[] = [];
  for (let t = 0; t < 40_000; t += 100) {
    const bad = t >= 10_000 && t < 13_000;
    ops.push({ id: `w0:${t}`, kind: 'write', process: 'w0', key: t, invokedAt: t, completedAt: t + 8, invokedWall: 1e12 + t, outcome: bad ? 'fail' : 'ok', via: 'proxysql', node: t < 10_000 ? 'pg-1' : 'pg-2' });
  }
  const samples: RoleSample[] = [];
  for (let t = 0; t < 40_000; t += 200) {
    samples.push({ node: 'pg-1', at: t, wall: 1e12 + t, state: t < 10_000 ? 'writable' : t < 25_000 ? 'unreachable' : 'standby' });
    samples.push({ node: 'pg-2', at: t, wall: 1e12 + t, state: t < 12_000 ? 'standby' : 'writable' });
  }
  const rows = ops.filter((o) => o.outcome === 'ok').map((o) => ({ id: o.key, writer: 0, timeline: o.invokedAt < 10_000 ? 1 : 2, committedAt: 1e12 + o.invokedAt, node: o.node! }));
  return { ops, samples, faults, rows, endedAt: 40_000, epochWall: 1e12 };
}
/** The same run with nothing happening to the cluster (the faults did not go in). */
function calmRun(faults: FaultEvent[]): RunHistory {
  const h = healthyRun(faults);
  const ops = h.ops.map((o) => ({ ...o, outcome: 'ok' as const, node: 'pg-1' }));
  const samples = h.samples.map((x) => ({ ...x, state: x.node === 'pg-1' ? ('writable' as const) : ('standby' as const) }));
  return { ...h, ops, samples, rows: ops.map((o) => ({ id: o.key, writer: 0, timeline: 1, committedAt: 1e12 + o.invokedAt, node: 'pg-1' })) };
}
const kill: FaultEvent = { id: 'f1', fault: 'kill', targets: ['pg-1'], label: 'kill pg-1 (the primary)', injectedAt: 10_000, healedAt: 25_000, status: 'injected' };
const netem: FaultEvent = { id: 'f2', fault: 'latency', targets: ['pg-2'], label: 'latency +100 ms pg-2', injectedAt: 30_000, status: 'unsupported', reason: 'tc netem is not available in this kernel' };
const formed: Verdict = { checker: 'cluster-reforms', claim: 'after every heal the cluster forms again', status: 'pass', summary: 'formed', evidence: [] };

function trading(): TradingHistory {
  const requests: HttpRequestRecord[] = [];
  for (let t = 1000; t < 39_000; t += 500) requests.push({ id: `h${t}`, kind: 'read-positions', sentAt: t, doneAt: t + 6, status: 200 });
  return { load: { targetRate: 2, connections: 1, lanes: 1, deadlineMs: 2000 }, startedAt: 1000, stoppedAt: 39_000, requests, cutAtStop: 0, orders: { from: 'pg-2', orders: [], positions: [] } };
}

const meta = { runId: 'r1', schedule: { scenario: 'kill-primary', seed: 7, durationMs: 40_000, steps: [] }, budgetMs: 30_000, images: [] };
const times = { startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:40Z', proxyFlavor: 'proxysql', proxyFlavorReason: '' };

function judged(history: RunHistory, o: { scheduledFaults?: number; trading?: TradingHistory | 'asked, not run'; reform?: Verdict } = {}) {
  const t = o.trading === 'asked, not run' ? undefined : o.trading;
  const verdicts = runVerdicts({
    history,
    scheduledFaults: o.scheduledFaults ?? history.faults.length,
    budgetMs: 30_000,
    tradingAsked: o.trading !== undefined,
    ...(t ? { trading: t } : {}),
    ...(o.trading === 'asked, not run' ? { tradingError: 'the trading service could not start: listen EADDRINUSE' } : {}),
    reform: o.reform ?? formed,
    replication: 'synchronous',
  });
  const summary = summarize({ ...meta, ...times, history, verdicts, ...(t ? { trading: t } : {}) });
  const failed = verdicts.filter((v) => v.status === 'fail');
  return { summary, failed, why: failed.map((v) => `${v.checker}: ${v.summary}${v.evidence.length ? ` [${v.evidence.join('; ')}]` : ''}`) };
}

describe('judging a chaos run: no looking away', () => {
  it('passes a run where every check had its input and held (the counterpart of every case below)', () => {
    const r = judged(healthyRun(), { trading: trading() });
    expect(r.why).toEqual([]);
    expect(r.summary.outcome).toBe('pass');
    expect(r.summary.unsupported).toEqual([]);
    expect(r.summary.verdicts.map((v) => v.checker)).toEqual(['faults-as-scheduled', 'no-lost-writes', 'no-duplicate-writes', 'own-replies', 'single-writable-primary', 'recovery-within-budget', 'healthy-baseline', 'http-baseline', 'no-lost-orders', 'cluster-reforms']);
  });

  it('fails a run whose read-back of rows failed, saying so, in the verdicts and the JUnit', () => {
    const { rows: _, ...h } = healthyRun();
    const r = judged({ ...h, rowsError: 'read back: no data node is writable (no primary)' }, { trading: { ...trading(), orders: undefined, ordersError: 'not read, the read-back of rows failed first' } });
    expect(r.summary.outcome).toBe('fail');
    expect(r.why).toEqual([
      'no-lost-writes: could not check: the read-back of rows failed: read back: no data node is writable (no primary)',
      'no-duplicate-writes: could not check: the read-back of rows failed: read back: no data node is writable (no primary)',
      'no-lost-orders: could not check: the read-back of orders failed: not read, the read-back of rows failed first',
    ]);
    expect(r.summary.counts.rows).toBeNull();
    expect(r.summary.unsupported).toEqual([]);
    expect(junitXml('chaos', r.summary.verdicts, 40)).toContain('<failure message="could not check: the read-back of rows failed: read back: no data node is writable (no primary)"');
  });

  it('fails a run with a fault that did not go in; it is a failure, not listed as unsupported', () => {
    const r = judged(healthyRun([kill, { ...kill, id: 'f2', injectedAt: 30_000, healedAt: undefined, status: 'error', reason: '(HTTP code 409) container is paused' }]));
    expect(r.summary.outcome).toBe('fail');
    expect(r.why).toEqual(['faults-as-scheduled: 1 problem(s) with the faults: 1 did not go in, 0 heal(s) failed [f2 (kill pg-1 (the primary)) did not go in: (HTTP code 409) container is paused]']);
    expect(r.summary.unsupported).toEqual([]);
  });

  it('fails a run with a heal that failed', () => {
    const r = judged(healthyRun([{ ...kill, healFailures: ['at 25.0 s: (HTTP code 500) cannot start container'] }]));
    expect(r.summary.outcome).toBe('fail');
    expect(r.why).toEqual(['faults-as-scheduled: 1 problem(s) with the faults: 0 did not go in, 1 heal(s) failed [f1 (kill pg-1 (the primary)) heal failed: at 25.0 s: (HTTP code 500) cannot start container]']);
  });

  it('fails a run whose cluster did not form again', () => {
    const r = judged(healthyRun(), { reform: { ...formed, status: 'fail', summary: 'not formed within 90 s', evidence: ['pg-1 not streaming'] } });
    expect(r.why).toEqual(['cluster-reforms: not formed within 90 s [pg-1 not streaming]']);
  });

  it('names a netem fault unsupported, with its reason, and judges the run on the rest', () => {
    const r = judged(healthyRun([kill, netem]));
    expect(r.summary.outcome).toBe('pass');
    expect(r.summary.unsupported).toEqual([{ what: 'fault f2: latency +100 ms pg-2', why: 'tc netem is not available in this kernel' }]);
    // The rest is still judged: the same run with a write lost fails.
    const lost = healthyRun([kill, netem]);
    const broken = judged({ ...lost, rows: lost.rows!.filter((r) => r.id !== 500) });
    expect(broken.why).toEqual(['no-lost-writes: 1 acknowledged writes lost, 0 failed writes applied, 0 phantom rows (1 problems) [w0:500 (key 500) acknowledged, missing]']);
  });

  it('does not pass a scenario whose every fault this machine cannot make, and says why', () => {
    const r = judged(calmRun([{ ...netem, id: 'f1', injectedAt: 10_000 }]));
    expect(r.summary.outcome).toBe('fail');
    expect(r.why).toEqual([
      'faults-as-scheduled: 1 problem(s) with the faults: 0 did not go in, 0 heal(s) failed, no fault could be made here [none of the 1 scheduled fault(s) could be made on this machine, so the scenario tested nothing: tc netem is not available in this kernel]',
    ]);
    expect(r.summary.unsupported.map((u) => u.what)).toEqual(['fault f1: latency +100 ms pg-2', 'check recovery-within-budget']);
  });

  it('fails a check missing its input: no role samples, no trading service where it was asked for', () => {
    const r = judged({ ...healthyRun(), samples: [] }, { trading: 'asked, not run' });
    expect(r.why).toEqual([
      'single-writable-primary: could not check: no role samples were taken',
      'http-baseline: could not check: the trading service could not start: listen EADDRINUSE',
      'no-lost-orders: could not check: the trading service could not start: listen EADDRINUSE',
    ]);
    // Not asked for (trading: false): no trading verdict at all.
    expect(judged(healthyRun()).summary.verdicts.map((v) => v.checker)).not.toContain('http-baseline');
  });
});
