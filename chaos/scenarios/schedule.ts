// A schedule is data decided before the run from the seed alone: what to do when, aimed
// at roles ("the primary", "standby #1") that are resolved to nodes at the moment of
// injection, since who is primary depends on what happened before.
import type { FaultName } from '../nemesis/index.ts';
import type { NodeName } from '../../model/topology.ts';

/** A target by role, resolved when the step fires. `pick` (0..1) chooses among several. */
export type RoleRef =
  | { role: 'primary' }
  | { role: 'standby'; pick: number }
  | { role: 'router'; pick: number }
  | { role: 'node'; name: NodeName };

export interface ScheduledFault {
  /** ms after the load is ready (every client has its first session). */
  at: number;
  fault: FaultName;
  target: RoleRef;
  /** Link faults: the other side; 'rest' = every other container of the cluster. */
  others?: RoleRef[] | 'rest';
  /** ms until heal. */
  holdMs: number;
  probability?: number;
  delayMs?: number;
  /** partition: the links refuse at once (TCP resets) instead of dropping in silence. */
  refuse?: boolean;
}

export interface Schedule {
  scenario: string;
  seed: number;
  durationMs: number;
  steps: ScheduledFault[];
}

export function describeRef(r: RoleRef): string {
  switch (r.role) {
    case 'primary':
      return 'the primary';
    case 'standby':
      return `a standby (pick ${r.pick.toFixed(3)})`;
    case 'router':
      return `a router (pick ${r.pick.toFixed(3)})`;
    case 'node':
      return r.name;
  }
}

/** What qualifies a fault in its description: its probability, delay, or refusing links. */
export function stepExtra(s: Pick<ScheduledFault, 'probability' | 'delayMs' | 'refuse'>): string {
  if (s.probability !== undefined) return ` p=${s.probability}`;
  if (s.delayMs !== undefined) return ` +${s.delayMs} ms`;
  return s.refuse ? ' (refusing)' : '';
}

export function describeStep(s: ScheduledFault): string {
  const others = s.others === 'rest' ? ' from the rest' : s.others ? ` from ${s.others.map(describeRef).join(', ')}` : '';
  const extra = stepExtra(s);
  return `${(s.at / 1000).toFixed(1).padStart(6)} s  ${s.fault}${extra} ${describeRef(s.target)}${others}, heal after ${(s.holdMs / 1000).toFixed(1)} s`;
}

export function describeSchedule(s: Schedule): string {
  return [`scenario ${s.scenario}, seed ${s.seed}, ${(s.durationMs / 1000).toFixed(0)} s`, ...s.steps.map(describeStep)].join('\n');
}
