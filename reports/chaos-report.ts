// Writes a chaos run's output to reports/out/<run-id>/: history.jsonl (every operation,
// role sample, fault and HTTP request, one JSON object a line), summary.json, junit.xml,
// report.html.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  httpPhaseStats,
  httpTotals,
  phaseStats,
  recoveryClocks,
  timelineSwitches,
  type HttpPhaseStats,
  type PhaseStats,
  type RecoveryClocks,
  type TimelineSwitch,
  type Verdict,
} from '../chaos/checkers/index.ts';
import type { RunHistory } from '../chaos/history.ts';
import type { LoadSettings, TradingHistory } from '../load/trading/index.ts';
import { describeSchedule, type Schedule } from '../chaos/scenarios/schedule.ts';
import { junitXml } from './chaos-junit.ts';
import { renderHtml } from './chaos-html.ts';
import { runDir } from './run-report.ts';

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

/** What the trading service's HTTP clients saw: per phase, and over the whole load. */
export interface TradingSummary {
  load: LoadSettings;
  /** Run ms the load started and stopped. */
  startedAt: number;
  stoppedAt: number;
  totals: HttpPhaseStats;
  phases: HttpPhaseStats[];
  /** Requests in flight when the load stopped: not counted anywhere else. */
  cutAtStop: number;
  ordersReadBackFrom?: string;
}

export interface ChaosSummary {
  runId: string;
  scenario: string;
  seed: number;
  durationMs: number;
  schedule: string;
  startedAt: string;
  finishedAt: string;
  /** pass: every invariant held; fail: at least one broke. Unsupported ones are listed, never passed. */
  outcome: 'pass' | 'fail';
  verdicts: Verdict[];
  proxyFlavor: string;
  proxyFlavorReason: string;
  images: { name: string; ref: string; digest: string }[];
  budgetMs: number;
  recovery: RecoveryClocks[];
  /** Write gaps around timeline switches, by the servers' clocks (CloudNativePG's client clock). */
  timelineSwitches: TimelineSwitch[];
  phases: PhaseStats[];
  faults: RunHistory['faults'];
  unsupported: { what: string; why: string }[];
  counts: { ops: number; writes: number; acknowledged: number; samples: number; rows: number | null };
  readBackFrom?: string;
  trading?: TradingSummary;
}

export interface ChaosReport {
  summary: ChaosSummary;
  history: RunHistory;
  trading?: TradingHistory;
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

export function historyJsonl(h: RunHistory, t?: TradingHistory): string {
  const lines = [
    ...h.faults.map((f) => ({ type: 'fault', ...f })),
    ...h.ops.map((o) => ({ type: 'op', ...o })),
    ...h.samples.map((s) => ({ type: 'role', ...s })),
    ...(t?.requests ?? []).map((r) => ({ type: 'http', ...r })),
  ];
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

export function writeChaosReport(input: ChaosReportInput): { report: ChaosReport; dir: string } {
  const dir = runDir(input.runId);
  const summary = summarize(input);
  const report: ChaosReport = { summary, history: input.history, ...(input.trading ? { trading: input.trading } : {}) };
  writeFileSync(join(dir, 'history.jsonl'), historyJsonl(input.history, input.trading));
  if (input.trading?.orders) writeFileSync(join(dir, 'orders.json'), JSON.stringify(input.trading.orders, null, 1) + '\n');
  if (input.history.rows) writeFileSync(join(dir, 'rows.jsonl'), input.history.rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(dir, 'schedule.json'), JSON.stringify(input.schedule, null, 2) + '\n');
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const seconds = (Date.parse(input.finishedAt) - Date.parse(input.startedAt)) / 1000;
  writeFileSync(join(dir, 'junit.xml'), junitXml(`chaos ${summary.scenario} (seed ${summary.seed})`, input.verdicts, seconds));
  writeFileSync(join(dir, 'report.html'), renderHtml(report));
  return { report, dir };
}
