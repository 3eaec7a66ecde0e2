import { describe, expect, it } from 'vitest';
import type { NodeName } from '../../model/topology.ts';
import type { Op, RoleSample, WriteRow } from '../../load/workload/index.ts';
import type { FaultEvent, RunHistory } from '../../model/history.ts';
import { CLAIMS } from '../../model/claims.ts';
import {
  checkAll,
  faultsSpareDataNodes,
  healthyBaseline,
  noDuplicateWrites,
  noPromotions,
  noLostWrites,
  ownReplies,
  phaseStats,
  recoveryClocks,
  recoveryWithinBudget,
  singleWritablePrimary,
  timelineSwitches,
} from './index.ts';

// Hand-made histories: a writer writing key k at t ms, and role samples every 200 ms.
const w = (k: number, t: number, outcome: Op['outcome'] = 'ok', extra: Partial<Op> = {}): Op => ({
  id: `w0:${k}`,
  kind: 'write',
  process: 'w0',
  key: k,
  invokedAt: t,
  completedAt: t + 5,
  invokedWall: 1_000_000 + t,
  outcome,
  via: 'proxysql',
  node: 'pg-1',
  ...extra,
});
const row = (id: number, committedAt = 0, timeline = 1): WriteRow => ({ id, writer: 0, timeline, committedAt, node: 'pg-1' });
const roles = (node: NodeName, from: number, to: number, state: RoleSample['state']): RoleSample[] => {
  const out: RoleSample[] = [];
  for (let t = from; t < to; t += 200) out.push({ node, at: t, wall: 1_000_000 + t, state });
  return out;
};
const fault = (id: string, at: number, healedAt?: number): FaultEvent => ({
  id,
  fault: 'kill',
  targets: ['pg-1'],
  label: 'kill pg-1',
  injectedAt: at,
  healedAt,
  status: 'injected',
});
const hist = (p: Partial<RunHistory>): RunHistory => ({ ops: [], samples: [], faults: [], endedAt: 60_000, epochWall: 1_000_000, ...p });

