// Renders pgpool-II's configuration from the topology and the proxy contract. The output
// is a template: `${VAR}` placeholders are filled by the image's entrypoint at run time
// (envsubst), so the committed file under images/pgpool/ builds without this code.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataNodes, PG_PORT, PROXY_PORT } from '../model/topology.ts';
import { PGPOOL_MONITOR_DEFAULTS } from '../model/claims.ts';
import { DEFAULT_DESTINATION, READ_YOUR_WRITES_IN_TRANSACTION, ROUTING_RULES, type RoutingRule } from '../model/proxy-contract.ts';

/** Placeholders the pgpool entrypoint substitutes (and nothing else). */
export const PGPOOL_TEMPLATE_VARIABLES = ['POSTGRES_HOST_SUFFIX', 'PGPOOL_NUM_INIT_CHILDREN'] as const;

/** How fast pgpool notices a new primary: the numbers live in the claims table. */
export const PGPOOL_MONITOR_SETTINGS = PGPOOL_MONITOR_DEFAULTS;

const quote = (s: string | number): string => `'${String(s).replaceAll("'", "''")}'`;

/**
 * pgpool routes by its own SQL parser: writes, DDL and locking SELECTs go to the primary
 * already. The contract's writer rules for SELECTs are rendered into
 * primary_routing_query_pattern_list as well, so the contract, not pgpool's defaults,
 * is what the routing suite checks. Reader rules need nothing: a SELECT is balanced.
 */
export function primaryRoutingPatterns(rules: readonly RoutingRule[] = ROUTING_RULES): string[] {
  if (DEFAULT_DESTINATION !== 'writer') throw new Error('pgpool can only default to the primary');
  return rules.filter((r) => r.destination === 'writer').map((r) => r.pattern);
}

