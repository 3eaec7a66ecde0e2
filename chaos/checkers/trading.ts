// Invariants of the trading service's run: the healthy cluster serves HTTP clients
// without errors, and every order the service acknowledged is there at the end, once,
// with positions that add up to the orders.
import { isHttpError, type TradingHistory } from '../../load/trading/index.ts';
import type { RunHistory } from '../../model/history.ts';
import { httpStatsOf } from './http-phases.ts';
import { couldNotCheck, verdict } from './verdict.ts';
import { inAsyncLossWindow, type Replication } from './writes.ts';
import { baselineWindow } from './windows.ts';
import { CLAIMS } from '../../model/claims.ts';
import type { Verdict } from '../../model/summary.ts';

/** Before the first fault (the whole run when there is none), at most `maxErrorRate` of HTTP requests fail. */
const httpBaselineClaim = (maxErrorRate: number) => `before any fault, at most ${(maxErrorRate * 100).toFixed(0)} % of the trading service's HTTP requests get a 5xx or no answer`;
const noLostOrdersClaim = 'every order the trading service acknowledged is stored once, and positions add up to the stored orders';

export function httpBaseline(t: TradingHistory, h: Pick<RunHistory, 'faults' | 'endedAt' | 'loadReadyAt' | 'loadNotReady'>, maxErrorRate = CLAIMS.baselineMaxErrorRate): Verdict {
  const claim = httpBaselineClaim(maxErrorRate);
  const w = baselineWindow(h);
  if ('error' in w) return couldNotCheck('http-baseline', claim, w.error);
  const when = w.faultFree ? 'in the run (no fault)' : 'before the first fault';
  // Only requests answered (or given up) before the first fault: one in flight when it
  // went in may be answered 503 by it (seen in a CI smoke run, sent 0.1 s before the kill).
  const settled = t.requests.filter((r) => (r.doneAt ?? r.sentAt + t.load.deadlineMs) < w.to);
  const s = httpStatsOf('baseline', { ...t, requests: settled }, w.from, w.to);
  if (s.sent === 0) return couldNotCheck('http-baseline', claim, `no HTTP request was sent ${when}`);
  const bad = settled.filter((r) => r.sentAt >= w.from && r.sentAt < w.to && isHttpError(r));
  return verdict(
    'http-baseline',
    claim,
    s.errorRate > maxErrorRate ? bad.map((r) => `${r.id} ${r.kind}: ${r.status ?? r.error ?? 'no answer'} at ${(r.sentAt / 1000).toFixed(1)} s`) : [],
    `${s.sent} requests ${when} (${s.expected} at the fixed rate), ${(s.errorRate * 100).toFixed(2)} % failed, p99 ${s.p99.toFixed(0)} ms`,
    () => `${bad.length} of ${s.sent} HTTP requests failed ${when} (${(s.errorRate * 100).toFixed(1)} %)`,
  );
}

const key = (account: string, symbol: string) => `${account} ${symbol}`;

/**
 * An acknowledged order (201, or 200 for a client id already placed) is present; an
 * order refused with a 4xx is not; a 5xx or no answer may be either (the commit may have
 * landed before the deadline ran out). No order appears that nobody sent, and each
 * account's position in a symbol equals the sum of its orders: no order half applied.
 */
export function noLostOrders(t: TradingHistory, faults: RunHistory['faults'] = [], replication: Replication = 'synchronous'): Verdict {
  const claim = noLostOrdersClaim;
  if (!t.orders) return couldNotCheck('no-lost-orders', claim, `the read-back of orders failed: ${t.ordersError ?? 'no orders in the record'}`);
  const stored = new Map<string, number>();
  for (const o of t.orders.orders) stored.set(o.clientOrderId, (stored.get(o.clientOrderId) ?? 0) + 1);
  const places = t.requests.filter((r) => r.kind === 'place-order' && r.clientOrderId);
  const acked = places.filter((r) => r.status === 201 || r.status === 200);
  const missing = acked.filter((r) => !stored.has(r.clientOrderId!));
  // Asynchronous replication may lose an order its primary acknowledged just before a fault took it out (see noLostWrites).
  const excused = replication === 'asynchronous' ? missing.filter((r) => inAsyncLossWindow(r.node, r.doneAt, faults)) : [];
  const lost = missing.filter((r) => !excused.includes(r)).map((r) => `${r.id} (order ${r.clientOrderId}) answered ${r.status}, missing`);
  const refused = places.filter((r) => r.status !== undefined && r.status >= 400 && r.status < 500 && stored.has(r.clientOrderId!)).map((r) => `${r.id} (order ${r.clientOrderId}) answered ${r.status}, yet stored`);
  // An order still in flight when the load stopped was sent too: the service may have
  // stored it after the harness stopped listening (seen in a CI smoke run).
  const sent = new Set([...places.map((r) => r.clientOrderId), ...(t.ordersCutAtStop ?? [])]);
  const phantom = [...stored.keys()].filter((c) => !sent.has(c)).map((c) => `order ${c} stored, sent by no request`);
  const twice = [...stored].filter(([, n]) => n > 1).map(([c, n]) => `order ${c} stored ${n} times`);
  const sums = new Map<string, number>();
  for (const o of t.orders.orders) sums.set(key(o.account, o.symbol), (sums.get(key(o.account, o.symbol)) ?? 0) + (o.side === 'buy' ? o.qty : -o.qty));
  const held = new Map(t.orders.positions.map((p) => [key(p.account, p.symbol), p.qty]));
  const skewed = [...new Set([...sums.keys(), ...held.keys()])]
    .filter((k) => (sums.get(k) ?? 0) !== (held.get(k) ?? 0))
    .map((k) => `position ${k}: ${held.get(k) ?? 'none'} held, orders sum to ${sums.get(k) ?? 0}`);
  const unsure = places.filter((r) => isHttpError(r));
  return verdict(
    'no-lost-orders',
    claim,
    [...lost, ...refused, ...phantom, ...twice, ...skewed],
    `${excused.length === 0 ? `all ${acked.length}` : `${acked.length - excused.length} of ${acked.length}`} acknowledged orders stored once${excused.length ? ` (${excused.length} lost as asynchronous replication may, counted: ${excused.map((r) => r.id).join(', ')})` : ''}, ${held.size} positions add up; ${unsure.length} got a 5xx or no answer (${unsure.filter((r) => stored.has(r.clientOrderId!)).length} of them stored)`,
    (n) => `${lost.length} acknowledged orders lost, ${refused.length} refused orders stored, ${phantom.length} phantom, ${twice.length} stored twice, ${skewed.length} positions off (${n} problems)`,
  );
}

/**
 * The trading claims of a run that asked for the trading service. Without its record
 * (`t` undefined: the service or its load could not start, `why` says why) neither claim
 * could be checked, and both fail.
 */
export function checkTrading(t: TradingHistory | undefined, h: Pick<RunHistory, 'faults' | 'endedAt' | 'loadReadyAt' | 'loadNotReady'>, why = 'the trading service left no record', replication: Replication = 'synchronous'): Verdict[] {
  if (!t) return [couldNotCheck('http-baseline', httpBaselineClaim(CLAIMS.baselineMaxErrorRate), why), couldNotCheck('no-lost-orders', noLostOrdersClaim, why)];
  return [httpBaseline(t, h), noLostOrders(t, h.faults, replication)];
}
