// Renders the ProxySQL 3.0 config TEMPLATE from the topology table and the proxy contract.
// Secrets and deployment-dependent names stay `${VAR}` placeholders: the image's
// entrypoint fills them at start, so the committed template (and every image layer)
// holds no password and one image serves the local run and Railway alike.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_DESTINATION,
  READ_YOUR_WRITES_IN_TRANSACTION,
  READER_HOSTGROUP,
  ROUTING_RULES,
  WRITER_HOSTGROUP,
  type Destination,
  type RoutingRule,
} from '../model/proxy-contract.ts';
import { PG_PORT, PRIMARY_HINT, PROXY_PORT, TOPOLOGY, type NodeName, type NodeSpec } from '../model/topology.ts';

/** The official image tag the Dockerfile pins (kept equal by a unit test). */
export const PROXYSQL_VERSION = '3.0.11';

/** Where the rendered template lives, relative to the repository root. */
export const PROXYSQL_TEMPLATE_PATH = 'images/proxysql/proxysql.cnf.template';

/** The only names the entrypoint substitutes; anything else that looks like `${X}` stays as is. */
export const PROXYSQL_TEMPLATE_VARIABLES = [
  'POSTGRES_HOST_SUFFIX',
  'ROUTER_MAX_CLIENTS',
  'APP_USER',
  'APP_PASSWORD',
  'MONITOR_PASSWORD',
  'PROXYSQL_ADMIN_PASSWORD',
] as const;
export type ProxysqlTemplateVariable = (typeof PROXYSQL_TEMPLATE_VARIABLES)[number];

const placeholder = (name: ProxysqlTemplateVariable): string => `\${${name}}`;

/** Interfaces ProxySQL listens on. Admin stays on loopback: it is never on the client network. */
export const PROXYSQL_LISTENERS = {
  /**
   * Both families, each explicitly: ProxySQL binds `[::]` IPV6_V6ONLY, so `[::]` alone
   * refused every IPv4 client (measured with a 3.0.3 build). Railway's private network is
   * IPv6 (legacy environments only IPv6); Docker's default bridge network is IPv4.
   */
  traffic: `0.0.0.0:${PROXY_PORT};[::]:${PROXY_PORT}`,
  /** ProxySQL 3.0 defaults admin to 0.0.0.0:6132 (pgsql) and 0.0.0.0:6032 (mysql): both are pinned to loopback. */
  pgsqlAdmin: '127.0.0.1:6132',
  mysqlAdmin: '127.0.0.1:6032',
  /** No MySQL clients exist here, but the MySQL listener is on by default (0.0.0.0:6033): keep it off the network. */
  mysqlTraffic: '127.0.0.1:6033',
} as const;

/** The monitor user is repmgr's: it can already log in to every node, primary or standby. */
export const PROXYSQL_MONITOR_USER = 'repmgr';
export const PROXYSQL_MONITOR_DBNAME = 'repmgr';

/** ProxySQL's pgsql monitor knobs, in milliseconds unless named otherwise. */
export interface ProxysqlMonitorSettings {
  /** How often pg_is_in_recovery() is asked: the router's clock for noticing a new writer. */
  readOnlyIntervalMs: number;
  readOnlyTimeoutMs: number;
  readOnlyMaxTimeoutCount: number;
  /** Ping failures shun a dead backend, so clients stop being sent to it. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  pingMaxFailures: number;
  connectIntervalMs: number;
  connectTimeoutMs: number;
  /**
   * false: reads go to standbys only, as the contract says. ProxySQL 3.0 applies it only
   * when a node's read_only changes, so the template must not seed the writer as a reader.
   */
  writerIsAlsoReader: boolean;
}

// Detection must sit well inside the 30 s failover budget that repmgr mostly uses up.
// ProxySQL's own defaults are read_only 1000 ms but connect 120000 ms and ping 8000 ms.
export const PROXYSQL_MONITOR_SETTINGS: Readonly<ProxysqlMonitorSettings> = {
  readOnlyIntervalMs: 500,
  readOnlyTimeoutMs: 400,
  readOnlyMaxTimeoutCount: 3,
  pingIntervalMs: 1000,
  pingTimeoutMs: 500,
  pingMaxFailures: 2,
  connectIntervalMs: 2000,
  connectTimeoutMs: 1000,
  writerIsAlsoReader: false,
};

