// The trading service as a chaos run uses it: its schema, the service over the cluster
// and autocannon driving it, started together after the cluster formed and stopped
// together (load first, so no request meets a closed service) before the reports.
import { randomBytes } from 'node:crypto';
import type { ClusterInfo } from '../../cluster/info.ts';
import type { RunClock } from '../workload/clock.ts';
import type { ClusterSource } from '../workload/source.ts';
import { clusterBackend } from './backend.ts';
import { startTradingLoad, type TradingProgress } from './load.ts';
import type { LoadSettings, TradingHistory } from '../../model/http-history.ts';
import { createTradingSchema } from './schema.ts';
import { startTradingService } from './service.ts';
import { CLAIMS, toMs } from '../../model/claims.ts';

export interface TradingRunOptions {
  /** Requests per second in all (default 40: modest, the cluster shares two cores). */
  rate?: number;
  connections?: number;
  lanes?: number;
  /** Default 2000 ms. */
  deadlineMs?: number;
  /** Database sessions of the service (default 8). */
  poolSize?: number;
}

/** The service's pool must be open within this before the HTTP load starts (see claims). */
const POOL_READY_MS = toMs(CLAIMS.loadReadySecs);

export interface TradingRun {
  /** Prefixes this run's client order ids and accounts. */
  readonly runTag: string;
  readonly url: string;
  readonly settings: LoadSettings;
  /** Clock time the HTTP load started: the service's sessions were all open by then. */
  readonly readyAt: number;
  /** What the HTTP load got so far (progress lines). */
  progress(): TradingProgress;
  /** Stops the load, then the service; idempotent, so a finally and a signal may both call it. */
  stop(): Promise<Omit<TradingHistory, 'orders'>>;
}

export async function startTradingRun(info: ClusterInfo, source: ClusterSource, clock: RunClock, opts: TradingRunOptions = {}): Promise<TradingRun> {
  await createTradingSchema(info);
  const deadlineMs = opts.deadlineMs ?? CLAIMS.tradingDeadlineMs;
  const backend = clusterBackend(source, { poolSize: opts.poolSize ?? 8 });
  const service = await startTradingService(backend, { deadlineMs }).catch(async (e: unknown) => {
    await backend.close();
    throw e;
  });
  // Every session open before the first request: a session still opening when the load
  // starts makes the first requests late (503) on a busy machine, before any fault.
  await backend.warm(POOL_READY_MS).catch(async (e: unknown) => {
    await service.close();
    throw e;
  });
  const runTag = `t${randomBytes(4).toString('hex')}`;
  const readyAt = clock.now();
  const load = startTradingLoad({ url: service.url, clock, runTag, deadlineMs, ...(opts.rate ? { rate: opts.rate } : {}), ...(opts.connections ? { connections: opts.connections } : {}), ...(opts.lanes ? { lanes: opts.lanes } : {}) });
  let stopping: Promise<Omit<TradingHistory, 'orders'>> | undefined;
  return {
    runTag,
    url: service.url,
    settings: load.settings,
    readyAt,
    progress: () => load.progress(),
    stop: () =>
      (stopping ??= (async () => {
        try {
          return { load: load.settings, ...(await load.stop()) };
        } finally {
          await service.close();
        }
      })()),
  };
}
