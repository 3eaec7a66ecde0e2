// What a checker says: pass or fail with the operation ids to look at, or unsupported
// with why (never a silent pass). The Verdict type itself lives in model/summary.ts.
import type { Verdict } from '../../model/summary.ts';

export const MAX_EVIDENCE = 50;

export function verdict(checker: string, claim: string, problems: readonly string[], okSummary: string, failSummary: (n: number) => string): Verdict {
  return problems.length === 0
    ? { checker, claim, status: 'pass', summary: okSummary, evidence: [] }
    : { checker, claim, status: 'fail', summary: failSummary(problems.length), evidence: problems.slice(0, MAX_EVIDENCE) };
}
