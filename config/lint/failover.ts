// Rule family (a): repmgr's failure detection plus promotion must fit the failover budget.
import { CLAIM_WORDING, type ClusterSettings, type Finding, type RepmgrTiming } from './settings.ts';

/**
 * Election plus `repmgr standby promote` after detection. Measured here: about 1 s
 * (promote event ~3 s after a kill whose detection took ~2 s); 2 s leaves some margin.
 */
export const PROMOTION_ALLOWANCE_SECS = 2;

export interface DetectionEstimate {
  /** The primary is gone and its port refuses at once (killed process or container). */
  refusedSecs: number;
  /** The primary hangs (paused, partitioned): every attempt waits connect_timeout. null = unbounded. */
  hungSecs: number | null;
}

/**
 * Worst-case time for repmgrd to give up on its primary. The failure can land just after a
 * good check (monitor_interval_secs); then come reconnect_attempts attempts, reconnect_interval
 * apart. When the primary refuses connections each attempt fails at once, so that is all.
 * When it hangs, the failing check and every attempt each wait connect_timeout: that is the
 * case that really bounds detection (a paused primary took 6 s with 1 s / 2 / 1 s and
 * connect_timeout=1, 11 s with connect_timeout=2), and without connect_timeout it is the
 * OS TCP timeout (minutes), i.e. no bound at all.
 */
export function repmgrDetection(r: RepmgrTiming): DetectionEstimate {
  const refusedSecs = r.monitorIntervalSecs + r.reconnectAttempts * r.reconnectIntervalSecs;
  const ct = r.connectTimeoutSecs;
  const hungSecs = ct === null || ct <= 0 ? null : refusedSecs + ct + r.reconnectAttempts * ct;
  return { refusedSecs, hungSecs };
}

export function checkFailoverBudget(s: ClusterSettings, budget: number): Finding[] {
  const claim = CLAIM_WORDING.failover(budget);
  const d = repmgrDetection(s.repmgr);
  const routerSecs = s.proxy.writerDetectionIntervalMs / 1000;
  const findings: Finding[] = [];
  const worst = d.hungSecs ?? d.refusedSecs;
  const total = worst + PROMOTION_ALLOWANCE_SECS + routerSecs;
  if (total > budget) {
    const r = s.repmgr;
    findings.push({
      id: 'failover-budget',
      severity: 'error',
      claim,
      message:
        `repmgr detection ${r.monitorIntervalSecs} + ${r.reconnectAttempts} x ${r.reconnectIntervalSecs} s` +
        (d.hungSecs !== null ? ` (+ connect_timeout ${r.connectTimeoutSecs} s per attempt) = ${worst} s` : ` = ${worst} s`) +
        `, + ~${PROMOTION_ALLOWANCE_SECS} s promotion, + ${routerSecs} s for the ${s.proxy.flavor} to see the new writer` +
        ` = ${total} s > ${budget} s: lower monitor_interval_secs / reconnect_attempts / reconnect_interval` +
        ' (e.g. 1 s / 2 / 1 s with connect_timeout=1)',
    });
  }
  if (d.hungSecs === null) {
    findings.push({
      id: 'repmgr-connect-timeout-unset',
      severity: 'error',
      claim,
      message:
        'repmgr conninfo has no connect_timeout: against a hung or partitioned primary every reconnect attempt ' +
        'waits for the OS TCP timeout, so detection has no bound. Add connect_timeout=1 (or 2) to conninfo',
    });
  }
  return findings;
}
