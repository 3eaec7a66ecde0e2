// npm run bench [-- --repeat N --kills N --only a,b --proxy pgpool --pgbench-seconds S]
// Measures the numbers users compare (builds, boot, failover clocks, replication lag,
// router overhead, connection scale) side by side, each over repeated runs, and writes
// reports/out/bench.json. Exit 0: every section measured. 1: a section failed (the
// report says which and why). 2: the bench couldn't start (bad options, no Docker).
import { cpus, release, totalmem } from 'node:os';
import { execSync } from 'node:child_process';
import { requireDocker } from '../fixtures/docker.ts';
import { buildClusterImages } from '../fixtures/images.ts';
import { newRunId } from '../fixtures/labels.ts';
import { removeOnSignal } from '../fixtures/reaper.ts';
import { note, phase } from '../fixtures/progress.ts';
import { startCluster, type Cluster } from '../cluster/boot.ts';
import { routers } from '../model/topology.ts';
import { REPORTS_OUT } from '../model/paths.ts';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchOptions } from '../bench/options.ts';
import { BENCH_SECTIONS, makeFigure, writeBenchReport, type BenchFigure, type BenchReport, type BenchSection } from '../bench/report.ts';
import { pairedRatio, ratioToMedian } from '../bench/stats.ts';
import { answeringHeld, benchTable, connectionFigureName, connectionFigureNote, connectionLines } from '../bench/table.ts';
import { connectionBounds } from '../bench/connections-classify.ts';
import { CONTAINER_BASELINE, containerStartSeconds } from '../bench/baseline.ts';
import { measureBuilds, removeBenchImages } from '../bench/builds.ts';
import { clusterEnvFor, measureBoots } from '../bench/boot.ts';
import { SECTION_OF, measureFailovers } from '../bench/failover.ts';
import { failoverFigures } from '../bench/failover-figures.ts';
import { measureLag } from '../bench/lag.ts';
import { measureOverhead, PGBENCH_CLIENTS, PGBENCH_SCALE, PGBENCH_THREADS, PGBENCH_MODES, type PgbenchMode } from '../bench/overhead.ts';
import { CLAIMED_PER_PROXY, measureConnections } from '../bench/connections.ts';

function options(): BenchOptions {
  try {
    return parseBenchArgs(process.argv.slice(2), process.env);
  } catch (e) {
    if (!(e instanceof BenchUsageError)) throw e;
    process.stderr.write(`pgha bench: ${e.message}\n${BENCH_USAGE}\n`);
    process.exit(2);
  }
}

const opts = options();
if (opts.help) {
  process.stdout.write(`${BENCH_USAGE}\n`);
  process.exit(0);
}
try {
  await requireDocker();
} catch (e) {
  process.stderr.write(`pgha bench: ${(e as Error).message}\n`);
  process.exit(2);
}

const wants = (s: BenchSection) => opts.only.includes(s);
const figures: BenchFigure[] = [];
const add = (f: BenchFigure | undefined) => {
  if (f) figures.push(f);
};
const report: BenchReport = {
  startedAt: new Date().toISOString(),
  finishedAt: '',
  machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), nofileSoft: Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim()) },
  options: { repeat: opts.repeat, kills: opts.kills, only: opts.only, proxy: opts.proxy, pgbenchSeconds: opts.pgbenchSeconds, ...(opts.routerMaxClients ? { routerMaxClients: opts.routerMaxClients } : {}) },
  figures,
  connections: [],
  bounds: [],
  errors: [],
};

/**
 * A section that fails is reported and the bench goes on with the next. Each says it is
 * alive while it runs; the failover and hung sections' faults run under load, whose own progress
 * lines say more than a heartbeat would.
 */
async function section(name: BenchSection, work: () => Promise<void>): Promise<void> {
  if (!wants(name)) return;
  try {
    await phase(`bench ${name}`, work, { heartbeat: !(Object.values(SECTION_OF) as BenchSection[]).includes(name) });
  } catch (e) {
    report.errors.push({ section: name, error: (e as Error).message });
    note(`bench ${name} failed: ${(e as Error).message}`);
  }
}

