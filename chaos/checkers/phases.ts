// Client error rate and latency, before, during and after each fault: what a user of the
// cluster saw, in the phases of windows.ts.
import { percentile } from '../../model/stats.ts';
import { latencyMs, type Op } from '../../load/workload/index.ts';
import type { RunHistory } from '../../model/history.ts';
import { couldNotCheck, verdict } from './verdict.ts';
import { baselineWindow, phaseWindows } from './windows.ts';
import { CLAIMS } from '../../model/claims.ts';
import type { PhaseStats, Verdict } from '../../model/summary.ts';

export function statsOf(phase: string, ops: readonly Op[], from: number, to: number): PhaseStats {
  // What users saw: router probes (pinned to one router) are the harness's, not theirs.
  const inPhase = ops.filter((o) => !o.pinnedTo && o.invokedAt >= from && o.invokedAt < to);
  const ok = inPhase.filter((o) => o.outcome === 'ok');
  const lat = ok.map(latencyMs);
  const fail = inPhase.filter((o) => o.outcome === 'fail').length;
  const unknown = inPhase.filter((o) => o.outcome === 'unknown').length;
  return {
    phase,
    from,
    to,
    ops: inPhase.length,
    ok: ok.length,
    fail,
    unknown,
    errorRate: inPhase.length ? (fail + unknown) / inPhase.length : 0,
    okPerSecond: to > from ? ok.length / ((to - from) / 1000) : 0,
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    p99: percentile(lat, 99),
  };
}

export function phaseStats(h: RunHistory, contextMs = 15_000): PhaseStats[] {
  return phaseWindows(h, contextMs).map((w) => statsOf(w.phase, h.ops, w.from, w.to));
}

/** The healthy cluster before the first fault serves clients without errors. */
export function healthyBaseline(h: RunHistory, maxErrorRate = CLAIMS.baselineMaxErrorRate): Verdict {
  const claim = `before any fault, at most ${(maxErrorRate * 100).toFixed(0)} % of client operations fail`;
  const w = baselineWindow(h);
  if ('error' in w) return couldNotCheck('healthy-baseline', claim, w.error);
  // Only operations invoked once every client had a session, and completed before the
  // first fault: one in flight when it went in may fail by it, which says nothing about
  // the healthy cluster.
  const settled = h.ops.filter((o) => o.completedAt < w.to);
  const s = statsOf('baseline', settled, w.from, w.to);
  // Every scenario leaves a healthy warm-up of 5 s or more before its first fault.
  if (s.ops === 0) return couldNotCheck('healthy-baseline', claim, `no client operation completed between the load getting ready (${(w.from / 1000).toFixed(1)} s) and the first fault`);
  const bad = settled.filter((o) => !o.pinnedTo && o.invokedAt >= w.from && o.invokedAt < w.to && o.outcome !== 'ok');
  return verdict(
    'healthy-baseline',
    claim,
    s.errorRate > maxErrorRate ? bad.map((o) => `${o.id}: ${o.error ?? o.outcome}`) : [],
    `${s.ops} operations from the load ready (${(w.from / 1000).toFixed(1)} s) to the first fault, ${(s.errorRate * 100).toFixed(2)} % failed, p99 ${s.p99.toFixed(0)} ms`,
    () => `${bad.length} of ${s.ops} operations failed before any fault (${(s.errorRate * 100).toFixed(1)} %)`,
  );
}