/**
 * Per backend and per proxy. Two proxies x 50 stays well under a PostgreSQL
 * max_connections of a few hundred, leaving room for repmgr and the reserve.
 */
export const PROXYSQL_BACKEND_MAX_CONNECTIONS = 50;

export interface ProxysqlRenderOptions {
  nodes?: readonly NodeSpec[];
  rules?: readonly RoutingRule[];
  monitor?: Readonly<ProxysqlMonitorSettings>;
  primaryHint?: NodeName;
}

/**
 * The contract's default (everything no rule matches goes to the writer) as a last rule that
 * matches every statement. default_hostgroup alone is not enough: ProxySQL 3.0's extended
 * query protocol keeps the previous statement's hostgroup when no rule matches
 * (sysown/proxysql#5387; its fix was reverted in #5401), so a parameterised INSERT after a
 * SELECT ran on a standby (25006 for pgx's and PgJDBC's prepared statements, ProxySQL 3.0.3).
 */
export const PROXYSQL_DEFAULT_RULE: RoutingRule = {
  id: 'default',
  reason: 'everything no rule above matches (writes, DDL, BEGIN, ...): the primary',
  pattern: '^',
  destination: DEFAULT_DESTINATION,
};

export const hostgroupOf = (d: Destination): number => (d === 'writer' ? WRITER_HOSTGROUP : READER_HOSTGROUP);

