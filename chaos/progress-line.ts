// What a run under load says while it runs, as pure functions of plain data: one line per
// window (the history since the last line), one per fault going in and one per heal.
// Pure, so the exact wording is unit-tested on hand-made windows; chaos/progress-ticker.ts
// feeds it from the live run.
import type { FaultEvent, NodeState, Op, RoleSample } from '../model/history.ts';
import { httpOutcome, type HttpRequestRecord } from '../model/http-history.ts';
import { clockText } from '../fixtures/progress.ts';

export interface ProgressWindow {
  /** Run ms now. */
  elapsedMs: number;
  /** The run's planned length, when it has one (a chaos schedule does). */
  totalMs?: number;
  /** Operations completed since the last line. */
  ops: readonly Op[];
  /** Role samples taken since the last line; the newest per node is shown. */
  samples: readonly RoleSample[];
  /** The HTTP load, when it runs: requests answered since the last line, and those still waiting. */
  http?: { answered: readonly Pick<HttpRequestRecord, 'status'>[]; pending: number };
}

const ROLE: Record<NodeState, string> = { writable: 'primary', 'read-only': 'read-only', standby: 'standby', unreachable: 'down' };

/** The 99th percentile (nearest rank) of what succeeded: the latency a user waits for. */
function p99(ops: readonly Op[]): string {
  const xs = ops.filter((o) => o.outcome === 'ok').map((o) => o.completedAt - o.invokedAt).sort((a, b) => a - b);
  if (xs.length === 0) return 'p99 –';
  return `p99 ${Math.round(xs[Math.ceil(xs.length * 0.99) - 1]!)} ms`;
}

/** Each node's newest role in the window, in node order; '?' for a node not sampled in it. */
function roles(samples: readonly RoleSample[]): string {
  const newest = new Map<string, RoleSample>();
  for (const s of samples) if ((newest.get(s.node)?.at ?? -Infinity) <= s.at) newest.set(s.node, s);
  return [...newest.keys()]
    .sort()
    .map((n) => `${n} ${ROLE[newest.get(n)!.state]}`)
    .join(', ');
}

export function progressLine(w: ProgressWindow): string {
  // Router probes (pinned writes) time each router; they are not what a user sends.
  const ops = w.ops.filter((o) => !o.pinnedTo);
  const ok = ops.filter((o) => o.outcome === 'ok').length;
  const unknown = ops.filter((o) => o.outcome === 'unknown').length;
  const failed = ops.length - ok;
  const parts = [
    `progress ${clockText(w.elapsedMs)}${w.totalMs === undefined ? '' : ` / ${clockText(w.totalMs)}`}`,
    `ops ${ok} ok, ${failed} failed${unknown ? ` (${unknown} unknown)` : ''}`,
    p99(ops),
  ];
  if (w.http) {
    const errors = w.http.answered.filter((r) => httpOutcome(r) === 'server-error').length;
    parts.push(`http ${w.http.answered.length} answered, ${errors} 5xx, ${w.http.pending} waiting`);
  }
  const r = roles(w.samples);
  parts.push(r || 'roles: no sample');
  return parts.join(' | ');
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "f2 kill proxysql-2: injected at 0:12" */
export function faultInjectedLine(ev: Pick<FaultEvent, 'id' | 'label' | 'injectedAt'>): string {
  return `${ev.id} ${ev.label}: injected at ${clockText(ev.injectedAt)}`;
}

/** "f2 kill proxysql-2: healed after 10.0 s" */
export function faultHealedLine(ev: Pick<FaultEvent, 'id' | 'label' | 'injectedAt'>, healedAt: number): string {
  return `${ev.id} ${ev.label}: healed after ${seconds(healedAt - ev.injectedAt)}`;
}
