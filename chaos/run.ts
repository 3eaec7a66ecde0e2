// One chaos run: a cluster (its own, or one handed in), the workload, the role sampler
// and the trading service under autocannon on one clock, the schedule's faults injected
// and healed, then the cluster proven formed again, the rows and orders read back, the
// checkers run and the run judged. The sequence under load is the core's (under-load.ts),
// shared with the suites' trials; the schedule, the signal handlers and the judging are
// this file's. The caller writes the report (reports/chaos-report.ts).
import { startCluster } from '../cluster/boot.ts';
import { waitFormed } from '../cluster/boot.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import type { ProxyChoice } from '../fixtures/images.ts';
import { roles } from '../cluster/observe.ts';
import { note, phase } from '../fixtures/progress.ts';
import { routers, TOPOLOGY, type NodeName } from '../model/topology.ts';
import { saveLogs } from '../cluster/node-logs.ts';
import { runDir } from '../model/paths.ts';
import { join } from 'node:path';
import { createWriteSchema, type RunClock } from '../load/workload/index.ts';
import type { TradingRunOptions } from '../load/trading/index.ts';
import { RECOVERY_BUDGET_MS, type Verdict } from './checkers/index.ts';
import type { Nemesis } from './nemesis/index.ts';
import { runUnderLoad, type LoadStart } from './under-load.ts';
import { resolveStep, type RoleState } from './scenarios/resolve.ts';
import { describeSchedule, describeStep, type Schedule } from './scenarios/schedule.ts';
import type { ChaosReport } from '../model/summary.ts';
import { judge, runVerdicts } from './summary.ts';
import { CLAIMS, toMs } from '../model/claims.ts';

export interface ChaosRunOptions {
  schedule: Schedule;
  proxy?: ProxyChoice;
  /** Run against this cluster instead of booting one; it is healed and proven formed after. */
  cluster?: { info: ClusterInfo; flavorReason?: string; baseImage?: string };
  budgetMs?: number;
  /** The trading service and its HTTP load (default: on, 40 req/s); false: none. */
  trading?: TradingRunOptions | false;
}

