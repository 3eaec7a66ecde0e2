// The one run-under-load core that the suites' trials (trial.ts) and the chaos runs
// (run.ts) share: endpoints refreshed, one clock, the nemesis, the role sampler, the write
// workload (and the trading service under autocannon, when asked), a body that does the
// faults, then the load stopped, every fault healed, the cluster's rows (and orders) read
// back, and one RunHistory out. What differs between the two stays with the caller,
// through the hooks below, at the same place in the sequence as before.
import type { ClusterInfo } from '../cluster/info.ts';
import { refreshEndpoints } from '../cluster/control.ts';
import { note } from '../fixtures/progress.ts';
import { allReady, readBack, startClock, startRoleSampler, startWorkload, type KeyRange, type ReadBack, type RunClock, type Workload, type WorkloadOptions } from '../load/workload/index.ts';
import { readOrders, startTradingRun, type OrdersReadBack, type TradingHistory, type TradingRun, type TradingRunOptions } from '../load/trading/index.ts';
import type { RunHistory } from '../model/history.ts';
import { createNemesis, type Nemesis } from './nemesis/index.ts';
import { startRunProgress } from './progress-ticker.ts';
import { CLAIMS, toMs } from '../model/claims.ts';

/** The run as soon as the clock and the nemesis exist, before any load. */
export interface LoadStart {
  readonly clock: RunClock;
  readonly nemesis: Nemesis;
  /** The cluster as last refreshed (the nemesis refreshes it after each fault). */
  info(): ClusterInfo;
  /** The trading run once it started (a signal handler stops it). */
  trading(): TradingRun | undefined;
}

/** What the body sees: the load running, every client with its session. */
export interface LoadRun extends LoadStart {
  readonly workload: Workload;
  /**
   * Clock time every client of the load had its first session (or the wait for it gave
   * up: the history says why): a schedule counts its faults from here.
   */
  readonly readyAt: number;
}

export interface UnderLoadOptions<R> {
  /**
   * Refresh the endpoints first. A cluster handed in may have had containers restarted
   * since it booted, on new addresses, and a partition aimed at stale ones cuts the wrong
   * nodes; one the caller just booted has not moved.
   */
  refresh: boolean;
  /** Before the clock starts (the trial waits for a formed cluster and creates the schema here). */
  ready?(info0: ClusterInfo): Promise<void>;
  /** Clock and nemesis exist, no load yet (the chaos run sets its signal handlers and creates the schema here). */
  started?(run: LoadStart): Promise<void>;
  /** The write workload's clients and rates (the clock is the run's). */
  workload: Omit<WorkloadOptions, 'clock'>;
  /** The trading service and its HTTP load; undefined: none. */
  trading?: TradingRunOptions;
  /** The run's planned length, for the progress lines' "elapsed / total" (a chaos schedule's). */
  plannedMs?: number;
  /** The faults, under load. If it throws, the load still stops and every fault is healed. */
  body(run: LoadRun): Promise<void>;
  /**
   * After the load stopped and every fault healed, on refreshed endpoints: the chaos run
   * proves the cluster formed again here. Without it nothing is refreshed or awaited
   * (the trial healed and waited under load, inside its body).
   */
  reform?(info: ClusterInfo): Promise<R>;
}

export interface LoadRecord<R> {
  /** Rows absent when they could not be read back (readBackError says why). */
  history: RunHistory;
  /** The trading service's record, when it ran; orders absent when they could not be read. */
  trading?: TradingHistory;
  /** Why the trading service did not run, when it was asked for and could not start. */
  tradingError?: string;
  keys: KeyRange;
  /** The cluster as last refreshed. */
  info: ClusterInfo;
  readBack?: ReadBack;
  readBackError?: Error;
  reform?: R;
}

