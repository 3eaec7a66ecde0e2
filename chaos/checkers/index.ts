// Every checker over one history: the verdicts a run is judged by.
import type { RunHistory } from '../history.ts';
import { healthyBaseline } from './phases.ts';
import { recoveryWithinBudget, RECOVERY_BUDGET_MS } from './recovery.ts';
import { singleWritablePrimary } from './single-primary.ts';
import type { Verdict } from './verdict.ts';
import { noDuplicateWrites, noLostWrites } from './writes.ts';

export { noLostWrites, noDuplicateWrites } from './writes.ts';
export { singleWritablePrimary, splitBrains } from './single-primary.ts';
export { recoveryClocks, recoveryWithinBudget, timelineSwitches, RECOVERY_BUDGET_MS, type RecoveryClocks, type TimelineSwitch } from './recovery.ts';
export { phaseStats, healthyBaseline, statsOf, type PhaseStats } from './phases.ts';
export type { Verdict, VerdictStatus } from './verdict.ts';

export function checkAll(h: RunHistory, budgetMs = RECOVERY_BUDGET_MS): Verdict[] {
  return [noLostWrites(h), noDuplicateWrites(h), singleWritablePrimary(h), recoveryWithinBudget(h, budgetMs), healthyBaseline(h)];
}
