// Connection scale: how many client connections one proxy holds. Clients open (and run a
// query on) connections until one is refused; then every held connection must still
// answer, and the refusal must be clean (SQLSTATE 53300 at once, not a hang). Alongside:
// what the proxy and the primary spend on them, to say what bounds the number.
import { execSync } from 'node:child_process';
import type pg from 'pg';
import { appCredentials, closeClient, connect, endpointOf, queryOnce, repmgrCredentials } from '../cluster/clients.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import { docker, execIn } from '../fixtures/docker.ts';
import { ROUTER_FLAVORS } from '../model/router-flavors.ts';
import { currentPrimary } from '../cluster/formation.ts';
import { roles } from '../cluster/observe.ts';
import { note, phase } from '../fixtures/progress.ts';
import { routers, type NodeName } from '../model/topology.ts';
import { classifyConnectFailure, isCleanLimit, pgpoolCapacity, type PgpoolCapacity } from './connections-classify.ts';
import type { ConnectionScale } from './report.ts';

/** The modelled cluster's claim per proxy; the bench never tries more than this. */
export const CLAIMED_PER_PROXY = 30_000;
/** Connections opened at once: enough to be quick, few enough that a refusal is seen early. */
const BATCH = 16;

export interface ConnectionFacts {
  scales: ConnectionScale[];
  capacity?: PgpoolCapacity;
  maxConnections?: number;
  /** Client backends on the primary with nothing held, for the per-connection cost. */
  idleBackends?: number;
  routerNofile?: number;
  benchNofile?: number;
}

async function rss(info: ClusterInfo, router: NodeName): Promise<{ bytes: number; processes: number } | undefined> {
  const r = await execIn(info.nodes[router]!.container, ['ps', '-C', ROUTER_FLAVORS[info.flavor].processName, '-o', 'rss=']);
  if (r.exitCode !== 0) return undefined;
  const kib = r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => Number.isFinite(n) && n > 0);
  return { bytes: kib.reduce((a, b) => a + b, 0) * 1024, processes: kib.length };
}

async function clientBackends(info: ClusterInfo, primary: NodeName): Promise<number> {
  const rows = await queryOnce<{ n: number }>(endpointOf(info, primary), repmgrCredentials(info), "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'");
  return rows[0]!.n;
}

async function holdUntilRefused(info: ClusterInfo, router: NodeName, primary: NodeName, capacity: number | undefined): Promise<ConnectionScale> {
  const held: pg.Client[] = [];
  let attempted = 0;
  let stoppedBy: ConnectionScale['stoppedBy'] | undefined;
  let clean = false;
  try {
    while (!stoppedBy && held.length < CLAIMED_PER_PROXY) {
      const n = Math.min(BATCH, CLAIMED_PER_PROXY - held.length);
      attempted += n;
      const tries = await Promise.allSettled(
        Array.from({ length: n }, async () => {
          const t = performance.now();
          try {
            const c = await connect(endpointOf(info, router), appCredentials(info), 5000);
            await c.query('SELECT 1');
            return c;
          } catch (e) {
            throw Object.assign(new Error('refused'), { cause: e, afterMs: Math.round(performance.now() - t) });
          }
        }),
      );
      for (const t of tries) {
        if (t.status === 'fulfilled') held.push(t.value);
        else if (!stoppedBy) {
          const { cause, afterMs } = t.reason as { cause: unknown; afterMs: number };
          const f = classifyConnectFailure(cause);
          stoppedBy = { ...f, afterMs };
          clean = isCleanLimit(f, afterMs);
        }
      }
    }
    stoppedBy ??= { kind: 'cap', message: `stopped at the claimed ${CLAIMED_PER_PROXY} per proxy`, afterMs: 0 };
    if (stoppedBy.kind === 'cap') clean = true;
    // The limit is hit: every connection held must still be served.
    const answers = await Promise.allSettled(held.map((c) => c.query('SELECT 1')));
    const stillServing = answers.filter((a) => a.status === 'fulfilled').length;
    const mem = await rss(info, router);
    const primaryBackends = await clientBackends(info, primary).catch(() => undefined);
    const scale: ConnectionScale = {
      proxy: router,
      ...(capacity === undefined ? {} : { configuredCapacity: capacity }),
      held: held.length,
      attempted,
      stoppedBy,
      clean,
      stillServing,
      ...(mem ? { proxyRssBytes: mem.bytes, proxyProcesses: mem.processes } : {}),
      ...(primaryBackends === undefined ? {} : { primaryBackends }),
    };
    return scale;
  } finally {
    await Promise.all(held.map((c) => closeClient(c)));
  }
}

export async function measureConnections(info: ClusterInfo): Promise<ConnectionFacts> {
  const primary = currentPrimary({ inRecovery: await roles(info) });
  if (!primary) throw new Error('no single writable node: the cluster is not formed');
  const first = info.nodes[routers()[0]!.name]!;
  const conf = info.flavor === 'pgpool' ? await execIn(first.container, ['cat', '/etc/pgpool2/pgpool.conf']) : undefined;
  const capacity = conf && conf.exitCode === 0 ? pgpoolCapacity(conf.stdout) : undefined;
  // What each router was told to take (ROUTER_MAX_CLIENTS), as its container was started.
  const env = ((await docker.getContainer(first.container).inspect()).Config.Env ?? []) as string[];
  const maxClients = Number(env.find((e) => e.startsWith('ROUTER_MAX_CLIENTS='))?.split('=')[1] ?? ROUTER_FLAVORS[info.flavor].defaultMaxClients);
  const maxConnections = Number((await queryOnce<{ v: string }>(endpointOf(info, primary), repmgrCredentials(info), "SELECT current_setting('max_connections') AS v"))[0]!.v);
  const nofile = await execIn(first.container, ['sh', '-c', 'ulimit -n']);
  const idleBackends = await clientBackends(info, primary);
  const scales: ConnectionScale[] = [];
  for (const r of routers()) {
    // One proxy at a time: the other keeps serving, and the numbers don't mix.
    const s = await phase(`bench connections: fill ${r.name}`, () => holdUntilRefused(info, r.name, primary, capacity?.clients ?? maxClients));
    note(`  ${r.name}: held ${s.held}, then ${s.stoppedBy.kind}${'code' in s.stoppedBy && s.stoppedBy.code ? ` ${s.stoppedBy.code}` : ''} after ${s.stoppedBy.afterMs} ms (${s.stoppedBy.message}); ${s.stillServing}/${s.held} still answered`);
    scales.push(s);
  }
  const benchNofile = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  return {
    scales,
    ...(capacity ? { capacity } : {}),
    maxConnections,
    idleBackends,
    ...(nofile.exitCode === 0 ? { routerNofile: Number(nofile.stdout.trim()) } : {}),
    ...(Number.isFinite(benchNofile) ? { benchNofile } : {}),
  };
}
