// Judges a chaos run: from its history and verdicts to the plain summary that
// summary.json holds and the reports render (model/summary.ts has the types).
import { checkAll, checkTrading, httpPhaseStats, httpTotals, phaseStats, recoveryClocks, timelineSwitches, type Replication, type Verdict } from './checkers/index.ts';
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
}

export interface RunVerdictsInput {
  history: RunHistory;
  /** How many faults the schedule had. */
  scheduledFaults: number;
  budgetMs: number;
  /** Whether the run asked for the trading service. */
  tradingAsked: boolean;
  trading?: TradingHistory;
  /** Why the trading service or its load could not run. */
  tradingError?: string;
  /** Whether the cluster formed again after the heals. */
  reform: Verdict;
  replication: Replication;
}

/**
 * Every verdict a chaos run is judged by. Nothing the run could not check is left out or
 * passed: a trading service asked for that did not run fails both its claims, saying why.
 */
export function runVerdicts(i: RunVerdictsInput): Verdict[] {
  return [
    ...checkAll(i.history, i.budgetMs, { scheduledFaults: i.scheduledFaults, replication: i.replication }),
    ...(i.tradingAsked ? checkTrading(i.trading, i.history, i.tradingError, i.replication) : []),
    i.reform,
  ];
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
  // Only what this machine cannot do. A fault that did not go in, a trading service that did
  // not run, a check without its input: failing verdicts (runVerdicts), not listed here.
  const unsupported = [
    ...h.faults.filter((f) => f.status === 'unsupported').map((f) => ({ what: `fault ${f.id}: ${f.label}`, why: f.reason ?? '' })),
    ...input.verdicts.filter((v) => v.status === 'unsupported').map((v) => ({ what: `check ${v.checker}`, why: v.summary })),
    ...(input.proxyFlavor === 'proxysql' ? [] : [{ what: 'ProxySQL as the router', why: input.proxyFlavorReason || `ran with ${input.proxyFlavor}` }]),
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
