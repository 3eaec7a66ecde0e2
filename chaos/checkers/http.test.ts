import { describe, expect, it } from 'vitest';
import type { HttpRequestRecord, OrderRow, TradingHistory } from '../../load/trading/index.ts';
import type { FaultEvent } from '../../model/history.ts';
import { checkTrading, httpBaseline, httpPhaseStats, httpTotals, noLostOrders } from './index.ts';

// Hand-made HTTP histories: a request of `kind` sent at t ms, answered `ms` later.
let n = 0;
const req = (t: number, status: number | undefined, ms = 10, extra: Partial<HttpRequestRecord> = {}): HttpRequestRecord => ({
  id: `h${n++}`,
  kind: 'read-positions',
  sentAt: t,
  ...(status === undefined ? { error: 'no answer' } : { status, doneAt: t + ms }),
  ...extra,
});
const trading = (requests: HttpRequestRecord[], p: Partial<TradingHistory> = {}): TradingHistory => ({
  load: { targetRate: 10, connections: 4, lanes: 2, deadlineMs: 2000 },
  startedAt: 0,
  stoppedAt: 30_000,
  requests,
  cutAtStop: 0,
  ...p,
});
const kill: FaultEvent = { id: 'f1', fault: 'kill', targets: ['pg-1'], label: 'kill pg-1 (the primary)', injectedAt: 10_000, healedAt: 20_000, status: 'injected' };
const run = { faults: [kill], endedAt: 30_000 };

describe('HTTP per phase', () => {
  // 10 req/s for 30 s; during the kill, 10-13 s answer 503 after the 2 s deadline and
  // 13-14 s get no answer at all.
  const rs: HttpRequestRecord[] = [];
  for (let t = 0; t < 30_000; t += 100) {
    if (t >= 10_000 && t < 13_000) rs.push(req(t, 503, 2000));
    else if (t >= 13_000 && t < 14_000) rs.push(req(t, undefined));
    else rs.push(req(t, t % 1000 === 0 ? 404 : 200, t < 10_000 ? 5 + (t % 1000) / 100 : 20));
  }
  const stats = httpPhaseStats(trading(rs), run);

  it('splits by the fault phases with counts by status code against the fixed rate', () => {
    expect(stats.map((s) => [s.phase, s.sent, s.expected, s.serverErrors, s.noAnswer])).toEqual([
      ['f1 before', 100, 100, 0, 0],
      ['f1 during', 100, 100, 30, 10],
      ['f1 after', 100, 100, 0, 0],
    ]);
    expect(stats[1]?.byStatus).toEqual({ '200': 54, '404': 6, '503': 30, 'no answer': 10 });
    expect(stats[1]?.errorRate).toBeCloseTo(0.4);
    // 4xx is the client's business, not an error of the cluster.
    expect(stats[0]).toMatchObject({ clientErrors: 10, errorRate: 0, ok: 90 });
  });
  it('gives latency percentiles of every answer, the 503s waited for included', () => {
    expect(stats[0]).toMatchObject({ p50: 9, p90: 13, p99: 14, max: 14 });
    expect(stats[1]).toMatchObject({ p50: 20, p90: 2000, p99: 2000, max: 2000 });
  });
  it('holds the requests sent against the rate only while the load ran', () => {
    const late = httpPhaseStats(trading(rs.filter((r) => r.sentAt >= 5000), { startedAt: 5000 }), run);
    expect(late[0]).toMatchObject({ sent: 50, expected: 50, sentPerSecond: 10 });
  });
  it('reports a run without faults as one phase, and the whole load as totals', () => {
    const whole = httpPhaseStats(trading(rs), { faults: [], endedAt: 30_000 });
    expect(whole.map((s) => [s.phase, s.sent])).toEqual([['whole run', 300]]);
    expect(httpTotals(trading(rs))).toMatchObject({ sent: 300, expected: 300, serverErrors: 30, noAnswer: 10 });
  });
  it('counts errors per kind of request', () => {
    const mixed = [req(10_500, 503, 10, { kind: 'place-order' }), req(10_600, 200, 10, { kind: 'read-order' }), req(10_700, undefined, 0, { kind: 'read-order' })];
    expect(httpPhaseStats(trading(mixed), run)[1]?.byKind).toEqual({ 'place-order': { sent: 1, errors: 1 }, 'read-order': { sent: 2, errors: 1 } });
  });
});

describe('HTTP baseline', () => {
  it('passes when the healthy cluster answered, fails naming the requests that did not', () => {
    expect(httpBaseline(trading([req(100, 200), req(200, 404)]), run).status).toBe('pass');
    const v = httpBaseline(trading([req(100, 200), req(200, 500), req(300, undefined)]), run);
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual([expect.stringMatching(/^h\d+ read-positions: 500 at 0\.2 s$/), expect.stringMatching(/^h\d+ read-positions: no answer at 0\.3 s$/)]);
  });
  it('judges the whole run when there was no fault (the soak)', () => {
    const v = httpBaseline(trading([req(100, 200), req(25_000, 503)]), { faults: [], endedAt: 30_000 });
    expect(v.status).toBe('fail');
    expect(v.summary).toBe('1 of 2 HTTP requests failed in the run (no fault) (50.0 %)');
  });
  it('leaves out a request the first fault answered: in flight when it went in', () => {
    const at = run.faults[0]!.injectedAt;
    const ok = Array.from({ length: 20 }, (_, i) => req(100 + i * 100, 200));
    expect(httpBaseline(trading([...ok, req(at - 100, 503, 150)]), run).status).toBe('pass');
    expect(httpBaseline(trading([...ok, req(at - 500, 503, 100)]), run).status).toBe('fail');
  });
  it('fails (could not check) when nothing was sent before the first fault', () => {
    expect(httpBaseline(trading([req(15_000, 200)]), run)).toMatchObject({ status: 'fail', summary: 'could not check: no HTTP request was sent before the first fault' });
    expect(httpBaseline(trading([req(5000, 200), req(15_000, 200)]), run).status).toBe('pass');
  });
});

