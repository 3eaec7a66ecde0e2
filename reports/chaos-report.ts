// Writes a chaos run's output to reports/out/<run-id>/: history.jsonl (every operation,
// role sample, fault and HTTP request, one JSON object a line), summary.json, junit.xml,
// report.html. It renders what chaos/summary.ts judged; it computes nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunHistory } from '../model/history.ts';
import type { TradingHistory } from '../model/http-history.ts';
import { runDir } from '../model/paths.ts';
import type { ChaosReport } from '../model/summary.ts';
import { junitXml } from './chaos-junit.ts';
import { renderHtml } from './chaos-html.ts';

export function historyJsonl(h: RunHistory, t?: TradingHistory): string {
  const lines = [
    ...h.faults.map((f) => ({ type: 'fault', ...f })),
    ...h.ops.map((o) => ({ type: 'op', ...o })),
    ...h.samples.map((s) => ({ type: 'role', ...s })),
    ...(t?.requests ?? []).map((r) => ({ type: 'http', ...r })),
  ];
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** Writes every file of the run's report; `schedule` is saved as given, to repeat the run. */
export function writeChaosReport(report: ChaosReport, schedule: unknown): string {
  const { summary, history, trading } = report;
  const dir = runDir(summary.runId);
  writeFileSync(join(dir, 'history.jsonl'), historyJsonl(history, trading));
  if (trading?.orders) writeFileSync(join(dir, 'orders.json'), JSON.stringify(trading.orders, null, 1) + '\n');
  if (history.rows) writeFileSync(join(dir, 'rows.jsonl'), history.rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(dir, 'schedule.json'), JSON.stringify(schedule, null, 2) + '\n');
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const seconds = (Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)) / 1000;
  writeFileSync(join(dir, 'junit.xml'), junitXml(`chaos ${summary.scenario} (seed ${summary.seed})`, summary.verdicts, seconds));
  writeFileSync(join(dir, 'report.html'), renderHtml(report));
  return dir;
}
