// Router overhead: pgbench select-only and TPC-B-like through each proxy, against the same
// run straight to the primary, from a container on the cluster's network (the postgres
// image carries pgbench 17). Each repetition runs direct, then each proxy, back to back,
// so the ratio pairs runs that saw the same machine. Through pgpool the select-only reads
// go to the standbys (that is what the proxy is for); direct, to the primary.
import { runOk } from '../fixtures/docker.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import { currentPrimary } from '../cluster/formation.ts';
import { runLabels } from '../fixtures/labels.ts';
import { roles } from '../cluster/observe.ts';
import { note } from '../fixtures/progress.ts';
import { APP_DATABASE, APP_USER, PG_PORT, privateHost, PROXY_PORT, routers, type NodeName } from '../model/topology.ts';
import { parsePgbench, type PgbenchResult } from './pgbench-output.ts';
import { execWithEnv } from '../cluster/libpq-client.ts';

export const PGBENCH_MODES = { 'select-only': ['-S'], 'tpcb-like': [] as string[] } as const;
export type PgbenchMode = keyof typeof PGBENCH_MODES;
export const PGBENCH_SCALE = 5;
export const PGBENCH_CLIENTS = 8;
export const PGBENCH_THREADS = 2;

export interface OverheadRun {
  mode: PgbenchMode;
  /** 'direct' is the primary itself. */
  target: 'direct' | NodeName;
  repetition: number;
  result: PgbenchResult;
}

async function startPgbenchContainer(info: ClusterInfo): Promise<string> {
  const labels = Object.entries(runLabels(info.runId, 'bench-pgbench')).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  // Labelled with the cluster's run: the cluster's teardown removes it too.
  const id = await runOk('docker', ['run', '-d', '--network', info.network, ...labels, '--entrypoint', 'sleep', info.images.postgres.ref, 'infinity']);
  return id.trim();
}

export async function measureOverhead(info: ClusterInfo, repeat: number, seconds: number): Promise<OverheadRun[]> {
  const primary = currentPrimary({ inRecovery: await roles(info) });
  if (!primary) throw new Error('no single writable node: the cluster is not formed');
  const container = await startPgbenchContainer(info);
  const env = { PGPASSWORD: info.secrets.app, PGCONNECT_TIMEOUT: '5' };
  const pgbench = async (host: string, port: number, args: readonly string[]) => {
    const r = await execWithEnv(container, ['pgbench', '-h', host, '-p', String(port), '-U', APP_USER, ...args, APP_DATABASE], env);
    if (r.exitCode !== 0) throw new Error(`pgbench ${args.join(' ')} against ${host} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
    return r.stdout + r.stderr;
  };
  try {
    note(`  pgbench -i -s ${PGBENCH_SCALE} on ${primary}`);
    await pgbench(privateHost(primary), PG_PORT, ['-i', '-q', '-s', String(PGBENCH_SCALE)]);
    const targets: { target: OverheadRun['target']; host: string; port: number }[] = [
      { target: 'direct', host: privateHost(primary), port: PG_PORT },
      ...routers().map((r) => ({ target: r.name, host: privateHost(r.name), port: PROXY_PORT })),
    ];
    const out: OverheadRun[] = [];
    for (let rep = 1; rep <= repeat; rep++) {
      for (const [mode, flags] of Object.entries(PGBENCH_MODES) as [PgbenchMode, readonly string[]][]) {
        // Rotated each repetition, so no target always runs first (or right after another).
        for (const t of [...targets.slice((rep - 1) % targets.length), ...targets.slice(0, (rep - 1) % targets.length)]) {
          // -n: no vacuum before the run (through a proxy it would be routed, and timed, too).
          const args = ['-n', ...flags, '-c', String(PGBENCH_CLIENTS), '-j', String(PGBENCH_THREADS), '-T', String(seconds)];
          const result = parsePgbench(await pgbench(t.host, t.port, args));
          out.push({ mode, target: t.target, repetition: rep, result });
          note(`  ${mode} ${t.target} ${rep}/${repeat}: ${result.tps.toFixed(0)} tps, ${result.latencyMs.toFixed(2)} ms avg${result.failed ? `, ${result.failed} failed` : ''}`);
        }
      }
    }
    return out;
  } finally {
    await runOk('docker', ['rm', '-f', container]).catch(() => {});
  }
}