describe('no lost orders', () => {
  const place = (id: string, status: number | undefined) => req(1000, status, 10, { kind: 'place-order', clientOrderId: id });
  const order = (id: string, qty = 5, side: 'buy' | 'sell' = 'buy', account = 'r-a1'): OrderRow => ({ clientOrderId: id, account, symbol: 'ACME', side, qty });
  const readBack = (orders: OrderRow[], positions = [{ account: 'r-a1', symbol: 'ACME', qty: orders.reduce((s, o) => s + (o.side === 'buy' ? o.qty : -o.qty), 0) }]) => ({ from: 'pg-2', orders, positions });

  it('passes when every acknowledged order is stored and a 503 or no answer went either way', () => {
    const t = trading([place('r-1', 201), place('r-2', 200), place('r-3', 503), place('r-4', undefined), place('r-5', 400)], {
      orders: readBack([order('r-1'), order('r-2', 3, 'sell'), order('r-3')]),
    });
    const v = noLostOrders(t);
    expect(v.status).toBe('pass');
    expect(v.summary).toBe('all 2 acknowledged orders stored once, 1 positions add up; 2 got a 5xx or no answer (1 of them stored)');
  });
  it('fails naming the acknowledged order that is missing', () => {
    const v = noLostOrders(trading([place('r-1', 201), place('r-2', 201)], { orders: readBack([order('r-1')]) }));
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual([expect.stringMatching(/^h\d+ \(order r-2\) answered 201, missing$/)]);
  });
  it('counts, in asynchronous mode only, an order the killed node acknowledged just before the kill went in', () => {
    // pg-1 is killed at 10 s (run above); the order was answered at 9.71 s by pg-1.
    const t = trading([place('r-1', 201), req(9_700, 201, 10, { kind: 'place-order', clientOrderId: 'r-2', node: 'pg-1' })], { orders: readBack([order('r-1')]) });
    const v = noLostOrders(t, [kill], 'asynchronous');
    expect(v.status).toBe('pass');
    expect(v.summary).toMatch(/^1 of 2 acknowledged orders stored once \(1 lost as asynchronous replication may, counted: h\d+\)/);
    expect(noLostOrders(t, [kill], 'synchronous').status).toBe('fail');
    expect(noLostOrders(t, [{ ...kill, injectedAt: 20_000, healedAt: 25_000 }], 'asynchronous').status).toBe('fail');
  });
  it('fails on an order refused with a 4xx yet stored, and on one nobody sent', () => {
    const v = noLostOrders(trading([place('r-1', 400)], { orders: readBack([order('r-1'), order('r-9')]) }));
    expect(v.evidence).toEqual([expect.stringMatching(/order r-1\) answered 400, yet stored$/), 'order r-9 stored, sent by no request']);
  });
  it('takes an order in flight when the load stopped as sent: stored after the stop is no phantom', () => {
    const t = trading([place('r-1', 201)], { orders: readBack([order('r-1'), order('r-2'), order('r-9')]) });
    const v = noLostOrders({ ...t, ordersCutAtStop: ['r-2'] });
    expect(v.evidence).toEqual(['order r-9 stored, sent by no request']);
  });
  it('fails when a position does not add up to its orders (an order half applied)', () => {
    const v = noLostOrders(trading([place('r-1', 201), place('r-2', 201)], { orders: readBack([order('r-1', 5), order('r-2', 2, 'sell')], [{ account: 'r-a1', symbol: 'ACME', qty: 5 }]) }));
    expect(v.status).toBe('fail');
    expect(v.evidence).toEqual(['position r-a1 ACME: 5 held, orders sum to 3']);
  });
  it('fails, saying why, when the orders could not be read back', () => {
    const v = noLostOrders(trading([place('r-1', 201)], { ordersError: 'connect ECONNREFUSED 127.0.0.1:32771' }));
    expect(v).toMatchObject({ status: 'fail', summary: 'could not check: the read-back of orders failed: connect ECONNREFUSED 127.0.0.1:32771' });
    expect(noLostOrders(trading([place('r-1', 201)])).summary).toBe('could not check: the read-back of orders failed: no orders in the record');
  });
  it('fails both trading claims with the reason when the service asked for did not run', () => {
    const vs = checkTrading(undefined, run, 'the trading service could not start: listen EADDRINUSE 127.0.0.1:0');
    expect(vs.map((v) => [v.checker, v.status, v.summary])).toEqual([
      ['http-baseline', 'fail', 'could not check: the trading service could not start: listen EADDRINUSE 127.0.0.1:0'],
      ['no-lost-orders', 'fail', 'could not check: the trading service could not start: listen EADDRINUSE 127.0.0.1:0'],
    ]);
    // The counterpart: the service ran, was answered before the fault, its orders read back.
    const t = trading([req(5000, 200), place('r-1', 201)], { orders: { from: 'pg-2', orders: [order('r-1')], positions: [{ account: 'r-a1', symbol: 'ACME', qty: 5 }] } });
    expect(checkTrading(t, run).map((v) => v.status)).toEqual(['pass', 'pass']);
  });
});
