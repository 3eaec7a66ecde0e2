// Everything a run records, as plain data, in one place: each client operation (Jepsen
// style: invoked, then ok, fail, or unknown when the connection died mid-statement), each
// role sample, each fault, the rows read back at the end. The checkers are pure functions
// of it, so a hand-written RunHistory can prove each of them fails when it should; the
// reports render it. The trading service's HTTP record is beside it (http-history.ts).
import type { NodeName } from './topology.ts';

export type OpKind = 'write' | 'read';
export type Outcome = 'ok' | 'fail' | 'unknown';

export interface Op {
  /** Unique within a run, e.g. `w2:17` (writer 2, its 17th operation). */
  id: string;
  kind: OpKind;
  /** The client that ran it, e.g. `w2` or `r0`. */
  process: string;
  /** The row key a write inserts (or a read looks up): unique per write, so loss and duplication show. */
  key: number;
  /** Monotonic ms since the run epoch (see clock.ts). */
  invokedAt: number;
  completedAt: number;
  /** Wall clock (epoch ms) of invokedAt. */
  invokedWall: number;
  outcome: Outcome;
  /**
   * Set on router probes: writes pinned to one router (no failover), so each router's
   * routing can be timed. The client clock and the user-facing stats leave them out.
   */
  pinnedTo?: NodeName;
  /** The router the operation went through (topology name), when a connection was made. */
  via?: NodeName;
  /** The node that served it, as the server said (`cluster_name`). */
  node?: string;
  /** Writes: the timeline the row was written on, evaluated by the server. */
  timeline?: number;
  /** Reads: whether the looked-up key was visible. */
  found?: boolean;
  /**
   * Writes acknowledged without the row their INSERT ... RETURNING must return: the reply
   * belonged to another statement (a router handing over a stale answer), named by its tag.
   */
  strayReply?: string;
  /** Why it failed or is unknown; SQLSTATE when the server sent one. */
  error?: string;
  sqlstate?: string;
}

export const latencyMs = (op: Op): number => op.completedAt - op.invokedAt;

export function toJsonl(ops: readonly Op[]): string {
  return ops.map((o) => JSON.stringify(o)).join('\n') + (ops.length ? '\n' : '');
}

export function fromJsonl(text: string): Op[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Op);
}

/** writable: not in recovery and not read-only; read-only: a primary refusing writes (fenced). */
export type NodeState = 'writable' | 'read-only' | 'standby' | 'unreachable';

export interface RoleSample {
  node: NodeName;
  /** Monotonic ms since the run epoch when the answer came (or the probe was given up). */
  at: number;
  wall: number;
  state: NodeState;
  error?: string;
}

/** One row of the writes table, as the server stored it. */
export interface WriteRow {
  id: number;
  writer: number;
  timeline: number;
  /** Server wall clock (epoch ms) at insert. */
  committedAt: number;
  node: string;
}

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
  /**
   * unsupported: the machine can't do it (named, never counted as passed); error: it did
   * not go in (inject failed, or its target could not be resolved), which fails the run.
   */
  status: 'injected' | 'unsupported' | 'error';
  reason?: string;
  /** Each heal of it that failed, with when and why: a heal that failed fails the run. */
  healFailures?: string[];
}

export interface RunHistory {
  ops: readonly Op[];
  samples: readonly RoleSample[];
  faults: readonly FaultEvent[];
  /** Rows read back from the primary at the end (undefined when it couldn't be read; rowsError says why). */
  rows?: readonly WriteRow[];
  /** Why the rows were not read back: the checks that need them fail with it. */
  rowsError?: string;
  /** What the final clean-up (every container running, no rule of ours left) could not do. */
  cleanupFailures?: string[];
  /**
   * Monotonic ms when every client of the load had its first session: the healthy baseline
   * and the phases start here. Absent: 0 (a history recorded with the load ready at once).
   */
  loadReadyAt?: number;
  /** Why the load never got ready (a client without a session): the baseline fails with it. */
  loadNotReady?: string;
  /** Monotonic ms of the end of the run. */
  endedAt: number;
  /** Wall clock (epoch ms) of monotonic 0: relates server timestamps to run time. */
  epochWall: number;
}
