// Static checks of a cluster's configuration against the claims it makes (failover within
// budget, node-postgres works through the proxy, no open or default credentials, routing as
// the contract says). Pure functions over plain data, one file per rule family: `pgha lint`
// feeds them, tests feed them hand-made settings that must fail.
import { checkFailoverBudget } from './failover.ts';
import { checkHba } from './hba.ts';
import { checkPasswords } from './passwords.ts';
import { checkProxyVersion, checkRouterRefresh } from './proxy.ts';
import { checkRoutingShadows } from './routing.ts';
import { FAILOVER_BUDGET_SECS, type ClusterSettings, type Finding } from './settings.ts';

export function lintCluster(s: ClusterSettings): Finding[] {
  const budget = s.failoverBudgetSecs ?? FAILOVER_BUDGET_SECS;
  return [
    ...checkFailoverBudget(s, budget),
    ...checkProxyVersion(s.proxy),
    ...checkRouterRefresh(s, budget),
    ...checkHba(s.pgHba),
    ...checkPasswords(s.passwords),
    ...checkRoutingShadows(s.routingRules, s.routingExamples ?? []),
  ];
}

export function formatFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no findings';
  const errors = findings.filter((f) => f.severity === 'error').length;
  const lines = findings.map((f) => `${f.severity === 'error' ? 'ERROR  ' : 'warning'} ${f.id}  [breaks: ${f.claim}]\n        ${f.message}`);
  return `${lines.join('\n')}\n${errors} error(s), ${findings.length - errors} warning(s)`;
}