export function renderPgpoolConf(rules: readonly RoutingRule[] = ROUTING_RULES): string {
  const m = PGPOOL_MONITOR_SETTINGS;
  const backends = dataNodes().flatMap((n, i) => [
    `backend_hostname${i} = '${n.name}\${POSTGRES_HOST_SUFFIX}'`,
    `backend_port${i} = ${PG_PORT}`,
    `backend_weight${i} = 1`,
    `backend_data_directory${i} = '/var/lib/postgresql/data'`,
    `backend_flag${i} = 'ALLOW_TO_FAILOVER'`,
    // auto_failback matches a standby by the application_name repmgr gives it.
    `backend_application_name${i} = ${quote(n.name)}`,
  ]);
  // pgpool splits the list on ';', so a pattern may not contain one.
  for (const p of primaryRoutingPatterns(rules)) {
    if (p.includes(';')) throw new Error(`routing pattern cannot contain ';' for pgpool: ${p}`);
  }
  const lines = [
    '# Rendered by fixtures/render/pgpool-config.ts from the topology and the proxy contract.',
    '# Do not edit: run `npm run render`. Dollar-brace placeholders are filled at container start.',
    "backend_clustering_mode = 'streaming_replication'",
    // '*' binds IPv4 and IPv6: Railway's private network is IPv6.
    "listen_addresses = '*'",
    `port = ${PROXY_PORT}`,
    "unix_socket_directories = '/var/run/pgpool'",
    // The admin (PCP) interface stays on loopback: never reachable from the client network.
    "pcp_listen_addresses = 'localhost'",
    'pcp_port = 9898',
    "pcp_socket_dir = '/var/run/pgpool'",
    "pid_file_name = '/var/run/pgpool/pgpool.pid'",
    "logdir = '/var/log/pgpool'",
    "log_destination = 'stderr'",
    'logging_collector = off',
    "log_min_messages = 'warning'",
    'log_connections = off',
    ...backends,
    // Authentication: scram-sha-256 from clients (pool_hba.conf), passwords from the
    // AES-encrypted pool_passwd the entrypoint writes.
    'enable_pool_hba = on',
    "pool_passwd = 'pool_passwd'",
    "allow_clear_text_frontend_auth = off",
    // Capacity is num_init_children - reserved_connections; with 1 reserved, a client over
    // the limit gets SQLSTATE 53300 at once instead of hanging in a queue.
    'num_init_children = ${PGPOOL_NUM_INIT_CHILDREN}',
    'reserved_connections = 1',
    'max_pool = 1',
    'child_life_time = 0',
    // Off: pgpool 4.6 can reset a cached backend connection while that backend still owes
    // the ReadyForQuery of the last client's failed extended-protocol statement (the client
    // hung up on the ErrorResponse). The reset's own answer ('DISCARD ALL', ReadyForQuery)
    // then stays in the cached connection and is handed to the next client of that child
    // as the answer to its first statement: a write that the primary rejected was reported
    // as done (ci30 and a local capture, both in the full-cluster restart, where every write
    // is refused for seconds). Without the cache a session's backend connections end with it.
    'connection_cache = off',
    // Reads: balanced per statement over the standbys only; commented SELECTs are still
    // SELECTs; reads after a write inside a transaction stay on the primary.
    'load_balance_mode = on',
    'statement_level_load_balance = on',
    "database_redirect_preference_list = '.*:standby'",
    'allow_sql_comments = on',
    `disable_load_balance_on_write = ${quote(READ_YOUR_WRITES_IN_TRANSACTION ? 'transaction' : 'off')}`,
    `primary_routing_query_pattern_list = ${quote(primaryRoutingPatterns(rules).join(';'))}`,
    // repmgr promotes; pgpool only finds the new primary. The failover command logs, it
    // never promotes (its %m/%H would name the wrong node).
    `sr_check_period = ${m.srCheckPeriodSecs}`,
    "sr_check_user = 'repmgr'",
    "sr_check_password = ''",
    "sr_check_database = 'repmgr'",
    `health_check_period = ${m.healthCheckPeriodSecs}`,
    `health_check_timeout = ${m.healthCheckTimeoutSecs}`,
    "health_check_user = 'repmgr'",
    "health_check_password = ''",
    "health_check_database = 'repmgr'",
    `health_check_max_retries = ${m.healthCheckMaxRetries}`,
    `health_check_retry_delay = ${m.healthCheckRetryDelaySecs}`,
    `connect_timeout = ${m.connectTimeoutMs}`,
    "failover_command = '/usr/local/bin/pgpool-failover-log %d %h %P %m %H'",
    "failback_command = ''",
    "follow_primary_command = ''",
    'failover_on_backend_shutdown = off',
    'failover_on_backend_error = off',
    // 0 would search forever and hang every client while no node is primary.
    `search_primary_node_timeout = ${m.searchPrimaryNodeTimeoutSecs}`,
    'auto_failback = on',
    'auto_failback_interval = 1',
    // Off: it declares a new primary false while the other standbys still follow nobody,
    // and stalls the search for it. The images fence an old primary themselves, and the
    // reconciler only attaches a writable node while pgpool has no primary.
    'detach_false_primary = off',
    'use_watchdog = off',
    'memory_cache_enabled = off',
    'ssl = off',
  ];
  return lines.join('\n') + '\n';
}

/** Client authentication in front of pgpool: scram-sha-256 for every network login. */
export function renderPoolHba(): string {
  return [
    '# Rendered by fixtures/render/pgpool-config.ts. Do not edit: run `npm run render`.',
    'local   all   all                 scram-sha-256',
    'host    all   all   0.0.0.0/0     scram-sha-256',
    'host    all   all   ::/0          scram-sha-256',
  ].join('\n') + '\n';
}

export function writeRenderedPgpoolTemplates(repoRoot: string): void {
  writeFileSync(join(repoRoot, 'images/pgpool/pgpool.conf.template'), renderPgpoolConf());
  writeFileSync(join(repoRoot, 'images/pgpool/pool_hba.conf'), renderPoolHba());
}
