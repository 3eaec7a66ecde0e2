// Every checker over one history: the verdicts a run is judged by.
import type { RunHistory } from '../../model/history.ts';
import { healthyBaseline } from './phases.ts';
import { recoveryWithinBudget, RECOVERY_BUDGET_MS } from './recovery.ts';
import { singleWritablePrimary } from './single-primary.ts';
import type { Verdict } from '../../model/summary.ts';
import { noDuplicateWrites, noLostWrites, ownReplies, type Replication } from './writes.ts';
import { faultsSpareDataNodes, noPromotions } from './no-promotions.ts';
import { faultsAsScheduled } from './faults.ts';

export { noLostWrites, noDuplicateWrites, ownReplies, type Replication } from './writes.ts';
export { singleWritablePrimary, splitBrains } from './single-primary.ts';
export { recoveryClocks, recoveryWithinBudget, timelineSwitches, RECOVERY_BUDGET_MS } from './recovery.ts';
export { phaseStats, healthyBaseline, statsOf } from './phases.ts';
export { noPromotions, roleChanges, faultsSpareDataNodes, type RoleChange } from './no-promotions.ts';
export { httpPhaseStats, httpStatsOf, httpTotals } from './http-phases.ts';
export { checkTrading, httpBaseline, noLostOrders } from './trading.ts';
export { phaseWindows, type PhaseWindow } from './windows.ts';
export { faultsAsScheduled } from './faults.ts';
export { couldNotCheck } from './verdict.ts';
export type { HttpPhaseStats, PhaseStats, RecoveryClocks, TimelineSwitch, Verdict, VerdictStatus } from '../../model/summary.ts';

export interface CheckOptions {
  /**
   * How many faults the schedule had. 0 (the soak): there is nothing to recover from, so
   * recovery-within-budget is left out rather than reported unsupported. Otherwise a
   * run whose faults did not go in fails there (could not check), and faults-as-scheduled
   * fails on each scheduled fault that left no record.
   */
  scheduledFaults?: number;
  /** The cluster's replication: what a lost acknowledged write may be excused by (default synchronous: nothing). */
  replication?: Replication;
}

export function checkAll(h: RunHistory, budgetMs = RECOVERY_BUDGET_MS, opts: CheckOptions = {}): Verdict[] {
  return [
    faultsAsScheduled(h, opts.scheduledFaults),
    noLostWrites(h, opts.replication),
    noDuplicateWrites(h),
    ownReplies(h),
    singleWritablePrimary(h),
    ...(opts.scheduledFaults === 0 ? [] : [recoveryWithinBudget(h, budgetMs)]),
    healthyBaseline(h),
    // Only where no fault touched a data node (see faultsSpareDataNodes): elsewhere a role
    // change can be the cluster doing its job.
    ...(faultsSpareDataNodes(h.faults) ? [noPromotions(h)] : []),
  ];
}