describe('no lost writes, asynchronous replication', () => {
  // The kill of pg-1 goes in at 10 s and heals at 20 s; writes complete 5 ms after they start.
  const faults = [fault('f1', 10_000, 20_000)];
  const lostAt = (t: number, extra: Partial<Op> = {}) => hist({ ops: [w(1, 0), w(2, t, 'ok', extra)], rows: [row(1)], faults });

  it('counts, and does not fail on, a write the killed node acknowledged just before or during the kill', () => {
    for (const t of [10_000 - 900, 10_010, 15_000]) {
      const v = noLostWrites(lostAt(t), 'asynchronous');
      expect(v.status, `acknowledged at ${t + 5}`).toBe('pass');
      expect(v.summary).toMatch(/1 lost as asynchronous replication may \(counted: w0:2 on pg-1\)/);
    }
  });

  it(`fails on a write lost from outside the window: acknowledged ${CLAIMS.asyncLossWindowMs} ms or more before the fault, after the heal, or by a node the fault spared`, () => {
    expect(noLostWrites(lostAt(10_000 - CLAIMS.asyncLossWindowMs - 10), 'asynchronous').status).toBe('fail');
    expect(noLostWrites(lostAt(20_100), 'asynchronous').status).toBe('fail');
    expect(noLostWrites(lostAt(10_010, { node: 'pg-2' }), 'asynchronous').status).toBe('fail');
    expect(noLostWrites(hist({ ops: [w(1, 10_010)], rows: [], faults: [{ ...faults[0]!, status: 'error' }] }), 'asynchronous').status).toBe('fail');
  });

  it("fails on a write acknowledged by another statement's reply, inside the window too, and names the reply", () => {
    const v = noLostWrites(lostAt(10_010, { node: undefined, timeline: undefined, strayReply: "'DISCARD' with 0 row(s)" }), 'asynchronous');
    expect(v.status).toBe('fail');
    expect(v.evidence.join('\n')).toMatch(/w0:2 .* another statement's reply \('DISCARD' with 0 row\(s\)\)/);
  });

  it("fails on an acknowledgement that was another statement's reply, even with its row present", () => {
    const h = hist({ ops: [w(1, 0), w(2, 100, 'ok', { node: undefined, strayReply: "'DISCARD' with 0 row(s)" })], rows: [row(1), row(2)] });
    expect(noLostWrites(h).status).toBe('pass');
    const v = ownReplies(h);
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(["w0:2 (key 2) via proxysql: 'DISCARD' with 0 row(s)"]);
    expect(ownReplies(hist({ ops: [w(1, 0)], rows: [row(1)] })).status).toBe('pass');
  });

  it('fails on every lost write in synchronous mode, the default', () => {
    expect(noLostWrites(lostAt(10_010), 'synchronous').status).toBe('fail');
    expect(noLostWrites(lostAt(10_010)).status).toBe('fail');
  });
});

describe('no lost writes', () => {
  it('passes when every acknowledged write is present and unknown ones may be either', () => {
    const h = hist({ ops: [w(1, 0), w(2, 100), w(3, 200, 'unknown'), w(4, 300, 'unknown')], rows: [row(1), row(2), row(3)] });
    const v = noLostWrites(h);
    expect(v.status).toBe('pass');
    expect(v.summary).toContain('2 unknown (1 of them applied)');
  });
  it('fails naming the acknowledged write that is missing', () => {
    const v = noLostWrites(hist({ ops: [w(1, 0), w(2, 100)], rows: [row(1)] }));
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['w0:2 (key 2) acknowledged, missing']);
  });
  it('fails when a write that certainly failed was applied anyway', () => {
    const v = noLostWrites(hist({ ops: [w(1, 0, 'fail')], rows: [row(1)] }));
    expect(v.status).toBe('fail');
    expect(v.evidence[0]).toContain('w0:1');
  });
  it('fails on a row no operation wrote', () => {
    expect(noLostWrites(hist({ ops: [w(1, 0)], rows: [row(1), row(9)] })).status).toBe('fail');
  });
  it('fails, saying why, when the rows could not be read back (no looking away)', () => {
    const h = hist({ ops: [w(1, 0)], rowsError: 'read back: no data node is writable (no primary)' });
    for (const v of [noLostWrites(h), noDuplicateWrites(h)]) {
      expect(v.status).toBe('fail');
      expect(v.summary).toBe('could not check: the read-back of rows failed: read back: no data node is writable (no primary)');
    }
    expect(noLostWrites(hist({ ops: [w(1, 0)] })).summary).toBe('could not check: the read-back of rows failed: no rows in the history');
    // The counterpart: the same write, its row read back.
    expect(noLostWrites(hist({ ops: [w(1, 0)], rows: [row(1)] })).status).toBe('pass');
  });
});

describe('no duplicate writes', () => {
  it('passes when each key is stored once', () => {
    expect(noDuplicateWrites(hist({ ops: [w(1, 0), w(2, 1)], rows: [row(1), row(2)] })).status).toBe('pass');
  });
  it('fails naming the write stored twice', () => {
    const v = noDuplicateWrites(hist({ ops: [w(1, 0), w(2, 1)], rows: [row(1), row(2), row(2)] }));
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['w0:2 (key 2) applied 2 times']);
  });
});

describe('single writable primary', () => {
  it('passes across a clean failover: the old primary is gone before the new one is writable', () => {
    const samples = [
      ...roles('pg-1', 0, 3000, 'writable'),
      ...roles('pg-1', 3000, 10_000, 'unreachable'),
      ...roles('pg-2', 0, 5000, 'standby'),
      ...roles('pg-2', 5000, 10_000, 'writable'),
    ];
    expect(singleWritablePrimary(hist({ samples })).status).toBe('pass');
  });
  it('fails when an isolated old primary stays writable after a promotion', () => {
    const samples = [...roles('pg-1', 0, 10_000, 'writable'), ...roles('pg-2', 0, 5000, 'standby'), ...roles('pg-2', 5000, 10_000, 'writable')];
    const v = singleWritablePrimary(hist({ samples }));
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['pg-1 + pg-2 writable from 5.00 s to 9.80 s']);
  });
  it('does not count a fenced (read-only) old primary', () => {
    const samples = [...roles('pg-1', 0, 5000, 'writable'), ...roles('pg-1', 5000, 10_000, 'read-only'), ...roles('pg-2', 5000, 10_000, 'writable')];
    expect(singleWritablePrimary(hist({ samples })).status).toBe('pass');
  });
  it('does not trust a stale sample: a node last seen writable long ago is not writable now', () => {
    const samples = [{ node: 'pg-1' as const, at: 0, wall: 0, state: 'writable' as const }, ...roles('pg-2', 5000, 6000, 'writable')];
    expect(singleWritablePrimary(hist({ samples })).status).toBe('pass');
  });
  it('fails without samples: it could not check', () => {
    expect(singleWritablePrimary(hist({}))).toMatchObject({ status: 'fail', summary: 'could not check: no role samples were taken' });
  });
});