export interface ChaosResult {
  report: ChaosReport;
  /** As run: saved beside the report so the run can be repeated. */
  schedule: Schedule;
  failed: Verdict[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function roleState(info: ClusterInfo): Promise<RoleState> {
  const r = await roles(info);
  const writable = Object.entries(r).filter(([, rec]) => rec === false).map(([n]) => n as NodeName);
  return {
    ...(writable.length === 1 ? { primary: writable[0] } : {}),
    standbys: Object.entries(r).filter(([, rec]) => rec === true).map(([n]) => n as NodeName),
    routers: routers().map((n) => n.name),
  };
}

export async function runChaos(opts: ChaosRunOptions): Promise<ChaosResult> {
  const { schedule } = opts;
  const startedAt = new Date().toISOString();
  const startedWall = Date.now();
  const own = opts.cluster ? undefined : await startCluster({ proxy: opts.proxy ?? 'auto' });
  const flavorReason = own?.images.flavorReason ?? opts.cluster?.flavorReason ?? '';
  let live: LoadStart | undefined;
  // On a cluster of its own, Ctrl-C or SIGTERM removes the whole run first (startCluster's
  // handler, registered before this one, exits): no fault can outlive it. On a cluster
  // handed in, which stays, this one heals every fault before the process goes.
  const onSignal = () => {
    note('interrupted: stopping the HTTP load, healing every fault before leaving');
    void Promise.allSettled([live?.trading()?.stop(), live?.nemesis.healAll()]).finally(() => process.exit(130));
  };
  try {
    const run = await runUnderLoad(opts.cluster?.info ?? own!.info, {
      refresh: opts.cluster !== undefined,
      started: async (start) => {
        live = start;
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        note(`schedule:\n${describeSchedule(schedule)}`);
        await createWriteSchema(start.info());
      },
      workload: { writers: 4, readers: 2, writeRate: 40, readRate: 20 },
      ...(opts.trading !== false ? { trading: opts.trading ?? {} } : {}),
      plannedMs: schedule.durationMs,
      body: ({ clock, nemesis, readyAt }) => playSchedule(schedule, clock, nemesis, readyAt),
      reform: (info) =>
        phase('chaos: cluster formed again', () => waitFormed(info, toMs(CLAIMS.reformTimeoutSecs))).then(
          (): Verdict => ({ checker: 'cluster-reforms', claim: 'after every heal the cluster forms again (one primary, all standbys streaming, witness and routers agree)', status: 'pass', summary: 'formed', evidence: [] }),
          (e: Error): Verdict => ({ checker: 'cluster-reforms', claim: 'after every heal the cluster forms again', status: 'fail', summary: e.message.split('\n')[0] ?? 'not formed', evidence: e.message.split('\n').slice(1).map((l) => l.replace(/^\s*- /, '')) }),
        ),
    });
    const { history, info, readBack: rb } = run;
    if (run.readBackError) note(`read back failed: ${run.readBackError.message}`);
    const readFrom = rb ? `${rb.from}${rb.writable.length > 1 ? ` (writable at read time: ${rb.writable.join(', ')})` : ''}` : undefined;
    const verdicts = runVerdicts({
      history,
      scheduledFaults: schedule.steps.length,
      budgetMs: opts.budgetMs ?? RECOVERY_BUDGET_MS,
      tradingAsked: opts.trading !== false,
      ...(run.trading ? { trading: run.trading } : {}),
      ...(run.tradingError ? { tradingError: run.tradingError } : {}),
      reform: run.reform!,
      replication: info.synchronousMode === 'off' ? 'asynchronous' : 'synchronous',
    });
    const report = judge({
      runId: info.runId,
      schedule,
      history,
      verdicts,
      startedAt,
      finishedAt: new Date().toISOString(),
      proxyFlavor: info.flavor,
      proxyFlavorReason: flavorReason,
      images: [info.images.postgres, info.images.router],
      readBackFrom: readFrom,
      budgetMs: opts.budgetMs ?? RECOVERY_BUDGET_MS,
      ...(run.trading ? { trading: run.trading } : {}),
    });
    const failed = verdicts.filter((v) => v.status === 'fail');
    // Kept before the cluster goes (a cluster of its own is removed below): a failed verdict's
    // cause is in the nodes' logs, not in the clients' history.
    if (failed.length) note(`a verdict failed: every node's log since the run began: ${await saveLogs(info, TOPOLOGY.map((n) => n.name), startedWall, join(runDir(info.runId), 'logs'))}/`);
    return { report, schedule, failed };
  } finally {
    // Also on failure: every fault healed, whatever the run got to (the core stopped the load).
    await live?.nemesis.healAll().catch(() => {});
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (own) await own.stop();
  }
}

/**
 * The schedule's faults, each injected at its time after the load got ready (`start` on
 * the run clock), so the planned healthy warm-up is all baseline, however long the first
 * sessions took; each healed when its hold ends.
 */
async function playSchedule(schedule: Schedule, clock: RunClock, nemesis: Nemesis, start: number): Promise<void> {
  const heals: Promise<void>[] = [];
  await phase(`chaos: ${schedule.scenario}, seed ${schedule.seed}, ${(schedule.durationMs / 1000).toFixed(0)} s under load`, async () => {
    for (const step of schedule.steps) {
      await sleep(start + step.at - clock.now());
      let ev;
      try {
        ev = await nemesis.inject(resolveStep(step, await roleState(nemesis.info())));
      } catch (e) {
        note(`step at ${(step.at / 1000).toFixed(1)} s not injected: ${(e as Error).message}`);
        // In the history too: a fault that did not go in fails the run.
        nemesis.notInjected({ fault: step.fault, label: describeStep(step).trim() }, (e as Error).message);
        continue;
      }
      const healAt = clock.now() + step.holdMs;
      heals.push(sleep(healAt - clock.now()).then(() => nemesis.heal(ev).catch((e: Error) => note(`heal ${ev.id}: ${e.message}`))));
    }
    await sleep(start + schedule.durationMs - clock.now());
    await Promise.all(heals);
  });
}
