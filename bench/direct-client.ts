// The failover bench's baseline: a client with no router at all. psql (libpq 17) in a
// container on the cluster network, one session over pg-1..pg-4 by their private names
// with target_session_attrs=read-write, the way an application that skips the routers
// would connect. It writes every WRITE_INTERVAL_S in one session (\watch); when a
// statement or the session fails, psql leaves the loop and a new session starts, libpq
// picking the writable host again. A statement unanswered for the workload's op timeout
// is abandoned the way the routers' clients abandon theirs: a hung primary's kernel still
// acknowledges, so neither keepalives nor tcp_user_timeout end that wait, and without the
// bound the session waited until the primary woke (and the clock read 0 s: no failed
// write). Its log (direct-log.ts) becomes history operations on each trial's clock, so the
// same recovery clocks (chaos/checkers/recovery.ts) read it.
import { execIn, runOk } from '../fixtures/docker.ts';
import { execWithEnv } from '../cluster/libpq-client.ts';
import { queryOnce, appCredentials, endpointOf } from '../cluster/clients.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import { writablePrimary } from '../cluster/observe.ts';
import { runLabels } from '../fixtures/labels.ts';
import { CLAIMS } from '../model/claims.ts';
import { OP_TIMEOUT_MS } from '../load/workload/workload.ts';
import { APP_DATABASE, APP_USER, PG_PORT, dataNodes, privateHost } from '../model/topology.ts';

export const DIRECT_TABLE = 'pgha_bench_direct';
/** Seconds between the direct client's writes (10 a second, beside the routers' 40 + probes). */
export const WRITE_INTERVAL_S = 0.1;
const LOG = '/tmp/pgha-direct.log';

/** The libpq conninfo the direct client uses: every data node by its private name, read-write only. */
export function directConninfo(): string {
  const hosts = dataNodes().map((n) => privateHost(n.name)).join(',');
  const ports = dataNodes().map(() => PG_PORT).join(',');
  // connect_timeout: the one the cluster documents for applications. A statement on a
  // session whose server died is bounded by tcp_user_timeout and keepalives (libpq has no
  // statement timeout of its own), as the routers' clients are by their op timeout.
  return [
    `host=${hosts}`,
    `port=${ports}`,
    `user=${APP_USER}`,
    `dbname=${APP_DATABASE}`,
    'target_session_attrs=read-write',
    `connect_timeout=${CLAIMS.clientConnectTimeoutSecs}`,
    'tcp_user_timeout=2000',
    'keepalives_idle=1',
    'keepalives_interval=1',
    'keepalives_count=2',
    'application_name=pgha-bench-direct',
  ].join(' ');
}

/**
 * The loop the container runs: a line per session start and end, a line per committed
 * write, and `timeout <wall ms>` when nothing came from psql for the op timeout (psql is
 * then ended, and with it the session).
 */
export function directScript(opTimeoutMs: number = OP_TIMEOUT_MS): string {
  const sql = `INSERT INTO ${DIRECT_TABLE} DEFAULT VALUES RETURNING 'ok', (extract(epoch FROM at) * 1000)::bigint, node`;
  return [
    'while :; do',
    '  echo "start $(date +%s%3N)"',
    `  printf '%s\\n\\\\watch %s\\n' "${sql}" ${WRITE_INTERVAL_S} | psql -XAtq -F ' ' "$PGHA_CONNINFO" 2>&1 | while :; do`,
    `    if IFS= read -r -t ${opTimeoutMs / 1000} line; then echo "$line"`,
    // read's status above 128 is its timeout; psql is a child of the loop's shell ($$).
    '    elif (( $? > 128 )); then echo "timeout $(date +%s%3N)"; pkill -x -P $$ psql; break',
    '    else break; fi',
    '  done',
    '  echo "end $(date +%s%3N)"',
    `  sleep ${WRITE_INTERVAL_S}`,
    'done',
  ].join('\n');
}

export interface DirectClient {
  /** Everything the client logged so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function startDirectClient(info: ClusterInfo): Promise<DirectClient> {
  const primary = await writablePrimary(info);
  if (!primary) throw new Error('direct client: not exactly one writable data node');
  await queryOnce(
    endpointOf(info, primary),
    appCredentials(info),
    `CREATE TABLE IF NOT EXISTS ${DIRECT_TABLE} (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(), node text NOT NULL DEFAULT current_setting('cluster_name'))`,
  );
  const labels = Object.entries(runLabels(info.runId, 'bench-direct')).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  // Labelled with the cluster's run: the cluster's teardown removes it too.
  const container = (await runOk('docker', ['run', '-d', '--network', info.network, ...labels, '--entrypoint', 'sleep', info.images.postgres.ref, 'infinity'])).trim();
  try {
    // The password, conninfo and script reach the loop through the exec's environment only.
    const started = await execWithEnv(
      container,
      ['bash', '-c', `setsid nohup bash -c "$PGHA_SCRIPT" > ${LOG} 2>&1 < /dev/null & echo started`],
      { PGPASSWORD: info.secrets.app, PGHA_CONNINFO: directConninfo(), PGHA_SCRIPT: directScript() },
      'postgres',
    );
    if (started.exitCode !== 0) throw new Error(`direct client did not start: ${started.stderr || started.stdout}`);
  } catch (e) {
    await runOk('docker', ['rm', '-f', container]).catch(() => {});
    throw e;
  }
  return {
    log: async () => {
      const r = await execIn(container, ['cat', LOG]);
      if (r.exitCode !== 0) throw new Error(`direct client: its log could not be read: ${r.stderr}`);
      return r.stdout;
    },
    stop: async () => {
      await runOk('docker', ['rm', '-f', container]).catch(() => {});
    },
  };
}
