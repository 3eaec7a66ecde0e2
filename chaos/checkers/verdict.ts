// What a checker says: pass or fail with the operation ids to look at, or unsupported
// with why (never a silent pass). The Verdict type itself lives in model/summary.ts.
//
// No looking away: a checker whose input is missing (no rows read back, no role samples,
// no operation before the first fault, no orders) could not check its claim, and that
// fails, with the reason. "unsupported" is only for what this machine cannot do (a
// fault it cannot make, such as netem latency): named, never counted as passed.
import type { Verdict } from '../../model/summary.ts';

export const MAX_EVIDENCE = 50;

export function verdict(checker: string, claim: string, problems: readonly string[], okSummary: string, failSummary: (n: number) => string): Verdict {
  return problems.length === 0
    ? { checker, claim, status: 'pass', summary: okSummary, evidence: [] }
    : { checker, claim, status: 'fail', summary: failSummary(problems.length), evidence: problems.slice(0, MAX_EVIDENCE) };
}

/** A claim that could not be checked: a failure, saying why. */
export function couldNotCheck(checker: string, claim: string, why: string): Verdict {
  return { checker, claim, status: 'fail', summary: `could not check: ${why}`, evidence: [] };
}
