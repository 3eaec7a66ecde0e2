// Replication lag under a steady write load: the workload writes through both routers
// (4 writers, 40 writes/s) while single rows are committed on the primary and every
// standby is polled until it shows each one (fixtures/replication.ts visibilityLag). The
// baseline is a SELECT 1 round trip to the standbys: the resolution of the measurement.
import type pg from 'pg';
import { closeClient, connectNode } from '../cluster/clients.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import { currentPrimary } from '../cluster/formation.ts';
import { roles } from '../cluster/observe.ts';
import { note } from '../fixtures/progress.ts';
import { visibilityLag } from '../cluster/replication.ts';
import { percentile } from '../model/stats.ts';
import { dataNodes, type NodeName } from '../model/topology.ts';
import { createWriteSchema, startClock, startWorkload } from '../load/workload/index.ts';

const TABLE = 'pgha_bench_lag';

export interface LagRun {
  p50Ms: number;
  p99Ms: number;
  /** Median SELECT 1 round trip to the standbys in the same repetition. */
  roundTripMs: number;
  samples: number;
  /** Writes the background load completed while this was measured. */
  loadWrites: number;
}

async function roundTrips(standbys: Iterable<pg.Client>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const c of standbys) {
      const t = performance.now();
      await c.query('SELECT 1');
      out.push(performance.now() - t);
    }
  }
  return out;
}

export async function measureLag(info: ClusterInfo, repeat: number, writesPerRun = 150): Promise<LagRun[]> {
  const primaryName = currentPrimary({ inRecovery: await roles(info) });
  if (!primaryName) throw new Error('no single writable node: the cluster is not formed');
  const primary = await connectNode(info, primaryName);
  const standbys = new Map<NodeName, pg.Client>();
  await createWriteSchema(info);
  const load = await startWorkload(info, { clock: startClock(), writers: 4, writeRate: 40 });
  try {
    for (const n of dataNodes().filter((n) => n.name !== primaryName)) standbys.set(n.name, await connectNode(info, n.name));
    const out: LagRun[] = [];
    for (let i = 1; i <= repeat; i++) {
      await primary.query(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (id bigint PRIMARY KEY)`);
      const okBefore = load.history().filter((o) => o.kind === 'write' && o.outcome === 'ok').length;
      const lag = [...(await visibilityLag(primary, standbys, TABLE, writesPerRun)).values()].flat();
      const rtt = await roundTrips(standbys.values(), 20);
      const run: LagRun = {
        p50Ms: percentile(lag, 50),
        p99Ms: percentile(lag, 99),
        roundTripMs: percentile(rtt, 50),
        samples: lag.length,
        loadWrites: load.history().filter((o) => o.kind === 'write' && o.outcome === 'ok').length - okBefore,
      };
      out.push(run);
      note(`  lag ${i}/${repeat}: p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms over ${run.samples} samples (${run.loadWrites} load writes meanwhile; standby round trip ${run.roundTripMs.toFixed(2)} ms)`);
    }
    return out;
  } finally {
    await load.stop();
    await primary.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => {});
    await Promise.all([primary, ...standbys.values()].map((c) => closeClient(c)));
  }
}
