import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CLAIMS } from '../model/claims.ts';
import { REPO_ROOT } from '../model/paths.ts';
import { DEFAULT_DESTINATION, READER_HOSTGROUP, ROUTING_RULES, WRITER_HOSTGROUP } from '../model/proxy-contract.ts';
import { dataNodes, PRIMARY_HINT, PROXY_PORT } from '../model/topology.ts';
import { ROUTER_FLAVORS } from '../model/router-flavors.ts';
import { KNOWN_DEFAULT_PASSWORDS } from './lint/passwords.ts';
import {
  PROXYSQL_MONITOR_SETTINGS,
  PROXYSQL_DEFAULT_RULE,
  PROXYSQL_TEMPLATE_PATH,
  PROXYSQL_TEMPLATE_VARIABLES,
  PROXYSQL_VERSION,
  hostgroupOf,
  renderProxysqlCnf,
} from './proxysql-config.ts';

const cnf = renderProxysqlCnf();
const entrypoint = join(REPO_ROOT, 'images/proxysql/entrypoint.sh');
const templatePath = join(REPO_ROOT, PROXYSQL_TEMPLATE_PATH);

/** The `{ ... }` entries of a top-level libconfig list such as pgsql_servers. */
function entries(text: string, list: string): string[] {
  const start = text.indexOf(`${list}=\n(`);
  expect(start, `${list} present`).toBeGreaterThanOrEqual(0);
  const body = text.slice(start, text.indexOf('\n)\n', start));
  return body.split(/\n\t\},?/).filter((e) => e.includes('{'));
}