/** A libconfig string literal: backslash and double quote are its only escapes we need. */
export function cfgString(s: string): string {
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

type CfgValue = string | number | boolean | { raw: string };

function cfgValue(v: CfgValue): string {
  if (typeof v === 'string') return cfgString(v);
  if (typeof v === 'object') return v.raw;
  return String(v);
}

function group(fields: ReadonlyArray<readonly [string, CfgValue]>, indent: string): string {
  return fields.map(([k, v]) => `${indent}${k}=${cfgValue(v)}`).join('\n');
}

function section(name: string, fields: ReadonlyArray<readonly [string, CfgValue]>): string {
  return `${name}=\n{\n${group(fields, '\t')}\n}\n`;
}

function list(name: string, entries: ReadonlyArray<ReadonlyArray<readonly [string, CfgValue]>>): string {
  const body = entries.map((e) => `\t{\n${group(e, '\t\t')}\n\t}`).join(',\n');
  return `${name}=\n(\n${body}\n)\n`;
}

/** A placeholder inside a libconfig string: the entrypoint escapes the value it puts there. */
const inString = (text: string): CfgValue => ({ raw: `"${text}"` });

export function renderProxysqlCnf(opts: ProxysqlRenderOptions = {}): string {
  const nodes = (opts.nodes ?? TOPOLOGY).filter((n) => n.kind === 'postgres');
  const rules = opts.rules ?? ROUTING_RULES;
  const m = opts.monitor ?? PROXYSQL_MONITOR_SETTINGS;
  const hint = opts.primaryHint ?? PRIMARY_HINT;
  if (!nodes.some((n) => n.name === hint)) throw new Error(`primary hint ${hint} is not a data node`);

  const host = (n: NodeSpec) => inString(`${n.name}${placeholder('POSTGRES_HOST_SUFFIX')}`);
  const server = (n: NodeSpec, hostgroup: number, role: string) =>
    [
      ['address', host(n)],
      ['port', PG_PORT],
      ['hostgroup', hostgroup],
      ['max_connections', PROXYSQL_BACKEND_MAX_CONNECTIONS],
      ['comment', `${n.name} ${role}`],
    ] as const;

  const header = [
    '# ProxySQL 3.0 (PostgreSQL) config TEMPLATE. Generated by fixtures/render/proxysql-config.ts',
    '# from fixtures/topology.ts and fixtures/proxy-contract.ts: do not edit, run `npm run render`.',
    '# images/proxysql/entrypoint.sh fills the placeholders from the environment at start',
    '# and runs proxysql with --initial, so this file (not a stale proxysql.db) is the truth.',
    '',
    'datadir="/var/lib/proxysql"',
    '',
  ].join('\n');

  const admin = section('admin_variables', [
    ['admin_credentials', inString(`admin:${placeholder('PROXYSQL_ADMIN_PASSWORD')}`)],
    ['pgsql_ifaces', PROXYSQL_LISTENERS.pgsqlAdmin],
    ['mysql_ifaces', PROXYSQL_LISTENERS.mysqlAdmin],
  ]);

  const mysql = section('mysql_variables', [['interfaces', PROXYSQL_LISTENERS.mysqlTraffic]]);

  const pgsql = section('pgsql_variables', [
    ['interfaces', PROXYSQL_LISTENERS.traffic],
    ['monitor_enabled', true],
    ['monitor_username', PROXYSQL_MONITOR_USER],
    ['monitor_password', inString(placeholder('MONITOR_PASSWORD'))],
    ['monitor_dbname', PROXYSQL_MONITOR_DBNAME],
    ['monitor_read_only_interval', m.readOnlyIntervalMs],
    ['monitor_read_only_timeout', m.readOnlyTimeoutMs],
    ['monitor_read_only_max_timeout_count', m.readOnlyMaxTimeoutCount],
    ['monitor_ping_interval', m.pingIntervalMs],
    ['monitor_ping_timeout', m.pingTimeoutMs],
    ['monitor_ping_max_failures', m.pingMaxFailures],
    ['monitor_connect_interval', m.connectIntervalMs],
    ['monitor_connect_timeout', m.connectTimeoutMs],
    ['monitor_writer_is_also_reader', m.writerIsAlsoReader],
    // Clients over it get SQLSTATE 53300 "Too many connections" (lib/PgSQL_Session.cpp).
    ['max_connections', { raw: placeholder('ROUTER_MAX_CLIENTS') }],
  ]);

  // The hinted primary is seeded as the writer only, the others as readers, so writes route
  // before the first read_only check and no read reaches the primary (listed in both, pg-1
  // served 7 of 60 plain SELECTs). The monitor then moves nodes between the hostgroups by
  // pg_is_in_recovery() (check_type read_only), whoever repmgr promotes.
  const servers = list(
    'pgsql_servers',
    nodes.map((n) => (n.name === hint ? server(n, WRITER_HOSTGROUP, 'writer (primary hint)') : server(n, READER_HOSTGROUP, 'reader'))),
  );

  const replication = list('pgsql_replication_hostgroups', [
    [
      ['writer_hostgroup', WRITER_HOSTGROUP],
      ['reader_hostgroup', READER_HOSTGROUP],
      ['check_type', 'read_only'],
      ['comment', 'repmgr cluster: writer = not in recovery'],
    ],
  ]);

  const users = list('pgsql_users', [
    [
      ['username', inString(placeholder('APP_USER'))],
      ['password', inString(placeholder('APP_PASSWORD'))],
      ['active', 1],
      ['max_connections', { raw: placeholder('ROUTER_MAX_CLIENTS') }],
      // Unmatched statements (writes, DDL, BEGIN) go where the contract's default says.
      ['default_hostgroup', hostgroupOf(DEFAULT_DESTINATION)],
      // A transaction stays on the hostgroup it began on: BEGIN hits the writer, so reads
      // after a write in the same transaction see it.
      ['transaction_persistent', READ_YOUR_WRITES_IN_TRANSACTION ? 1 : 0],
      ['comment', 'application user'],
    ],
  ]);

  const queryRules = list(
    'pgsql_query_rules',
    [...rules, PROXYSQL_DEFAULT_RULE].map((r, i) => [
      ['rule_id', (i + 1) * 10],
      ['active', 1],
      ['match_pattern', r.pattern],
      ['re_modifiers', 'CASELESS'],
      ['destination_hostgroup', hostgroupOf(r.destination)],
      ['apply', 1],
      ['comment', `${r.id}: ${r.reason}`],
    ]),
  );

  return [header, admin, mysql, pgsql, servers, replication, users, queryRules].join('\n');
}

/** Writes the committed template; returns the path written. */
export function writeRenderedProxysqlTemplate(repoRoot: string): string {
  const path = join(repoRoot, PROXYSQL_TEMPLATE_PATH);
  writeFileSync(path, renderProxysqlCnf());
  return path;
}
