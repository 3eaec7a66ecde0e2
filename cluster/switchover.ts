// A planned switchover without SSH. `repmgr standby switchover` runs its steps on the other
// nodes over SSH, which neither these containers nor Railway's services have; the same
// steps are run here through `docker exec`, in repmgr's order:
//   pause repmgrd everywhere (no automatic failover while the primary is briefly down),
//   stop the primary cleanly (its shutdown checkpoint streams to the standbys),
//   wait until the target has replayed all of it, promote the target,
//   rejoin the old primary to it (pg_rewind if needed), point the other standbys and the
//   witness at it, unpause repmgrd.
import { execIn } from '../fixtures/docker.ts';
import type { ClusterInfo } from './info.ts';
import { dataNodes, PG_PORT, privateHost, type NodeName } from '../model/topology.ts';
import { eventually } from './wait.ts';
import { waitFormed } from './boot.ts';

const CONF = '/etc/pgha/repmgr.conf';

async function asPostgres(info: ClusterInfo, node: NodeName, cmd: string[]): Promise<string> {
  const id = info.nodes[node]?.container;
  if (!id) throw new Error(`no container for ${node}`);
  const r = await execIn(id, cmd, 'postgres');
  if (r.exitCode !== 0) throw new Error(`switchover: ${cmd.join(' ')} on ${node} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(-1500)}`);
  return r.stdout;
}

const sql = (info: ClusterInfo, node: NodeName, query: string, db = 'repmgr') =>
  asPostgres(info, node, ['psql', '-XAtq', '-d', db, '-c', query]).then((s) => s.trim());

/** The checkpoint a cleanly stopped server ended with: all a standby must replay. */
async function shutdownCheckpointLsn(info: ClusterInfo, node: NodeName): Promise<string> {
  const out = await asPostgres(info, node, ['bash', '-c', 'pg_controldata "$PGDATA"']);
  const state = /Database cluster state:\s+(.+)/.exec(out)?.[1]?.trim();
  if (state !== 'shut down') throw new Error(`switchover: ${node} did not stop cleanly (state: ${state})`);
  const lsn = /Latest checkpoint location:\s+(\S+)/.exec(out)?.[1];
  if (!lsn) throw new Error(`switchover: no checkpoint location in ${node}'s pg_controldata`);
  return lsn;
}

export interface SwitchoverTiming {
  /** From stopping the old primary to the target accepting writes. */
  writeOutageSeconds: number;
  /** From the start until the cluster is formed around the target. */
  totalSeconds: number;
}

export async function switchover(info: ClusterInfo, from: NodeName, to: NodeName): Promise<SwitchoverTiming> {
  if (from === to) throw new Error(`switchover: ${to} is already the primary`);
  if ((await sql(info, from, 'SELECT pg_is_in_recovery()')) !== 'f') throw new Error(`switchover: ${from} is not the primary`);
  if ((await sql(info, to, 'SELECT pg_is_in_recovery()')) !== 't') throw new Error(`switchover: ${to} is not a standby`);
  const started = performance.now();
  await asPostgres(info, to, ['repmgr', '-f', CONF, 'service', 'pause']);
  let unpaused = false;
  try {
    const stoppedAt = performance.now();
    await asPostgres(info, from, ['bash', '-c', 'pg_ctl -D "$PGDATA" -m fast -w -t 60 stop']);
    const target = await shutdownCheckpointLsn(info, from);
    await eventually(
      async () => ((await sql(info, to, `SELECT pg_last_wal_replay_lsn() >= '${target}'::pg_lsn`)) === 't' ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 100, what: `${to} replaying up to ${from}'s shutdown checkpoint ${target}` },
    );
    await asPostgres(info, to, ['repmgr', '-f', CONF, 'standby', 'promote']);
    const writeOutageSeconds = (performance.now() - stoppedAt) / 1000;
    const conninfo = `host=${privateHost(to)} port=${PG_PORT} user=repmgr dbname=repmgr connect_timeout=2`;
    await asPostgres(info, from, ['repmgr', '-f', CONF, 'node', 'rejoin', '-d', conninfo, '--force-rewind']);
    const toId = await sql(info, to, "SELECT node_id FROM repmgr.nodes WHERE node_name = current_setting('cluster_name')");
    const siblings = dataNodes().map((n) => n.name).filter((n) => n !== from && n !== to);
    for (const s of siblings) await asPostgres(info, s, ['repmgr', '-f', CONF, 'standby', 'follow', `--upstream-node-id=${toId}`]);
    await asPostgres(info, 'witness', ['repmgr', '-f', CONF, '-h', privateHost(to), '-p', String(PG_PORT), '-U', 'repmgr', '-d', 'repmgr', 'witness', 'register', '-F']);
    await asPostgres(info, to, ['repmgr', '-f', CONF, 'service', 'unpause']);
    unpaused = true;
    await waitFormed(info, 90_000);
    return { writeOutageSeconds, totalSeconds: (performance.now() - started) / 1000 };
  } finally {
    if (!unpaused) {
      // Never leave automatic failover off: unpause from any node that answers.
      for (const n of [to, ...dataNodes().map((d) => d.name)]) {
        if (await asPostgres(info, n, ['repmgr', '-f', CONF, 'service', 'unpause']).then(() => true, () => false)) break;
      }
    }
  }
}
