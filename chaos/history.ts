// Everything a chaos run records, as plain data: the checkers are pure functions of it,
// so a hand-written RunHistory can prove each of them fails when it should.
import type { Op, RoleSample, WriteRow } from '../load/workload/index.ts';

/** One fault as it happened: when it went in, when it was healed (monotonic run ms). */
export interface FaultEvent {
  /** Unique in the run, e.g. `f1`. */
  id: string;
  /** The fault's name, e.g. `kill`, `partition`. */
  fault: string;
  /** What it was aimed at, by topology name (a partition: both sides). */
  targets: string[];
  /** Human-readable, e.g. `kill pg-1 (the primary)`. */
  label: string;
  injectedAt: number;
  healedAt?: number;
  /** unsupported: the machine can't do it (never counted as passed); error: inject failed. */
  status: 'injected' | 'unsupported' | 'error';
  reason?: string;
}

export interface RunHistory {
  ops: readonly Op[];
  samples: readonly RoleSample[];
  faults: readonly FaultEvent[];
  /** Rows read back from the primary at the end (undefined when it couldn't be read). */
  rows?: readonly WriteRow[];
  /** Monotonic ms of the end of the run. */
  endedAt: number;
  /** Wall clock (epoch ms) of monotonic 0: relates server timestamps to run time. */
  epochWall: number;
}
