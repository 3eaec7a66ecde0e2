// What the lint reads: a cluster's settings as plain data, and what it answers: findings,
// each naming the claim the setting breaks.
import type { ProxyFlavor, RoutingRule } from '../../model/proxy-contract.ts';
import { CLAIMS } from '../../model/claims.ts';

export type Severity = 'error' | 'warning';

export interface Finding {
  /** Stable identifier of the check, e.g. 'failover-budget'. */
  id: string;
  severity: Severity;
  /** The claim the configuration breaks, in the words of the claims, e.g. 'failover <= 30 s'. */
  claim: string;
  /** What to change. */
  message: string;
}

/** repmgrd's failure-detection knobs (repmgr.conf, plus connect_timeout from conninfo). */
export interface RepmgrTiming {
  monitorIntervalSecs: number;
  reconnectAttempts: number;
  reconnectIntervalSecs: number;
  /** conninfo connect_timeout; null when unset (libpq then waits for the OS's TCP timeout). */
  connectTimeoutSecs: number | null;
}

export interface ProxySettings {
  flavor: ProxyFlavor;
  /** The proxy's own version, e.g. '3.0.2'. */
  version: string;
  /** How often the proxy asks who the writer is (ProxySQL: monitor_read_only_interval; pgpool: sr_check_period). */
  writerDetectionIntervalMs: number;
  /** ProxySQL monitor_connect_interval. */
  monitorConnectIntervalMs?: number;
  /** ProxySQL monitor_ping_interval. */
  monitorPingIntervalMs?: number;
}

export interface ClusterSettings {
  name: string;
  repmgr: RepmgrTiming;
  proxy: ProxySettings;
  /** pg_hba.conf lines, as written. */
  pgHba: readonly string[];
  /** Passwords by variable name; undefined or '' means missing. */
  passwords: Readonly<Record<string, string | undefined>>;
  routingRules: readonly RoutingRule[];
  /** Extra statements for the shadowed-rule check, beyond the built-in corpus. */
  routingExamples?: readonly string[];
  /** The client-visible failover budget the claims state; 30 s unless said otherwise. */
  failoverBudgetSecs?: number;
}

export const FAILOVER_BUDGET_SECS = CLAIMS.failoverBudgetSecs;

export const CLAIM_WORDING = {
  failover: (budget: number) => `failover <= ${budget} s`,
  extendedProtocol: 'node-postgres clients work through the proxy (extended query protocol)',
  auth: 'no client reaches the data without a strong password',
  secrets: 'no empty or published default password',
  routing: 'statements route as the proxy contract says',
} as const;
