// Turns a scheduled step's roles into nodes, given who is primary right now.
import { TOPOLOGY, type NodeName } from '../../model/topology.ts';
import type { FaultStep } from '../nemesis/index.ts';
import { stepExtra, type RoleRef, type ScheduledFault } from './schedule.ts';

export interface RoleState {
  primary?: NodeName;
  standbys: NodeName[];
  routers: NodeName[];
}

export function resolveRef(ref: RoleRef, s: RoleState): NodeName {
  const from = (xs: readonly NodeName[], p: number, what: string) => {
    if (xs.length === 0) throw new Error(`no ${what} to aim at`);
    return xs.toSorted()[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  };
  switch (ref.role) {
    case 'primary':
      if (!s.primary) throw new Error('no single writable primary to aim at');
      return s.primary;
    case 'standby':
      return from(s.standbys, ref.pick, 'standby');
    case 'router':
      return from(s.routers, ref.pick, 'router');
    case 'node':
      return ref.name;
  }
}

export function resolveStep(step: ScheduledFault, s: RoleState): FaultStep {
  const node = resolveRef(step.target, s);
  const others =
    step.others === 'rest' ? TOPOLOGY.map((n) => n.name).filter((n) => n !== node) : step.others?.map((r) => resolveRef(r, s));
  const role = step.target.role === 'primary' ? ' (the primary)' : step.target.role === 'standby' ? ' (a standby)' : '';
  const extra = stepExtra(step);
  const label = `${step.fault}${extra} ${node}${role}${others ? (step.others === 'rest' ? ' from the rest' : ` from ${others.join(', ')}`) : ''}`;
  return {
    fault: step.fault,
    label,
    target: {
      nodes: [node],
      ...(others ? { others } : {}),
      ...(step.probability !== undefined ? { probability: step.probability } : {}),
      ...(step.delayMs !== undefined ? { delayMs: step.delayMs } : {}),
      ...(step.refuse ? { refuse: true } : {}),
    },
  };
}
