// The two clusters `pgha lint` knows: the one this repo models and ours.
import { PROXYSQL_MONITOR_SETTINGS, PROXYSQL_VERSION } from '../proxysql-config.ts';
import { ROUTING_RULES } from '../../model/proxy-contract.ts';
import type { ClusterSettings } from './settings.ts';

/**
 * The cluster this repo models, from its published entrypoints: repmgr.conf with
 * monitor_interval_secs=5, reconnect_attempts=6, reconnect_interval=5 and a conninfo without
 * connect_timeout; ProxySQL 3.0.2 with monitor_connect_interval=60000, ping 10000,
 * read_only 1500; pg_hba with md5 from 0.0.0.0/0; its default passwords.
 */
export const MODELLED_CLUSTER_SETTINGS: ClusterSettings = {
  name: 'modelled cluster',
  repmgr: { monitorIntervalSecs: 5, reconnectAttempts: 6, reconnectIntervalSecs: 5, connectTimeoutSecs: null },
  proxy: { flavor: 'proxysql', version: '3.0.2', writerDetectionIntervalMs: 1500, monitorConnectIntervalMs: 60_000, monitorPingIntervalMs: 10_000 },
  pgHba: [
    'local   all             all                                     trust',
    'host    all             all             0.0.0.0/0               md5',
    'host    replication     repmgr          0.0.0.0/0               md5',
  ],
  passwords: {
    POSTGRES_PASSWORD: 'postgrespass',
    REPMGR_PASSWORD: 'repmgrpass',
    PROXYSQL_ADMIN_PASSWORD: 'L0ngS3cur3P@ssw0rd',
  },
  routingRules: [
    { id: 'select-for-update', reason: 'Write queries to primary', pattern: '^SELECT.*FOR UPDATE', destination: 'writer' },
    { id: 'writes', reason: 'All writes to primary', pattern: '^(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE)', destination: 'writer' },
    { id: 'select', reason: 'Read queries to standbys', pattern: '^SELECT', destination: 'readers' },
  ],
};

/**
 * pg_hba lines this repo's nodes are meant to use: scram everywhere on the network (IPv4
 * and IPv6, Railway's private network is IPv6), peer on the socket.
 */
export const PGHA_HBA_LINES: readonly string[] = [
  'local   all          all                     peer',
  'host    all          all       0.0.0.0/0     scram-sha-256',
  'host    all          all       ::/0          scram-sha-256',
  'host    replication  repmgr    0.0.0.0/0     scram-sha-256',
  'host    replication  repmgr    ::/0          scram-sha-256',
];

/** Ours. Secrets are not settings: they come from the environment (see passwordsFromEnv). */
export const PGHA_DEFAULT_SETTINGS: ClusterSettings = {
  name: 'pgha defaults',
  repmgr: { monitorIntervalSecs: 1, reconnectAttempts: 2, reconnectIntervalSecs: 1, connectTimeoutSecs: 1 },
  proxy: {
    flavor: 'proxysql',
    version: PROXYSQL_VERSION,
    writerDetectionIntervalMs: PROXYSQL_MONITOR_SETTINGS.readOnlyIntervalMs,
    monitorConnectIntervalMs: PROXYSQL_MONITOR_SETTINGS.connectIntervalMs,
    monitorPingIntervalMs: PROXYSQL_MONITOR_SETTINGS.pingIntervalMs,
  },
  pgHba: PGHA_HBA_LINES,
  passwords: {},
  routingRules: ROUTING_RULES,
};