describe('recovery clocks', () => {
  // pg-1 killed at 10 s; pg-2 writable at 13 s; writes fail 10-14 s, then go to pg-2.
  const samples = [
    ...roles('pg-1', 0, 10_200, 'writable'),
    ...roles('pg-1', 10_200, 30_000, 'unreachable'),
    ...roles('pg-2', 0, 13_000, 'standby'),
    ...roles('pg-2', 13_000, 30_000, 'writable'),
  ];
  const ops: Op[] = [];
  for (let t = 0; t < 30_000; t += 500) {
    const outcome = t >= 10_000 && t < 14_000 ? (t === 10_000 ? 'unknown' : 'fail') : 'ok';
    ops.push(w(t, t, outcome, { node: t >= 14_000 ? 'pg-2' : 'pg-1', via: t % 1000 === 0 ? 'proxysql' : 'proxysql-2' }));
  }
  const h = hist({ ops, samples, faults: [fault('f1', 10_000, 10_000)], endedAt: 30_000 });

  it('measures the database, router and client clocks from the injection', () => {
    const [c] = recoveryClocks(h);
    expect(c).toMatchObject({ faultId: 'f1', primaryBefore: 'pg-1', primaryAfter: 'pg-2', databaseMs: 3000, clientMs: 4005, failedWrites: 8 });
    expect(c?.routerMs).toEqual({ proxysql: 4005, 'proxysql-2': 4505 });
    expect(recoveryWithinBudget(h).status).toBe('pass');
  });
  it('fails when clients are back only after the budget', () => {
    const v = recoveryWithinBudget(h, 3000);
    expect(v.status).toBe('fail');
    expect(v.evidence[0]).toMatch(/^f1 \(kill pg-1\): 4\.0 s/);
  });
  it('fails when writes never resume', () => {
    const stuck = hist({ ...h, ops: ops.map((o) => (o.invokedAt >= 10_000 ? { ...o, outcome: 'fail' as const } : o)) });
    expect(recoveryClocks(stuck)[0]?.clientMs).toBeNull();
    expect(recoveryWithinBudget(stuck).evidence[0]).toContain('writes never resumed');
  });
  it('charges a write the next fault broke to the next fault, not to this one', () => {
    // As in a CI smoke run: a router killed at 20 s resets a write sent at 19.9 s; f1 had
    // healed long before, and must not read as "writes never resumed".
    const f2At = 20_000;
    const inFlight = w(f2At - 100, f2At - 100, 'unknown', { completedAt: f2At + 50, via: 'proxysql-2' });
    const after = w(f2At + 600, f2At + 600, 'ok', { node: 'pg-2' });
    const two = hist({ ...h, ops: [...ops.filter((o) => o.invokedAt < f2At - 100), inFlight, after], faults: [fault('f1', 10_000, 10_000), fault('f2', f2At, 5000)] });
    const [c1, c2] = recoveryClocks(two);
    expect(c1).toMatchObject({ faultId: 'f1', clientMs: 4005, failedWrites: 8 });
    expect(c2).toMatchObject({ faultId: 'f2', clientMs: 605, failedWrites: 1 });
  });
  it('says 0 when a fault never touched the primary or the clients', () => {
    const calm = hist({ ops: ops.map((o) => ({ ...o, outcome: 'ok' as const })), samples: roles('pg-1', 0, 30_000, 'writable'), faults: [fault('f1', 10_000)], endedAt: 30_000 });
    expect(recoveryClocks(calm)[0]).toMatchObject({ databaseMs: 0, clientMs: 0, primaryAfter: 'pg-1' });
  });
  it('fails when no fault went in: there was no recovery to check', () => {
    expect(recoveryWithinBudget(hist({ ops }))).toMatchObject({ status: 'fail', summary: 'could not check: no fault was injected' });
    const failed = { ...fault('f1', 10_000), status: 'error' as const, reason: 'docker kill: no such container' };
    expect(recoveryWithinBudget(hist({ ops, faults: [failed] }))).toMatchObject({ status: 'fail', summary: 'could not check: no fault went in' });
  });
  it('is unsupported, naming why, only when every fault was one this machine cannot make', () => {
    const netem = { ...fault('f1', 10_000), fault: 'latency', label: 'latency +100 ms pg-2', status: 'unsupported' as const, reason: 'tc netem is not available in this kernel' };
    const v = recoveryWithinBudget(hist({ ops, faults: [netem] }));
    expect(v.status).toBe('unsupported');
    expect(v.summary).toContain('tc netem is not available in this kernel');
    expect(v.evidence).toEqual(['f1 (latency +100 ms pg-2)']);
    // Beside a fault that went in, the unsupported one is passed over and the rest judged.
    expect(recoveryWithinBudget({ ...h, faults: [fault('f1', 10_000, 10_000), { ...netem, id: 'f2', injectedAt: 20_000 }] }).status).toBe('pass');
  });
  it('reads the write gap around each timeline switch from the rows', () => {
    const rows = [row(1, 1000, 1), row(2, 2000, 1), row(3, 6500, 2), row(4, 7000, 2)];
    expect(timelineSwitches(rows)).toEqual([{ fromTimeline: 1, toTimeline: 2, lastOldAt: 2000, firstNewAt: 6500, gapMs: 4500 }]);
    expect(timelineSwitches([row(1, 0), row(2, 1)])).toEqual([]);
  });
});

