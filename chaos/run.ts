// One chaos run: a cluster (its own, or one handed in), the workload, the role sampler
// and the trading service under autocannon on one clock, the schedule's faults injected
// and healed, then the cluster proven formed again, the rows and orders read back, the
// checkers run and the run judged. The caller writes the report (reports/chaos-report.ts).
import { startCluster } from '../cluster/boot.ts';
import { waitFormed } from '../cluster/boot.ts';
import { refreshEndpoints } from '../cluster/control.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import type { ProxyChoice } from '../fixtures/images.ts';
import { roles } from '../cluster/observe.ts';
import { note, phase } from '../fixtures/progress.ts';
import { routers, type NodeName } from '../model/topology.ts';
import { createWriteSchema, readBack, startClock, startRoleSampler, startWorkload, type WriteRow } from '../load/workload/index.ts';
import { readOrders, startTradingRun, type OrdersReadBack, type TradingHistory, type TradingRun, type TradingRunOptions } from '../load/trading/index.ts';
import { checkAll, checkTrading, RECOVERY_BUDGET_MS, type Verdict } from './checkers/index.ts';
import type { RunHistory } from '../model/history.ts';
import { createNemesis } from './nemesis/index.ts';
import { resolveStep, type RoleState } from './scenarios/resolve.ts';
import { describeSchedule, type Schedule } from './scenarios/schedule.ts';
import type { ChaosReport } from '../model/summary.ts';
import { judge } from './summary.ts';
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
  const own = opts.cluster ? undefined : await startCluster({ proxy: opts.proxy ?? 'auto' });
  // A cluster handed in may have had containers restarted since it booted, on new addresses.
  const info0 = opts.cluster ? await refreshEndpoints(opts.cluster.info) : own!.info;
  const flavorReason = own?.images.flavorReason ?? opts.cluster?.flavorReason ?? '';
  const clock = startClock();
  const nemesis = createNemesis(info0, clock);
  let trading: TradingRun | undefined;
  let tradingError: string | undefined;
  const onSignal = () => {
    note('interrupted: stopping the HTTP load, healing every fault before leaving');
    void Promise.allSettled([trading?.stop(), nemesis.healAll()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    note(`schedule:\n${describeSchedule(schedule)}`);
    await createWriteSchema(info0);
    const source = () => nemesis.info();
    const sampler = startRoleSampler(source, { clock });
    const workload = await startWorkload(source, { clock, writers: 4, readers: 2, writeRate: 40, readRate: 20 });
    if (opts.trading !== false) {
      try {
        trading = await startTradingRun(info0, source, clock, opts.trading ?? {});
        note(`trading service at ${trading.url}, autocannon at ${trading.settings.targetRate} req/s`);
      } catch (e) {
        tradingError = `the trading service could not start: ${(e as Error).message}`;
        note(tradingError);
      }
    }
    const heals: Promise<void>[] = [];
    await phase(`chaos: ${schedule.scenario}, seed ${schedule.seed}, ${(schedule.durationMs / 1000).toFixed(0)} s under load`, async () => {
      for (const step of schedule.steps) {
        await sleep(step.at - clock.now());
        let ev;
        try {
          ev = await nemesis.inject(resolveStep(step, await roleState(nemesis.info())));
        } catch (e) {
          note(`step at ${(step.at / 1000).toFixed(1)} s not injected: ${(e as Error).message}`);
          continue;
        }
        const healAt = clock.now() + step.holdMs;
        heals.push(sleep(healAt - clock.now()).then(() => nemesis.heal(ev).catch((e: Error) => note(`heal ${ev.id}: ${e.message}`))));
      }
      await sleep(schedule.durationMs - clock.now());
      await Promise.all(heals);
    });
    const ops = await workload.stop();
    const http = await trading?.stop();
    const samples = await sampler.stop();
    const endedAt = clock.now();
    await nemesis.healAll();
    const info = await nemesis.refresh();
    const reform = await phase('chaos: cluster formed again', () => waitFormed(info, toMs(CLAIMS.reformTimeoutSecs))).then(
      (): Verdict => ({ checker: 'cluster-reforms', claim: 'after every heal the cluster forms again (one primary, all standbys streaming, witness and routers agree)', status: 'pass', summary: 'formed', evidence: [] }),
      (e: Error): Verdict => ({ checker: 'cluster-reforms', claim: 'after every heal the cluster forms again', status: 'fail', summary: e.message.split('\n')[0] ?? 'not formed', evidence: e.message.split('\n').slice(1).map((l) => l.replace(/^\s*- /, '')) }),
    );
    let rows: WriteRow[] | undefined;
    let readFrom: string | undefined;
    let orders: OrdersReadBack | undefined;
    try {
      const rb = await readBack(info, workload.keys);
      rows = rb.rows;
      readFrom = `${rb.from}${rb.writable.length > 1 ? ` (writable at read time: ${rb.writable.join(', ')})` : ''}`;
      // From the node the writes were read from: the primary on the newest timeline.
      if (trading) {
        try {
          orders = await readOrders(info, rb.from, trading.runTag);
        } catch (e) {
          note(`orders read back failed: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      note(`read back failed: ${(e as Error).message}`);
    }
    const history: RunHistory = { ops, samples, faults: nemesis.events(), ...(rows ? { rows } : {}), endedAt, epochWall: clock.epochWall };
    const tradingHistory: TradingHistory | undefined = http ? { ...http, ...(orders ? { orders } : {}) } : undefined;
    const verdicts = [
      ...checkAll(history, opts.budgetMs ?? RECOVERY_BUDGET_MS, { scheduledFaults: schedule.steps.length }),
      ...(tradingHistory ? checkTrading(tradingHistory, history) : []),
      reform,
    ];
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
      ...(tradingHistory ? { trading: tradingHistory } : {}),
      ...(tradingError ? { tradingError } : {}),
    });
    return { report, schedule, failed: verdicts.filter((v) => v.status === 'fail') };
  } finally {
    // Also on failure: no autocannon lane or listening service may outlive the run.
    await trading?.stop().catch(() => {});
    await nemesis.healAll().catch(() => {});
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (own) await own.stop();
  }
}
