// Judges a chaos run: from its history and verdicts to the plain summary that
// summary.json holds and the reports render (model/summary.ts has the types).
import { httpPhaseStats, httpTotals, phaseStats, recoveryClocks, timelineSwitches, type Verdict } from './checkers/index.ts';
import type { RunHistory } from '../model/history.ts';
import type { TradingHistory } from '../model/http-history.ts';
import type { ChaosReport, ChaosSummary, TradingSummary } from '../model/summary.ts';
import { describeSchedule, type Schedule } from './scenarios/schedule.ts';

export interface ChaosReportInput {
  runId: string;
  schedule: Schedule;
  history: RunHistory;
  verdicts: Verdict[];
  startedAt: string;
  finishedAt: string;
  proxyFlavor: string;
  proxyFlavorReason: string;
  images: { name: string; ref: string; digest: string }[];
  readBackFrom?: string;
  budgetMs: number;
  /** The trading service's HTTP clients, when the service ran. */
  trading?: TradingHistory;
  /** Why the trading service or its load could not run. */
  tradingError?: string;
}

export function summarizeTrading(t: TradingHistory, h: RunHistory): TradingSummary {
  return {
    load: t.load,
    startedAt: t.startedAt,
    stoppedAt: t.stoppedAt,
    totals: httpTotals(t),
    phases: httpPhaseStats(t, h),
    cutAtStop: t.cutAtStop,
    ...(t.orders ? { ordersReadBackFrom: t.orders.from } : {}),
  };
}

export function summarize(input: ChaosReportInput): ChaosSummary {
  const h = input.history;
  const unsupported = [
    ...h.faults.filter((f) => f.status === 'unsupported').map((f) => ({ what: `fault ${f.id}: ${f.label}`, why: f.reason ?? '' })),
    ...h.faults.filter((f) => f.status === 'error').map((f) => ({ what: `fault ${f.id} could not be injected: ${f.label}`, why: f.reason ?? '' })),
    ...input.verdicts.filter((v) => v.status === 'unsupported').map((v) => ({ what: `check ${v.checker}`, why: v.summary })),
    ...(input.proxyFlavor === 'proxysql' ? [] : [{ what: 'ProxySQL as the router', why: input.proxyFlavorReason || `ran with ${input.proxyFlavor}` }]),
    ...(input.tradingError ? [{ what: "the trading service's HTTP view", why: input.tradingError }] : []),
  ];
  const writes = h.ops.filter((o) => o.kind === 'write');
  return {
    runId: input.runId,
    scenario: input.schedule.scenario,
    seed: input.schedule.seed,
    durationMs: input.schedule.durationMs,
    schedule: describeSchedule(input.schedule),
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    outcome: input.verdicts.some((v) => v.status === 'fail') ? 'fail' : 'pass',
    verdicts: input.verdicts,
    proxyFlavor: input.proxyFlavor,
    proxyFlavorReason: input.proxyFlavorReason,
    images: input.images,
    budgetMs: input.budgetMs,
    recovery: recoveryClocks(h),
    timelineSwitches: h.rows ? timelineSwitches(h.rows) : [],
    phases: phaseStats(h),
    faults: h.faults,
    unsupported,
    counts: {
      ops: h.ops.length,
      writes: writes.length,
      acknowledged: writes.filter((o) => o.outcome === 'ok').length,
      samples: h.samples.length,
      rows: h.rows ? h.rows.length : null,
    },
    ...(input.readBackFrom ? { readBackFrom: input.readBackFrom } : {}),
    ...(input.trading ? { trading: summarizeTrading(input.trading, h) } : {}),
  };
}

export function judge(input: ChaosReportInput): ChaosReport {
  return { summary: summarize(input), history: input.history, ...(input.trading ? { trading: input.trading } : {}) };
}
