// What a checker says: pass or fail with the operation ids to look at, or unsupported
// with why (never a silent pass).

export type VerdictStatus = 'pass' | 'fail' | 'unsupported';

export interface Verdict {
  /** Stable name, e.g. `no-lost-writes`. */
  checker: string;
  /** The claim, as a person reads it. */
  claim: string;
  status: VerdictStatus;
  /** One line: what was found. */
  summary: string;
  /** Operation (or fault) ids that break the claim, at most a few dozen. */
  evidence: string[];
}

export const MAX_EVIDENCE = 50;

export function verdict(checker: string, claim: string, problems: readonly string[], okSummary: string, failSummary: (n: number) => string): Verdict {
  return problems.length === 0
    ? { checker, claim, status: 'pass', summary: okSummary, evidence: [] }
    : { checker, claim, status: 'fail', summary: failSummary(problems.length), evidence: problems.slice(0, MAX_EVIDENCE) };
}
