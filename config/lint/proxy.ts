// Rule families (b) and (c): the router must speak the extended query protocol that
// node-postgres uses, and notice a new writer well inside the failover budget.
import { PROXYSQL_MONITOR_SETTINGS, PROXYSQL_VERSION } from '../proxysql-config.ts';
import { CLAIM_WORDING, type ClusterSettings, type Finding, type ProxySettings } from './settings.ts';

/**
 * The router's own refresh intervals should each stay under a third of the budget, so
 * repmgr keeps most of it. 60 s (the modelled monitor_connect_interval) is twice the budget.
 */
export const ROUTER_REFRESH_LIMIT_MS = 10_000;

/** First ProxySQL 3.0 release with the PostgreSQL extended query protocol (Parse/Bind/Execute). */
export const MIN_PROXYSQL_VERSION = '3.0.3';

/** Compares dotted numeric versions ('3.0.11' > '3.0.3'); null if either is not one. */
export function compareVersions(a: string, b: string): number | null {
  const parse = (v: string) => {
    const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
    return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return null;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

export function checkProxyVersion(p: ProxySettings): Finding[] {
  if (p.flavor !== 'proxysql') return [];
  const cmp = compareVersions(p.version, MIN_PROXYSQL_VERSION);
  if (cmp === null) {
    return [{ id: 'proxysql-version-unknown', severity: 'warning', claim: CLAIM_WORDING.extendedProtocol, message: `cannot read ProxySQL version '${p.version}': pin a 3.0.x >= ${MIN_PROXYSQL_VERSION}` }];
  }
  if (cmp < 0) {
    return [{
      id: 'proxysql-extended-protocol',
      severity: 'error',
      claim: CLAIM_WORDING.extendedProtocol,
      message: `ProxySQL ${p.version} predates ${MIN_PROXYSQL_VERSION} and lacks the extended query protocol that node-postgres uses for every parameterised query: upgrade to ${PROXYSQL_VERSION} or later`,
    }];
  }
  return [];
}

export function checkRouterRefresh(s: ClusterSettings, budget: number): Finding[] {
  const claim = CLAIM_WORDING.failover(budget);
  const p = s.proxy;
  const knobs: Array<[string, number | undefined, string]> = [
    ['proxy-writer-detection-slow', p.writerDetectionIntervalMs, p.flavor === 'proxysql' ? 'monitor_read_only_interval' : 'sr_check_period'],
    ['proxy-monitor-connect-slow', p.monitorConnectIntervalMs, 'monitor_connect_interval'],
    ['proxy-monitor-ping-slow', p.monitorPingIntervalMs, 'monitor_ping_interval'],
  ];
  return knobs
    .filter(([, ms]) => ms !== undefined && ms > ROUTER_REFRESH_LIMIT_MS)
    .map(([id, ms, knob]) => ({
      id,
      severity: 'error' as const,
      claim,
      message: `${p.flavor} ${knob}=${ms} ms: the router's view of its backends can be ${ms! / 1000} s stale, too long to notice a new writer inside a ${budget} s budget; use <= ${ROUTER_REFRESH_LIMIT_MS} ms (ours: read_only ${PROXYSQL_MONITOR_SETTINGS.readOnlyIntervalMs} ms, connect ${PROXYSQL_MONITOR_SETTINGS.connectIntervalMs} ms)`,
    }));
}