describe('phases', () => {
  it('splits error rate and latency before, during and after a fault', () => {
    const ops = [w(1, 1000), w(2, 2000), w(3, 5500, 'fail'), w(4, 6000, 'unknown'), w(5, 8000), w(6, 12_000)];
    const stats = phaseStats(hist({ ops, faults: [fault('f1', 5000, 7000)], endedAt: 20_000 }));
    expect(stats.map((s) => [s.phase, s.ops, s.errorRate])).toEqual([
      ['f1 before', 2, 0],
      ['f1 during', 2, 1],
      ['f1 after', 2, 0],
    ]);
    expect(stats[0]?.p99).toBe(5);
  });
  it('fails the baseline when the healthy cluster already errors', () => {
    // No operation before the first fault: the baseline could not be checked, and that fails.
    expect(healthyBaseline(hist({ ops: [w(1, 6000)], faults: [fault('f1', 5000)] }))).toMatchObject({
      status: 'fail',
      summary: 'could not check: no client operation completed between the load getting ready (0.0 s) and the first fault',
    });
    const bad = healthyBaseline(hist({ ops: [w(1, 0), w(2, 100, 'fail')], faults: [fault('f1', 5000)] }));
    expect(bad.status).toBe('fail');
    expect(bad.evidence[0]).toContain('w0:2');
    expect(healthyBaseline(hist({ ops: [w(1, 0)], faults: [fault('f1', 5000)] })).status).toBe('pass');
    // A write sent just before the fault and failed by it is the fault's, not the baseline's.
    const inFlight = { ...w(3, 4950, 'fail'), completedAt: 5100 };
    expect(healthyBaseline(hist({ ops: [w(1, 0), inFlight], faults: [fault('f1', 5000)] })).status).toBe('pass');
  });
});

it('checkAll runs every checker; no-promotions only where no fault hit a data node, recovery only where faults were scheduled', () => {
  expect(checkAll(hist({})).map((v) => v.checker)).toEqual([
    'faults-as-scheduled',
    'no-lost-writes',
    'no-duplicate-writes',
    'own-replies',
    'single-writable-primary',
    'recovery-within-budget',
    'healthy-baseline',
    'no-promotions',
  ]);
  expect(checkAll(hist({ faults: [fault('f1', 1000)] })).map((v) => v.checker)).not.toContain('no-promotions');
  expect(checkAll(hist({}), 30_000, { scheduledFaults: 0 }).map((v) => v.checker)).not.toContain('recovery-within-budget');
});

