// The CI-sized chaos run inside `npm test`: its own cluster (it breaks the one it runs
// on), the `smoke` schedule (a primary kill, then a router kill; a minute of load, the
// trading service under autocannon beside the workload), and every invariant must hold:
// one that could not be checked (a read-back that failed, a fault that did not go in, a
// heal that failed) is a failed verdict, so `failed` below catches it too.
// Picked up by the `chaos` vitest project, not by `unit`.
import { expect, it } from 'vitest';
import { runChaos } from '../chaos/run.ts';
import { buildSchedule } from '../chaos/scenarios/scenarios.ts';
import { writeChaosReport } from '../reports/chaos-report.ts';
import { CLAIMS } from '../model/claims.ts';
import { proxyChoice } from '../fixtures/proxy-choice.ts';

it(`survives a primary kill and a router kill under load: writes back within ${CLAIMS.failoverBudgetSecs} s, none lost (asynchronous replication: only what the killed primary acknowledged within ${CLAIMS.asyncLossWindowMs} ms of its kill, counted), one primary at a time`, async () => {
  const seed = Number(process.env.PGHA_CHAOS_SEED ?? 1);
  const { report, schedule, failed } = await runChaos({ schedule: buildSchedule('smoke', seed), proxy: proxyChoice(undefined) });
  const dir = writeChaosReport(report, schedule);
  const why = failed.map((v) => `${v.checker}: ${v.summary}\n  ${v.evidence.slice(0, 10).join('\n  ')}`).join('\n');
  expect(failed, `report: ${dir}/report.html\n${why}`).toEqual([]);
  expect(report.summary.recovery.length).toBe(2);
  // The HTTP view is there, measured: requests in every phase, the healthy cluster kept
  // up with the fixed rate, and orders were placed and read back.
  const t = report.summary.trading;
  expect(t, 'the trading service ran').toBeDefined();
  for (const p of t!.phases) expect(p.sent, `HTTP requests sent in ${p.phase}`).toBeGreaterThan(0);
  const before = t!.phases[0]!;
  expect(before.sent, 'before the first fault autocannon kept to its rate').toBeGreaterThanOrEqual(before.expected * 0.8);
  expect(t!.totals.byKind['place-order']?.sent).toBeGreaterThan(0);
  expect(report.summary.verdicts.find((v) => v.checker === 'no-lost-orders')?.status).toBe('pass');
}, 300_000);