export async function runUnderLoad<R = never>(cluster: ClusterInfo, o: UnderLoadOptions<R>): Promise<LoadRecord<R>> {
  const info0 = o.refresh ? await refreshEndpoints(cluster) : cluster;
  await o.ready?.(info0);
  const clock = startClock();
  const nemesis = createNemesis(info0, clock);
  const source = () => nemesis.info();
  let trading: TradingRun | undefined;
  let tradingError: string | undefined;
  const start: LoadStart = { clock, nemesis, info: source, trading: () => trading };
  try {
    await o.started?.(start);
    const sampler = startRoleSampler(source, { clock });
    const workload = await startWorkload(source, { ...o.workload, clock });
    if (o.trading) {
      try {
        trading = await startTradingRun(info0, source, clock, o.trading);
        note(`trading service at ${trading.url}, autocannon at ${trading.settings.targetRate} req/s`);
      } catch (e) {
        tradingError = `the trading service could not start: ${(e as Error).message}`;
        note(tradingError);
      }
    }
    // The baseline starts once every client has a session: the first ones through pgpool
    // are slow on a busy machine, which says nothing about the healthy cluster.
    const ready = await allReady(
      [
        { name: 'workload', ready: workload.ready, waiting: () => workload.waiting() },
        ...(trading ? [{ name: 'trading service', ready: Promise.resolve(trading.readyAt), waiting: () => [] }] : []),
      ],
      toMs(CLAIMS.loadReadySecs),
    );
    if ('error' in ready) note(`load not ready: ${ready.error}`);
    const readyAt = 'at' in ready ? ready.at : clock.now();
    let ops;
    let http;
    let samples;
    let endedAt;
    // While the load runs, a line every so often: a long run must look alive (or not).
    const stopProgress = startRunProgress({
      now: () => clock.now(),
      ...(o.plannedMs === undefined ? {} : { totalMs: o.plannedMs }),
      ops: () => workload.history(),
      samples: () => sampler.samples(),
      http: () => trading?.progress(),
    });
    try {
      await o.body({ ...start, workload, readyAt });
    } finally {
      stopProgress();
      // Also when the body failed: the load stops (writes, HTTP, sampler: the chaos run's
      // order) and no fault stays in.
      ops = await workload.stop();
      http = await trading?.stop();
      samples = await sampler.stop();
      // The run ends when the load stopped. (The trial used to read its clock after this
      // last heal instead; every op and sample predates both, and the checkers use endedAt
      // only as the end of a window, so no verdict or clock moves.)
      endedAt = clock.now();
      await nemesis.healAll();
    }
    const reform = o.reform ? await o.reform(await nemesis.refresh()) : undefined;
    const info = nemesis.info();
    let back: ReadBack | undefined;
    let readBackError: Error | undefined;
    let orders: OrdersReadBack | undefined;
    // Why the orders were not read: the no-lost-orders check fails with it.
    let ordersError: string | undefined;
    try {
      back = await readBack(info, workload.keys);
      // From the node the writes were read from: the primary on the newest timeline.
      if (trading) {
        try {
          orders = await readOrders(info, back.from, trading.runTag);
        } catch (e) {
          ordersError = (e as Error).message;
          note(`orders read back failed: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      readBackError = e as Error;
      // Without the rows' primary there is no node to read the orders from.
      if (trading) ordersError = `not read, the read-back of rows failed first (${readBackError.message})`;
    }
    return {
      history: {
        ops,
        samples,
        faults: nemesis.events(),
        ...(back ? { rows: back.rows } : {}),
        ...(readBackError ? { rowsError: readBackError.message } : {}),
        ...(nemesis.cleanupFailures().length ? { cleanupFailures: nemesis.cleanupFailures() } : {}),
        ...('at' in ready ? { loadReadyAt: ready.at } : { loadNotReady: ready.error }),
        endedAt,
        epochWall: clock.epochWall,
      },
      ...(http ? { trading: { ...http, ...(orders ? { orders } : {}), ...(ordersError ? { ordersError } : {}) } } : {}),
      ...(tradingError ? { tradingError } : {}),
      keys: workload.keys,
      info,
      ...(back ? { readBack: back } : {}),
      ...(readBackError ? { readBackError } : {}),
      ...(o.reform ? { reform: reform as R } : {}),
    };
  } finally {
    // Also on failure: no autocannon lane or listening service may outlive the run.
    await trading?.stop().catch(() => {});
  }
}