describe('no promotions', () => {
  // pg-1 primary, pg-2..pg-3 standbys, all 30 s; the sampler misses a probe now and then.
  const steady = () => [
    ...roles('pg-1', 0, 30_000, 'writable'),
    ...roles('pg-2', 0, 30_000, 'standby'),
    ...roles('pg-3', 0, 30_000, 'standby'),
    { node: 'pg-2' as const, at: 12_345, wall: 0, state: 'unreachable' as const },
  ];
  const steadyRows = [row(1, 1000, 1), row(2, 20_000, 1)];

  it('passes a steady run: one primary throughout, one timeline, unanswered probes are not role changes', () => {
    const v = noPromotions(hist({ samples: steady(), rows: steadyRows, ops: [w(1, 1000, 'ok', { timeline: 1 })] }));
    expect(v.status).toBe('pass');
    expect(v.summary).toContain('pg-1 primary throughout');
    expect(v.summary).toContain('1 probes unanswered');
  });
  it('fails a promotion: a standby writable, the old primary a standby after', () => {
    const samples = [
      ...roles('pg-1', 0, 10_000, 'writable'),
      ...roles('pg-1', 10_000, 14_000, 'unreachable'),
      ...roles('pg-1', 14_000, 30_000, 'standby'),
      ...roles('pg-2', 0, 12_000, 'standby'),
      ...roles('pg-2', 12_000, 30_000, 'writable'),
    ];
    const v = noPromotions(hist({ samples, rows: [row(1, 1000, 1), row(2, 13_000, 2)] }));
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['pg-2 standby → writable at 12.0 s', 'pg-1 writable → standby at 14.0 s', 'timeline 1 → 2 in the rows read back']);
  });
  it('fails a fenced primary (writable to read-only) though no one else was promoted', () => {
    const samples = [...roles('pg-1', 0, 5000, 'writable'), ...roles('pg-1', 5000, 6000, 'read-only'), ...roles('pg-1', 6000, 9000, 'writable')];
    expect(noPromotions(hist({ samples })).evidence).toEqual(['pg-1 writable → read-only at 5.0 s', 'pg-1 read-only → writable at 6.0 s']);
  });
  it('fails on a timeline switch seen only in the acknowledged writes', () => {
    const v = noPromotions(hist({ samples: steady(), ops: [w(1, 1000, 'ok', { timeline: 1 }), w(2, 2000, 'ok', { timeline: 2 })] }));
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['acknowledged writes on timelines 1, 2']);
  });
  it('fails without samples: it could not check', () => {
    expect(noPromotions(hist({}))).toMatchObject({ status: 'fail', summary: 'could not check: no role samples were taken' });
  });
  it('applies when the faults hit only routers or the witness, not when one names a data node', () => {
    const at = (targets: string[], status: 'injected' | 'unsupported' = 'injected') => ({ ...fault('f1', 0), targets, status });
    expect(faultsSpareDataNodes([])).toBe(true);
    expect(faultsSpareDataNodes([at(['proxysql']), at(['witness'])])).toBe(true);
    expect(faultsSpareDataNodes([at(['pg-3'])])).toBe(false);
    expect(faultsSpareDataNodes([at(['witness', 'pg-1', 'proxysql'])])).toBe(false);
    expect(faultsSpareDataNodes([at(['pg-2'], 'unsupported')])).toBe(true);
  });
});

it('leaves router probes out of the client clock but uses them for the router clock', () => {
  const samples = [...roles('pg-1', 0, 10_000, 'writable')];
  const probe = (t: number, outcome: Op['outcome']): Op => ({ ...w(1000 + t, t, outcome), id: `p:${t}`, pinnedTo: 'proxysql-2', via: 'proxysql-2' });
  const ops = [w(1, 1000), w(2, 6000), probe(6000, 'fail'), probe(8000, 'ok')];
  const h = hist({ ops, samples, faults: [fault('f1', 5000)], endedAt: 10_000 });
  expect(recoveryClocks(h)[0]).toMatchObject({ clientMs: 0, routerMs: { proxysql: 1005, 'proxysql-2': 3005 } });
});
