import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTER_FLAVORS } from '../model/router-flavors.ts';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../model/paths.ts';
import { PGPOOL_TEMPLATE_VARIABLES, primaryRoutingPatterns, renderPgpoolConf, renderPoolHba } from './pgpool-config.ts';
import { ROUTING_RULES, toJsRegExp } from '../model/proxy-contract.ts';
import { dataNodes } from '../model/topology.ts';
import { CLAIMS, REPMGR_TIMING_DEFAULTS, promotionLeadSecs } from '../model/claims.ts';

const conf = renderPgpoolConf();

/** key -> value of a pgpool.conf, quotes removed. */
function settings(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const hit = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (hit) m.set(hit[1]!, hit[2]!.replace(/^'(.*)'$/, '$1').replaceAll("''", "'"));
  }
  return m;
}
const s = settings(conf);

describe('pgpool.conf template', () => {
  it('is committed exactly as rendered (run `npm run render` after changing topology or contract)', () => {
    expect(readFileSync(join(REPO_ROOT, 'images/pgpool/pgpool.conf.template'), 'utf8')).toBe(conf);
    expect(readFileSync(join(REPO_ROOT, 'images/pgpool/pool_hba.conf'), 'utf8')).toBe(renderPoolHba());
  });

  it('lists every data node as a backend, named as repmgr names it', () => {
    dataNodes().forEach((n, i) => {
      expect(s.get(`backend_hostname${i}`)).toBe(`${n.name}\${POSTGRES_HOST_SUFFIX}`);
      expect(s.get(`backend_application_name${i}`)).toBe(n.name);
      expect(s.get(`backend_flag${i}`)).toBe('ALLOW_TO_FAILOVER');
    });
    expect(s.has(`backend_hostname${dataNodes().length}`)).toBe(false);
  });

  it('balances plain reads per statement over standbys only and keeps read-your-writes', () => {
    expect(s.get('load_balance_mode')).toBe('on');
    expect(s.get('statement_level_load_balance')).toBe('on');
    expect(s.get('database_redirect_preference_list')).toBe('.*:standby');
    expect(s.get('allow_sql_comments')).toBe('on');
    expect(s.get('disable_load_balance_on_write')).toBe('transaction');
  });

  it("sends the contract's writer SELECT rules to the primary, and only those", () => {
    const patterns = s.get('primary_routing_query_pattern_list')!.split(';');
    expect(patterns).toEqual(ROUTING_RULES.filter((r) => r.destination === 'writer').map((r) => r.pattern));
    expect(primaryRoutingPatterns()).toEqual(patterns);
    const js = patterns.map(toJsRegExp);
    expect(js.some((re) => re.test('  select 1 from t for update'))).toBe(true);
    expect(js.some((re) => re.test('/* c */ SELECT 1 FROM t FOR SHARE'))).toBe(true);
    expect(js.some((re) => re.test('select 1'))).toBe(false);
  });

  it('leaves promotion to repmgr and finds its new primary fast', () => {
    expect(s.get('failover_command')).toMatch(/^\/usr\/local\/bin\/pgpool-failover-log /);
    expect(s.get('follow_primary_command')).toBe('');
    expect(s.get('failover_on_backend_shutdown')).toBe('off');
    expect(Number(s.get('sr_check_period'))).toBeLessThanOrEqual(1);
    expect(Number(s.get('health_check_period'))).toBeLessThanOrEqual(1);
    expect(Number(s.get('search_primary_node_timeout'))).toBeGreaterThan(0);
    expect(s.get('auto_failback')).toBe('on');
    expect(s.get('detach_false_primary')).toBe('off');
  });

  it("gives a killed backend up only after repmgr's promotion would have come, so the reconciler hands pgpool the new primary first", () => {
    // With the health check first, pgpool's failover starts its primary search before the
    // promotion and polls once a second; the reconciler's retire (a detach of the silent old
    // primary once a new one answers) makes pgpool find it at its first look. Quickest
    // give-up: every attempt refused at once (a node killed while its address still
    // answers), so only the retry delays count.
    const n = (k: string) => Number(s.get(k));
    const attempts = n('health_check_max_retries') + 1;
    const quickestGiveUpSecs = (attempts - 1) * n('health_check_retry_delay');
    // When repmgr promotes by its settings: a monitor interval, then the lead after its first
    // failed check (reconnect attempts, promote delay); then one reconciler round to see it.
    const promoteSecs = REPMGR_TIMING_DEFAULTS.REPMGR_MONITOR_INTERVAL_SECS + promotionLeadSecs();
    expect(quickestGiveUpSecs).toBeGreaterThanOrEqual(promoteSecs + 1);
    // Slowest give-up: a period before the first attempt, each waiting its whole timeout (a
    // node that is gone answers nothing); with the search's own timeout after it, still
    // within the failover budget: the backstop for a primary whose reconciler is gone.
    const slowestGiveUpSecs = n('health_check_period') + attempts * n('health_check_timeout') + quickestGiveUpSecs;
    expect(slowestGiveUpSecs + n('search_primary_node_timeout')).toBeLessThan(CLAIMS.failoverBudgetSecs);
    // Never a hair trigger under load: three misses in a row at the least.
    expect(attempts).toBeGreaterThanOrEqual(3);
  });

  it('keeps the admin interface on loopback and every network login on scram-sha-256', () => {
    expect(s.get('pcp_listen_addresses')).toBe('localhost');
    expect(s.get('listen_addresses')).toBe('*');
    expect(s.get('enable_pool_hba')).toBe('on');
    const hba = renderPoolHba().split('\n').filter((l) => /^host/.test(l));
    expect(hba.map((l) => l.split(/\s+/)[3])).toEqual(['0.0.0.0/0', '::/0']);
    expect(hba.every((l) => l.trim().endsWith('scram-sha-256'))).toBe(true);
  });

  it("ends a session's backend connections with it, so a reset's answer can't reach the next client (connection_cache off)", () => {
    // With the cache on, pgpool 4.6.1 handed one client's reset answer ('DISCARD ALL') to the
    // next client of its child as the answer to an INSERT the primary had refused.
    expect(s.get('connection_cache')).toBe('off');
  });

  it('has only the placeholders its entrypoint fills', () => {
    const used = new Set([...conf.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].toSorted()).toEqual([...PGPOOL_TEMPLATE_VARIABLES].toSorted());
    const entrypoint = readFileSync(join(REPO_ROOT, 'images/pgpool/entrypoint.sh'), 'utf8');
    for (const v of PGPOOL_TEMPLATE_VARIABLES) expect(entrypoint).toContain(`\${${v}}`);
  });

  it('sizes num_init_children from ROUTER_MAX_CLIENTS (plus the one reserved), defaulting to the flavor table', () => {
    const entrypoint = readFileSync(join(REPO_ROOT, 'images/pgpool/entrypoint.sh'), 'utf8');
    expect(entrypoint).toContain(`max_clients="\${ROUTER_MAX_CLIENTS:-${ROUTER_FLAVORS.pgpool.defaultMaxClients}}"`);
    expect(entrypoint).toContain('PGPOOL_NUM_INIT_CHILDREN=$(( max_clients + 1 ))');
    expect(s.get('reserved_connections')).toBe('1');
  });

  it("refuses a routing pattern pgpool's list syntax can't carry", () => {
    expect(() => renderPgpoolConf([{ id: 'x', reason: '', pattern: 'select;x', destination: 'writer' }])).toThrow(/cannot contain ';'/);
  });
});