const benchRun = newRunId();
// Ctrl-C or SIGTERM mid-bench: its baseline containers and bench-tagged images go (each
// cluster it boots removes itself the same way, see cluster/boot.ts).
const stopRemovingOnSignal = removeOnSignal(benchRun);
const images = await phase('bench: cluster images (cached builds)', () => buildClusterImages(opts.proxy));
report.proxyFlavor = images.flavor;
report.proxyFlavorReason = images.flavorReason;
report.baseImage = images.base;

const baseline = await phase('bench baseline: bare container starts', () => containerStartSeconds(benchRun, images.base, opts.repeat));
add(makeFigure('baseline', CONTAINER_BASELINE, 's', baseline, { note: `the run's yardstick for Docker-level timings (${images.base})` }));
const vsContainer = (samples: number[]) => {
  const r = ratioToMedian(samples, baseline);
  return r ? { ratio: { baseline: CONTAINER_BASELINE, method: 'median' as const, spread: r } } : {};
};

await section('builds', async () => {
  const names = ['postgres', images.router.name] as const;
  try {
    for (const b of await measureBuilds(names, { postgres: images.base, [images.router.name]: images.routerBase }, benchRun, opts.repeat)) {
      add(
        makeFigure('builds', `${b.cache} build: ${b.image}`, 's', b.seconds, {
          ...vsContainer(b.seconds),
          note: b.cache === 'cold' ? `docker build --no-cache; base image ${b.image === 'postgres' ? images.base : images.routerBase} cached (not rebuilt, not pulled)` : 'layer cache warm (right after a cold build)',
        }),
      );
    }
  } finally {
    await removeBenchImages(names, benchRun);
  }
});

