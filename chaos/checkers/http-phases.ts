// What the trading service's HTTP clients saw, per phase (the same windows as the
// database clients' phases): requests sent against the fixed rate, answers by status
// code, the error rate (5xx and no answer) and latency percentiles of every answer.
import { percentile } from '../../model/stats.ts';
import { httpOutcome, type TradingHistory } from '../../load/trading/index.ts';
import type { RunHistory } from '../../model/history.ts';
import { phaseWindows } from './windows.ts';
import type { HttpPhaseStats } from '../../model/summary.ts';

export function httpStatsOf(phase: string, t: Pick<TradingHistory, 'requests' | 'load' | 'startedAt' | 'stoppedAt'>, from: number, to: number): HttpPhaseStats {
  const rs = t.requests.filter((r) => r.sentAt >= from && r.sentAt < to);
  const byStatus: Record<string, number> = {};
  const byKind: HttpPhaseStats['byKind'] = {};
  const counts = { ok: 0, 'client-error': 0, 'server-error': 0, 'no-answer': 0 };
  const lat: number[] = [];
  for (const r of rs) {
    const o = httpOutcome(r);
    counts[o]++;
    const key = r.status === undefined ? 'no answer' : String(r.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    const k = (byKind[r.kind] ??= { sent: 0, errors: 0 });
    k.sent++;
    if (o === 'server-error' || o === 'no-answer') k.errors++;
    if (r.doneAt !== undefined) lat.push(r.doneAt - r.sentAt);
  }
  const loadMs = Math.max(0, Math.min(to, t.stoppedAt) - Math.max(from, t.startedAt));
  const errors = counts['server-error'] + counts['no-answer'];
  return {
    phase,
    from,
    to,
    sent: rs.length,
    expected: Math.round((t.load.targetRate * loadMs) / 1000),
    sentPerSecond: loadMs > 0 ? rs.length / (loadMs / 1000) : 0,
    byStatus,
    ok: counts.ok,
    clientErrors: counts['client-error'],
    serverErrors: counts['server-error'],
    noAnswer: counts['no-answer'],
    errorRate: rs.length ? errors / rs.length : 0,
    p50: percentile(lat, 50),
    p90: percentile(lat, 90),
    p99: percentile(lat, 99),
    max: lat.length ? lat.reduce((m, x) => Math.max(m, x), 0) : Number.NaN,
    byKind,
  };
}

export function httpPhaseStats(t: TradingHistory, h: Pick<RunHistory, 'faults' | 'endedAt' | 'loadReadyAt'>, contextMs = 15_000): HttpPhaseStats[] {
  return phaseWindows(h, contextMs).map((w) => httpStatsOf(w.phase, t, w.from, w.to));
}

/** The whole load, start to stop (a request sent at the very stop included). */
export const httpTotals = (t: TradingHistory): HttpPhaseStats => httpStatsOf('whole run', t, t.startedAt, t.stoppedAt + 1);
