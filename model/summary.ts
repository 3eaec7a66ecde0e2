// A chaos run's judgement as plain data: the verdicts, the per-phase numbers and the
// summary that summary.json holds. chaos/ computes it; reports/ only renders it, so
// neither needs the other.
import type { NodeName } from './topology.ts';
import type { RunHistory } from './history.ts';
import type { LoadSettings, RequestKind, TradingHistory } from './http-history.ts';

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

export interface PhaseStats {
  phase: string;
  from: number;
  to: number;
  ops: number;
  ok: number;
  fail: number;
  unknown: number;
  /** (fail + unknown) / ops; 0 when there were no operations. */
  errorRate: number;
  /** Acknowledged operations per second. */
  okPerSecond: number;
  /** Latency percentiles of acknowledged operations, ms (NaN when none). */
  p50: number;
  p95: number;
  p99: number;
}

export interface HttpPhaseStats {
  phase: string;
  from: number;
  to: number;
  /** Requests sent in the phase. */
  sent: number;
  /** What the fixed rate asks for in the part of the phase the load ran. */
  expected: number;
  sentPerSecond: number;
  /** Answers by status code, and `no answer`. */
  byStatus: Record<string, number>;
  ok: number;
  clientErrors: number;
  serverErrors: number;
  noAnswer: number;
  /** (5xx + no answer) / sent; 0 when nothing was sent. */
  errorRate: number;
  /** ms from sent to answered, over every answer (a 503 is waited for too); NaN when none. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  byKind: Partial<Record<RequestKind, { sent: number; errors: number }>>;
}

export interface RecoveryClocks {
  faultId: string;
  label: string;
  /** The writable node just before the fault. */
  primaryBefore?: NodeName;
  /** The writable node after the database recovered (same as before when it never stopped). */
  primaryAfter?: NodeName;
  /** ms from injection to a writable primary; 0 when the primary never stopped being writable; null: never. */
  databaseMs: number | null;
  /** Per router: ms from injection to its first good write to primaryAfter; null: none in the window. */
  routerMs: Partial<Record<NodeName, number | null>>;
  /** ms from injection to the first good write after the last failed one; 0 when no write failed; null: never. */
  clientMs: number | null;
  /** Failed or unknown client writes in the window (router probes not counted). */
  failedWrites: number;
}

export interface TimelineSwitch {
  fromTimeline: number;
  toTimeline: number;
  /** Server wall clock (epoch ms) of the last row on the old timeline and the first on the new. */
  lastOldAt: number;
  firstNewAt: number;
  gapMs: number;
}

/** What the trading service's HTTP clients saw: per phase, and over the whole load. */
export interface TradingSummary {
  load: LoadSettings;
  /** Run ms the load started and stopped. */
  startedAt: number;
  stoppedAt: number;
  totals: HttpPhaseStats;
  phases: HttpPhaseStats[];
  /** Requests in flight when the load stopped: not counted anywhere else. */
  cutAtStop: number;
  ordersReadBackFrom?: string;
}

export interface ChaosSummary {
  runId: string;
  scenario: string;
  seed: number;
  durationMs: number;
  schedule: string;
  startedAt: string;
  finishedAt: string;
  /** pass: every invariant held; fail: at least one broke or could not be checked. Unsupported ones are listed, never passed. */
  outcome: 'pass' | 'fail';
  verdicts: Verdict[];
  proxyFlavor: string;
  proxyFlavorReason: string;
  images: { name: string; ref: string; digest: string }[];
  budgetMs: number;
  recovery: RecoveryClocks[];
  /** Write gaps around timeline switches, by the servers' clocks (CloudNativePG's client clock). */
  timelineSwitches: TimelineSwitch[];
  phases: PhaseStats[];
  faults: RunHistory['faults'];
  unsupported: { what: string; why: string }[];
  counts: { ops: number; writes: number; acknowledged: number; samples: number; rows: number | null };
  readBackFrom?: string;
  trading?: TradingSummary;
}

export interface ChaosReport {
  summary: ChaosSummary;
  history: RunHistory;
  trading?: TradingHistory;
}