// A capacity run raises ROUTER_MAX_CLIENTS on both routers; pgpool then holds a backend
// connection per child on every node, so max_connections must cover both pgpools' children.
const clusterEnv = clusterEnvFor(images.flavor, opts.routerMaxClients);
const needsCluster = (['boot', 'failover', 'hung', 'lag', 'overhead', 'connections'] as const).some(wants);
let cluster: Cluster | undefined;
try {
  if (needsCluster) {
    await section('boot', async () => {
      const booted = await measureBoots(images, opts.repeat, clusterEnv);
      cluster = booted.cluster;
      add(makeFigure('boot', 'boot to formed (cached images)', 's', booted.seconds, vsContainer(booted.seconds)));
    });
    cluster ??= await startCluster({ images, ...clusterEnv });
    const info = cluster.info;

    // A fresh cluster for the steady-state figures; the failovers last, since they move the primary.
    await section('lag', async () => {
      const runs = await measureLag(info, opts.repeat);
      const rtt = runs.map((r) => r.roundTripMs);
      const base = 'standby round trip (SELECT 1)';
      add(makeFigure('lag', base, 'ms', rtt, { note: 'the resolution of the lag measurement' }));
      for (const [name, xs] of [['replication lag p50', runs.map((r) => r.p50Ms)], ['replication lag p99', runs.map((r) => r.p99Ms)]] as const) {
        const r = pairedRatio(xs, rtt);
        add(makeFigure('lag', name, 'ms', xs, { ...(r ? { ratio: { baseline: base, method: 'paired', spread: r } } : {}), note: `commit on the primary to visible on each of 3 standbys, ${runs[0]?.samples ?? 0} samples per run, under 40 writes/s through both routers` }));
      }
    });

    await section('overhead', async () => {
      const runs = await measureOverhead(info, opts.repeat, opts.pgbenchSeconds);
      const what = `pgbench -s ${PGBENCH_SCALE} -c ${PGBENCH_CLIENTS} -j ${PGBENCH_THREADS} -T ${opts.pgbenchSeconds}`;
      for (const mode of Object.keys(PGBENCH_MODES) as PgbenchMode[]) {
        const of = (target: string, key: 'tps' | 'latencyMs') => runs.filter((r) => r.mode === mode && r.target === target).toSorted((a, b) => a.repetition - b.repetition).map((r) => r.result[key]);
        for (const [key, unit, label] of [['tps', 'tps', 'tps'], ['latencyMs', 'ms', 'latency avg']] as const) {
          const direct = of('direct', key);
          const base = `${mode} ${label} direct to primary`;
          add(makeFigure('overhead', base, unit, direct, { note: what }));
          for (const r of routers()) {
            const xs = of(r.name, key);
            const ratio = pairedRatio(xs, direct);
            add(makeFigure('overhead', `${mode} ${label} via ${r.name}`, unit, xs, ratio ? { ratio: { baseline: base, method: 'paired', spread: ratio }, note: what } : { note: what }));
          }
        }
      }
    });

    await section('connections', async () => {
      const facts = await measureConnections(info);
      report.connections = facts.scales;
      for (const s of facts.scales) {
        add(makeFigure('connections', connectionFigureName(s.proxy), 'count', [answeringHeld(s)], { note: connectionFigureNote(s) }));
        if (s.stillServing < s.held) report.errors.push({ section: 'connections', error: `${s.proxy}: only ${s.stillServing} of the ${s.held} connections it held still answered` });
      }
      report.bounds = connectionBounds({
        flavor: info.flavor,
        claimedPerProxy: CLAIMED_PER_PROXY,
        proxies: routers().length,
        held: facts.scales.map((s) => ({ proxy: s.proxy, held: s.held, rssBytes: s.proxyRssBytes, processes: s.proxyProcesses, primaryBackends: s.primaryBackends })),
        ...(facts.capacity ? { capacity: facts.capacity } : {}),
        ...(facts.maxConnections === undefined ? {} : { maxConnections: facts.maxConnections }),
        ...(facts.idleBackends === undefined ? {} : { idleBackends: facts.idleBackends }),
        ...(facts.routerNofile === undefined ? {} : { routerNofile: facts.routerNofile }),
        ...(facts.benchNofile === undefined ? {} : { benchNofile: facts.benchNofile }),
      });
    });

    // Kills first, then pauses: each fault moves the primary, and the steady-state figures are done.
    for (const fault of ['kill', 'pause'] as const) {
      const name = SECTION_OF[fault];
      await section(name, async () => {
        const faults = await measureFailovers(info, opts.kills, fault);
        const db = faults.map((k) => k.clocks.databaseMs).filter((x): x is number => x !== null).map((ms) => ms / 1000);
        const { figures: fs, errors } = failoverFigures(
          faults,
          routers().map((r) => r.name),
          vsContainer(db).ratio,
          fault,
        );
        fs.forEach(add);
        report[name] = faults.map((k) => ({
          old: k.old,
          winner: k.winner,
          databaseMs: k.clocks.databaseMs,
          directMs: k.directMs,
          routerMs: Object.fromEntries(Object.entries(k.clocks.routerMs).map(([r, ms]) => [r, ms ?? null])),
          clientMs: k.clocks.clientMs,
          failedWrites: k.clocks.failedWrites,
        }));
        for (const error of errors) report.errors.push({ section: name, error });
      });
    }
  }
} finally {
  await cluster?.stop();
  stopRemovingOnSignal();
}

const order = ['baseline', ...BENCH_SECTIONS];
figures.sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section));
report.finishedAt = new Date().toISOString();
const file = writeBenchReport(REPORTS_OUT, report);
const out = [
  `pgha bench (${report.proxyFlavor}: ${report.proxyFlavorReason}); ${report.machine.cpus} CPUs, ${report.machine.memoryGiB} GiB; repeat ${opts.repeat}, kills ${opts.kills}`,
  '',
  benchTable(figures),
  ...(report.connections.length ? ['', 'connection scale:', ...connectionLines(report.connections).map((l) => `  ${l}`)] : []),
  ...(report.bounds.length ? ['', 'what bounds it:', ...report.bounds.map((l) => `  - ${l}`)] : []),
  ...(report.errors.length ? ['', 'FAILED sections:', ...report.errors.map((e) => `  ${e.section}: ${e.error}`)] : []),
  '',
  `written: ${file}`,
];
process.stdout.write(out.join('\n') + '\n');
process.exit(report.errors.length ? 1 : 0);
