// npm run chaos -- --scenario <name> [--seed N] [--duration 5m] [--proxy auto|pgpool|proxysql]
// Every run drives the trading service with autocannon at a fixed rate beside the workload.
// Exit 0: every invariant held. 1: one broke or could not be checked (the summary names
// it, with the operation ids or the reason: a read-back that failed, a fault that did not
// go in, a heal that failed). 2: the run couldn't be made (bad arguments, no Docker).
import { randomInt } from 'node:crypto';
import { requireDocker } from '../fixtures/docker.ts';
import type { ProxyChoice } from '../fixtures/images.ts';
import { proxyChoice } from '../fixtures/proxy-choice.ts';
import { parseDuration } from '../chaos/scenarios/duration.ts';
import { buildSchedule, scenarioNames } from '../chaos/scenarios/scenarios.ts';
import { describeSchedule, type Schedule } from '../chaos/scenarios/schedule.ts';
import { runChaos } from '../chaos/run.ts';
import { parseCli, usageExit } from './cli.ts';
import type { HttpPhaseStats } from '../chaos/checkers/index.ts';
import type { TradingSummary } from '../model/summary.ts';
import { writeChaosReport } from '../reports/chaos-report.ts';

const USAGE = `usage: npm run chaos -- --scenario <${scenarioNames().join('|')}> [--seed N] [--duration 5m] [--proxy auto|pgpool|proxysql]`;

function usageError(message: string): never {
  return usageExit('pgha chaos', USAGE, message);
}

function parse(): { schedule: Schedule; proxy: ProxyChoice } {
  const values = parseCli('pgha chaos', USAGE, process.argv.slice(2), {
    scenario: { type: 'string' },
    seed: { type: 'string' },
    duration: { type: 'string' },
    proxy: { type: 'string' },
  });
  if (!values.scenario) usageError('--scenario is required');
  if (!scenarioNames().includes(values.scenario)) usageError(`unknown scenario "${values.scenario}"`);
  const seed = values.seed === undefined ? randomInt(1, 2 ** 31) : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) usageError(`bad seed "${values.seed}": use a whole number`);
  let durationMs: number | undefined;
  try {
    durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
  } catch (e) {
    usageError((e as Error).message);
  }
  let proxy: ProxyChoice;
  try {
    proxy = proxyChoice(values.proxy);
  } catch (e) {
    usageError((e as Error).message);
  }
  return { schedule: buildSchedule(values.scenario, seed, durationMs), proxy };
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)}` : '–');

/** What the trading service's HTTP clients saw, a line per phase. */
function httpLines(t: TradingSummary): string[] {
  const line = (p: HttpPhaseStats) =>
    `sent ${p.sent} of ${p.expected}, 5xx ${p.serverErrors}, no answer ${p.noAnswer}, 4xx ${p.clientErrors}, p50/p90/p99/max ${ms(p.p50)}/${ms(p.p90)}/${ms(p.p99)}/${ms(p.max)} ms`;
  return [`  http at ${t.load.targetRate} req/s: ${line(t.totals)}`, ...t.phases.map((p) => `    ${p.phase.padEnd(10)} ${line(p)}`)];
}

const { schedule, proxy } = parse();
process.stdout.write(`${describeSchedule(schedule)}\n(repeat with --scenario ${schedule.scenario} --seed ${schedule.seed} --duration ${schedule.durationMs / 1000}s)\n`);
try {
  await requireDocker();
} catch (e) {
  process.stderr.write(`pgha chaos: ${(e as Error).message}\n`);
  process.exit(2);
}
try {
  const { report, failed } = await runChaos({ schedule, proxy });
  const dir = writeChaosReport(report, schedule);
  const s = report.summary;
  const lines = [
    `chaos ${s.scenario} seed ${s.seed}: ${s.outcome.toUpperCase()}`,
    ...s.verdicts.map((v) => `  ${v.status.toUpperCase().padEnd(11)} ${v.checker}: ${v.summary}${v.evidence.length ? `\n      ${v.evidence.slice(0, 10).join('\n      ')}` : ''}`),
    ...s.recovery.map((c) => `  clocks ${c.faultId} (${c.label}): database ${c.databaseMs === null ? 'never' : `${(c.databaseMs / 1000).toFixed(1)} s`}, ` +
      `${Object.entries(c.routerMs).map(([r, ms]) => `router ${r} ${ms === null || ms === undefined ? 'none' : `${(ms / 1000).toFixed(1)} s`}`).join(', ')}, client ${c.clientMs === null ? 'never' : `${(c.clientMs / 1000).toFixed(1)} s`}`),
    ...s.timelineSwitches.map((t) => `  timeline ${t.fromTimeline}→${t.toTimeline}: write gap ${(t.gapMs / 1000).toFixed(1)} s (server clocks)`),
    ...(s.trading ? httpLines(s.trading) : []),
    ...s.unsupported.map((u) => `  UNSUPPORTED ${u.what}: ${u.why}`),
    `  report: ${dir}/report.html`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  process.exit(failed.length ? 1 : 0);
} catch (e) {
  process.stderr.write(`pgha chaos: the run failed: ${(e as Error).stack ?? e}\n`);
  process.exit(2);
}
