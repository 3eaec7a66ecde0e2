import { describe, expect, it } from 'vitest';
import { ROUTING_RULES, type RoutingRule } from '../../model/proxy-contract.ts';
import { MODELLED_CLUSTER_SETTINGS, PGHA_DEFAULT_SETTINGS } from './clusters.ts';
import { repmgrDetection } from './failover.ts';
import { parseHba } from './hba.ts';
import { formatFindings, lintCluster } from './lint.ts';
import { passwordsFromEnv } from './passwords.ts';
import { compareVersions } from './proxy.ts';
import { type ClusterSettings, FAILOVER_BUDGET_SECS } from './settings.ts';

const ids = (s: ClusterSettings) => lintCluster(s).map((f) => f.id);
const ours = (patch: Partial<ClusterSettings>): ClusterSettings => ({ ...PGHA_DEFAULT_SETTINGS, ...patch });

describe('config lint: the modelled cluster', () => {
  const findings = lintCluster(MODELLED_CLUSTER_SETTINGS);
  const byId = (id: string) => findings.filter((f) => f.id === id);

  it(`misses the ${FAILOVER_BUDGET_SECS} s failover budget with repmgr 5 s / 6 attempts / 5 s`, () => {
    const [f] = byId('failover-budget');
    expect(f?.severity).toBe('error');
    expect(f?.claim).toBe(`failover <= ${FAILOVER_BUDGET_SECS} s`);
    expect(f?.message).toMatch(/35 s/);
  });

  it('has no bound on detecting a hung primary (no connect_timeout)', () => {
    expect(byId('repmgr-connect-timeout-unset')[0]?.claim).toBe('failover <= 30 s');
  });

  it('runs a ProxySQL without the extended query protocol (3.0.2)', () => {
    const [f] = byId('proxysql-extended-protocol');
    expect(f?.severity).toBe('error');
    expect(f?.claim).toMatch(/node-postgres/);
  });

  it('refreshes its backends every 60 s (monitor_connect_interval)', () => {
    const [f] = byId('proxy-monitor-connect-slow');
    expect(f?.severity).toBe('error');
    expect(f?.claim).toBe('failover <= 30 s');
    expect(f?.message).toMatch(/60000/);
  });

  it('accepts md5 from anywhere in pg_hba', () => {
    expect(byId('pg-hba-md5').length).toBeGreaterThan(0);
    expect(byId('pg-hba-md5')[0]?.claim).toMatch(/password/);
  });

  it('ships the published default passwords', () => {
    const flagged = byId('password-default').map((f) => f.message.split(' ')[0]);
    expect(flagged.sort()).toEqual(['POSTGRES_PASSWORD', 'PROXYSQL_ADMIN_PASSWORD', 'REPMGR_PASSWORD']);
    expect(byId('password-default')[0]?.claim).toMatch(/default password/);
  });

  it('names a claim and a fix in every finding', () => {
    for (const f of findings) {
      expect(f.claim.length).toBeGreaterThan(0);
      expect(f.message.length).toBeGreaterThan(20);
    }
  });
});

describe('config lint: ours', () => {
  it('passes clean', () => {
    expect(lintCluster(PGHA_DEFAULT_SETTINGS)).toEqual([]);
    expect(formatFindings([])).toBe('no findings');
  });

  it('passes clean with strong passwords from the environment, and flags missing ones', () => {
    const env = { APP_PASSWORD: 'x1-strong', POSTGRES_PASSWORD: 'x2-strong', REPMGR_PASSWORD: 'x3-strong', PROXYSQL_ADMIN_PASSWORD: 'x4-strong' };
    expect(lintCluster(ours({ passwords: passwordsFromEnv(env) }))).toEqual([]);
    const missing = lintCluster(ours({ passwords: passwordsFromEnv({ ...env, APP_PASSWORD: '' }) }));
    expect(missing.map((f) => [f.id, f.message.split(' ')[0]])).toEqual([['password-empty', 'APP_PASSWORD']]);
  });
});

describe('config lint: repmgr detection', () => {
  it('bounds detection by connect_timeout per attempt when the primary hangs', () => {
    expect(repmgrDetection({ monitorIntervalSecs: 1, reconnectAttempts: 2, reconnectIntervalSecs: 1, connectTimeoutSecs: 1 })).toEqual({ refusedSecs: 3, hungSecs: 6 });
    expect(repmgrDetection({ monitorIntervalSecs: 2, reconnectAttempts: 6, reconnectIntervalSecs: 10, connectTimeoutSecs: null }).hungSecs).toBeNull();
  });

  it('flags repmgr defaults (2 s / 6 / 10 s, measured 51 s)', () => {
    expect(ids(ours({ repmgr: { monitorIntervalSecs: 2, reconnectAttempts: 6, reconnectIntervalSecs: 10, connectTimeoutSecs: 2 } }))).toContain('failover-budget');
  });

  it('counts connect_timeout: fine when refused, over budget when hung', () => {
    const repmgr = { monitorIntervalSecs: 2, reconnectAttempts: 3, reconnectIntervalSecs: 3, connectTimeoutSecs: 5 };
    expect(repmgrDetection(repmgr).refusedSecs).toBe(11);
    expect(ids(ours({ repmgr }))).toContain('failover-budget');
  });
});