/** Reads `key=value` (a libconfig scalar or string, string unescaped) from a group or entry. */
function field(text: string, key: string): string | undefined {
  const m = new RegExp(`^\\s*${key}=("(?:[^"\\\\]|\\\\.)*"|\\S+)$`, 'm').exec(text);
  if (!m) return undefined;
  const v = m[1]!;
  return v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

describe('proxysql.cnf template', () => {
  it('is committed exactly as the renderer produces it (run `npm run render` after changing topology or contract)', () => {
    expect(readFileSync(templatePath, 'utf8')).toBe(cnf);
  });

  it('seeds the primary hint in the writer hostgroup only and every other data node as a reader', () => {
    const servers = entries(cnf, 'pgsql_servers');
    const at = (hg: number) => servers.filter((s) => field(s, 'hostgroup') === String(hg)).map((s) => field(s, 'address'));
    const address = (name: string) => `${name}\${POSTGRES_HOST_SUFFIX}`;
    expect(at(WRITER_HOSTGROUP)).toEqual([address(PRIMARY_HINT)]);
    // Listed as a reader too, the writer served 7 of 60 plain SELECTs on ProxySQL 3.0.3:
    // monitor_writer_is_also_reader=false acts only when read_only changes.
    expect(at(READER_HOSTGROUP).sort()).toEqual(dataNodes().filter((n) => n.name !== PRIMARY_HINT).map((n) => address(n.name)).sort());
    expect(servers).toHaveLength(dataNodes().length);
    expect(field(cnf, 'monitor_writer_is_also_reader')).toBe('false');
    const rh = entries(cnf, 'pgsql_replication_hostgroups');
    expect(rh).toHaveLength(1);
    expect(field(rh[0]!, 'writer_hostgroup')).toBe('1');
    expect(field(rh[0]!, 'reader_hostgroup')).toBe('2');
    // read_only: the monitor moves nodes between the two groups by pg_is_in_recovery().
    expect(field(rh[0]!, 'check_type')).toBe('read_only');
  });

  it('has one query rule per contract rule, in order, with the contract destination, then a last rule for the default', () => {
    const rules = entries(cnf, 'pgsql_query_rules');
    const expected = [...ROUTING_RULES, PROXYSQL_DEFAULT_RULE];
    expect(rules).toHaveLength(expected.length);
    rules.forEach((r, i) => {
      const c = expected[i]!;
      expect(field(r, 'match_pattern')).toBe(c.pattern);
      expect(field(r, 're_modifiers')).toBe('CASELESS');
      expect(field(r, 'destination_hostgroup')).toBe(String(hostgroupOf(c.destination)));
      expect(field(r, 'apply')).toBe('1');
    });
    const ids = rules.map((r) => Number(field(r, 'rule_id')));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('sends unmatched statements to the writer and keeps transactions on one hostgroup', () => {
    // By a rule as well as by default_hostgroup: over the extended protocol ProxySQL 3.0
    // keeps the previous statement's hostgroup when no rule matches (sysown/proxysql#5387).
    const last = entries(cnf, 'pgsql_query_rules').at(-1)!;
    expect(field(last, 'destination_hostgroup')).toBe(String(hostgroupOf(DEFAULT_DESTINATION)));
    expect(field(last, 'match_pattern')).toBe('^');
    const [user] = entries(cnf, 'pgsql_users');
    expect(field(user!, 'default_hostgroup')).toBe(String(WRITER_HOSTGROUP));
    expect(field(user!, 'transaction_persistent')).toBe('1');
  });

  it('serves clients on IPv4 and IPv6, each bound explicitly, and binds admin to 127.0.0.1 only', () => {
    expect(field(cnf, 'pgsql_ifaces')).toBe('127.0.0.1:6132');
    expect(field(cnf, 'mysql_ifaces')).toBe('127.0.0.1:6032');
    const interfaces = [...cnf.matchAll(/^\s*interfaces="([^"]*)"/gm)].map((m) => m[1]);
    expect(interfaces).toEqual(['127.0.0.1:6033', `0.0.0.0:${PROXY_PORT};[::]:${PROXY_PORT}`]);
    // ProxySQL binds [::] IPv6-only: without 0.0.0.0 every IPv4 client was refused.
    expect(interfaces[1]!.split(';')).toEqual(expect.arrayContaining([`0.0.0.0:${PROXY_PORT}`, `[::]:${PROXY_PORT}`]));
    for (const admin of [field(cnf, 'pgsql_ifaces')!, field(cnf, 'mysql_ifaces')!]) expect(admin).toMatch(/^127\.0\.0\.1:/);
  });

  it('caps clients and the app user at ROUTER_MAX_CLIENTS, whose default equals the flavor table', () => {
    expect(field(cnf, 'max_connections')).toBeDefined();
    expect(entries(cnf, 'pgsql_users').map((u) => field(u, 'max_connections'))).toEqual(['${ROUTER_MAX_CLIENTS}']);
    expect(/^\s*max_connections=(\S+)$/m.exec(cnf.slice(cnf.indexOf('pgsql_variables=')))?.[1]).toBe('${ROUTER_MAX_CLIENTS}');
    const entry = readFileSync(entrypoint, 'utf8');
    expect(entry).toContain(`max_clients=\${ROUTER_MAX_CLIENTS:-${ROUTER_FLAVORS.proxysql.defaultMaxClients}}`);
  });

  it(`checks writers fast: read_only <= 1000 ms, connect and ping far below ${CLAIMS.failoverBudgetSecs} s`, () => {
    expect(Number(field(cnf, 'monitor_read_only_interval'))).toBe(PROXYSQL_MONITOR_SETTINGS.readOnlyIntervalMs);
    expect(PROXYSQL_MONITOR_SETTINGS.readOnlyIntervalMs).toBeLessThanOrEqual(1000);
    expect(Number(field(cnf, 'monitor_connect_interval'))).toBeLessThanOrEqual(5000);
    expect(Number(field(cnf, 'monitor_ping_interval'))).toBeLessThanOrEqual(5000);
    expect(field(cnf, 'monitor_username')).toBe('repmgr');
  });

  it('holds placeholders, not passwords', () => {
    for (const v of PROXYSQL_TEMPLATE_VARIABLES) expect(cnf).toContain(`\${${v}}`);
    expect(field(cnf, 'monitor_password')).toBe('${MONITOR_PASSWORD}');
    expect(field(cnf, 'admin_credentials')).toBe('admin:${PROXYSQL_ADMIN_PASSWORD}');
    // No quoted value is (or ends in) a known default password.
    const values = [...cnf.matchAll(/="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    for (const d of KNOWN_DEFAULT_PASSWORDS) {
      expect(values.filter((v) => v === d || v.endsWith(`:${d}`))).toEqual([]);
    }
    const placeholders = [...cnf.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]);
    expect(new Set(placeholders)).toEqual(new Set(PROXYSQL_TEMPLATE_VARIABLES));
  });

  it('is built FROM the ProxySQL version the renderer and the lint assume', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'images/proxysql/Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`ARG PROXYSQL_IMAGE=proxysql/proxysql:${PROXYSQL_VERSION}\n`);
    expect(dockerfile).not.toMatch(/PASSWORD/);
  });
});

describe('proxysql entrypoint', () => {
  const good = { APP_PASSWORD: 'app-S3cret', MONITOR_PASSWORD: 'mon-S3cret', PROXYSQL_ADMIN_PASSWORD: 'adm-S3cret' };

  function run(env: Record<string, string | undefined>) {
    const dir = mkdtempSync(join(tmpdir(), 'pgha-proxysql-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'proxysql.cnf');
    const clean: Record<string, string> = { PATH: '/usr/bin:/bin', PGHA_RENDER_ONLY: '1', PGHA_TEMPLATE: templatePath, PGHA_CONFIG_OUT: out };
    for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
    const r = spawnSync('bash', [entrypoint], { env: clean, encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr, out };
  }

  it('renders with good passwords and exits 0 in render-only mode', () => {
    const r = run(good);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = readFileSync(r.out, 'utf8');
    expect(text).not.toMatch(/\$\{/);
    expect(field(text, 'address')).toBe('pg-1');
  });

  for (const name of ['APP_PASSWORD', 'MONITOR_PASSWORD', 'PROXYSQL_ADMIN_PASSWORD'] as const) {
    it(`refuses a missing or empty ${name}`, () => {
      for (const value of [undefined, '']) {
        const r = run({ ...good, [name]: value });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(name);
      }
    });
    it(`refuses each published default as ${name}`, () => {
      for (const d of KNOWN_DEFAULT_PASSWORDS) {
        const r = run({ ...good, [name]: d });
        expect(r.status, d).not.toBe(0);
        expect(r.stderr).toContain(name);
        expect(r.stderr).toMatch(/default/);
      }
    });
  }

  it('takes REPMGR_PASSWORD as the monitor password, and refuses it when it is a default', () => {
    expect(run({ ...good, MONITOR_PASSWORD: undefined, REPMGR_PASSWORD: 'rep-S3cret' }).status).toBe(0);
    const r = run({ ...good, MONITOR_PASSWORD: undefined, REPMGR_PASSWORD: 'repmgrpass' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('REPMGR_PASSWORD');
  });

  it('renders passwords with / & | \' " $ so ProxySQL reads them back literally', () => {
    const app = `a/b&c|d'e"f$g\\h\${MONITOR_PASSWORD}`;
    const monitor = `m/&|'$x`;
    const admin = `z/&|'$y`;
    const r = run({ APP_PASSWORD: app, MONITOR_PASSWORD: monitor, PROXYSQL_ADMIN_PASSWORD: admin, POSTGRES_HOST_SUFFIX: '.railway.internal' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = readFileSync(r.out, 'utf8');
    expect(field(text, 'monitor_password')).toBe(monitor);
    expect(field(text, 'admin_credentials')).toBe(`admin:${admin}`);
    // The loader splices pgsql_users.password into a '...' SQL literal: ' arrives doubled in
    // the file and single in ProxySQL's table. A value that looks like a placeholder stays text.
    expect(field(entries(text, 'pgsql_users')[0]!, 'password')!.replaceAll("''", "'")).toBe(app);
    expect(field(text, 'address')).toBe('pg-1.railway.internal');
  });

  it('fills ROUTER_MAX_CLIENTS and refuses one that is not a whole number', () => {
    const r = run({ ...good, ROUTER_MAX_CLIENTS: '2500' });
    expect(r.status).toBe(0);
    expect(readFileSync(r.out, 'utf8').match(/max_connections=2500$/gm)).toHaveLength(2);
    for (const bad of ['0', '-1', '10k', '1;x']) {
      const b = run({ ...good, ROUTER_MAX_CLIENTS: bad });
      expect(b.status, bad).toBe(64);
      expect(b.stderr).toContain('ROUTER_MAX_CLIENTS');
    }
  });

  it("refuses characters ProxySQL's loader cannot carry in admin and monitor passwords", () => {
    expect(run({ ...good, PROXYSQL_ADMIN_PASSWORD: 'a:b' }).stderr).toContain('PROXYSQL_ADMIN_PASSWORD');
    expect(run({ ...good, PROXYSQL_ADMIN_PASSWORD: 'a;b' }).status).not.toBe(0);
    expect(run({ ...good, MONITOR_PASSWORD: 'a"b' }).status).not.toBe(0);
    expect(run({ ...good, POSTGRES_HOST_SUFFIX: '"; x' }).status).not.toBe(0);
  });
});