describe('config lint: proxy', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('3.0.11', '3.0.3')).toBeGreaterThan(0);
    expect(compareVersions('3.0.2', '3.0.3')).toBeLessThan(0);
    expect(compareVersions('v3.0.3', '3.0.3')).toBe(0);
    expect(compareVersions('latest', '3.0.3')).toBeNull();
  });

  it('warns on an unreadable version and errors on a slow read_only interval', () => {
    expect(ids(ours({ proxy: { ...PGHA_DEFAULT_SETTINGS.proxy, version: 'latest' } }))).toEqual(['proxysql-version-unknown']);
    expect(ids(ours({ proxy: { ...PGHA_DEFAULT_SETTINGS.proxy, writerDetectionIntervalMs: 20_000 } }))).toContain('proxy-writer-detection-slow');
  });

  it('does not apply the ProxySQL version rule to pgpool', () => {
    expect(ids(ours({ proxy: { flavor: 'pgpool', version: '4.6.1', writerDetectionIntervalMs: 1000 } }))).toEqual([]);
  });
});

describe('config lint: pg_hba', () => {
  const hba = (lines: string[]) => lintCluster(ours({ pgHba: lines }));

  it('flags trust from 0.0.0.0/0 and ::/0 as errors', () => {
    for (const line of ['host all all 0.0.0.0/0 trust', 'host all all ::/0 trust', 'hostssl all all 10.0.0.0 255.0.0.0 trust']) {
      const [f] = hba([line]);
      expect(f?.id, line).toBe('pg-hba-trust');
      expect(f?.severity).toBe('error');
      expect(f?.claim).toBe('no client reaches the data without a strong password');
    }
  });

  it('flags clear-text password auth on the network', () => {
    expect(hba(['host all app 0.0.0.0/0 password']).map((f) => f.id)).toEqual(['pg-hba-password']);
  });

  it('leaves local peer (and local trust) alone, and only warns on loopback trust', () => {
    expect(hba(['local all all peer', 'local all postgres trust', '# host all all 0.0.0.0/0 trust', ''])).toEqual([]);
    expect(hba(['host all all 127.0.0.1/32 trust']).map((f) => f.severity)).toEqual(['warning']);
  });

  it('parses address plus netmask lines', () => {
    expect(parseHba(['host all all 10.0.0.0 255.0.0.0 scram-sha-256'])[0]?.method).toBe('scram-sha-256');
    expect(parseHba(['host all all ::/0 md5 # note'])[0]).toMatchObject({ address: '::/0', method: 'md5' });
  });
});

describe('config lint: routing rules', () => {
  const [locking, select] = ROUTING_RULES as [RoutingRule, RoutingRule];

  it('flags a generic select placed before select ... for update', () => {
    const findings = lintCluster(ours({ routingRules: [select, locking] }));
    expect(findings.map((f) => f.id)).toEqual(['routing-rule-shadowed']);
    expect(findings[0]).toMatchObject({ severity: 'error', claim: 'statements route as the proxy contract says' });
    expect(findings[0]!.message).toMatch(/'select-locking'.*'select'/);
  });

  it('warns on a duplicate rule that routes the same way (dead, not wrong)', () => {
    const findings = lintCluster(ours({ routingRules: [locking, select, { ...select, id: 'select-again' }] }));
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['routing-rule-shadowed', 'warning']]);
  });

  it('flags a rule covered only by several earlier rules together', () => {
    const rules: RoutingRule[] = [
      { id: 'insert', reason: '', pattern: '^insert', destination: 'writer' },
      { id: 'update', reason: '', pattern: '^update', destination: 'writer' },
      { id: 'dml', reason: '', pattern: '^(insert|update)', destination: 'readers' },
    ];
    const [f] = lintCluster(ours({ routingRules: rules }));
    expect(f?.message).toMatch(/'insert'.*'update'/);
  });

  it('warns when no example exercises a rule, and errors on an invalid pattern', () => {
    const odd = { id: 'odd', reason: '', pattern: '^vacuum', destination: 'writer' as const };
    expect(ids(ours({ routingRules: [...ROUTING_RULES, odd] }))).toEqual(['routing-rule-unchecked']);
    expect(ids(ours({ routingRules: [...ROUTING_RULES, odd], routingExamples: ['VACUUM t'] }))).toEqual([]);
    expect(ids(ours({ routingRules: [{ ...odd, pattern: '(' }] }))).toEqual(['routing-rule-invalid']);
  });

  it('does not flag the contract order or the modelled rules', () => {
    expect(ids(ours({ routingRules: MODELLED_CLUSTER_SETTINGS.routingRules }))).toEqual([]);
  });
});

describe('formatFindings', () => {
  it('prints severity, id, claim and fix, then a count', () => {
    const text = formatFindings(lintCluster(MODELLED_CLUSTER_SETTINGS));
    expect(text).toMatch(/^ERROR {3}failover-budget {2}\[breaks: failover <= 30 s\]/m);
    expect(text).toMatch(/\d+ error\(s\), \d+ warning\(s\)$/);
  });
});
