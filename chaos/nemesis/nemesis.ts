// Injects faults, records each as a FaultEvent on the run clock, and heals: one at a
// time when its hold ends, and all of them on the way out, whatever happened.
import type { ClusterInfo } from '../../cluster/info.ts';
import { refreshEndpoints } from '../../cluster/control.ts';
import type { RunClock } from '../../load/workload/index.ts';
import { note } from '../../fixtures/progress.ts';
import type { FaultEvent } from '../../model/history.ts';
import { kill, pause, restart, stop } from './container.ts';
import type { Fault, FaultName, FaultTarget, NemesisContext } from './fault.ts';
import { flush } from './iptables.ts';
import { latency, packetLoss, partition } from './link.ts';
import { faultHealedLine, faultInjectedLine } from '../progress-line.ts';

export const FAULTS: Record<FaultName, Fault> = {
  kill,
  stop,
  restart,
  pause,
  partition,
  'packet-loss': packetLoss,
  latency,
};

export interface FaultStep {
  fault: FaultName;
  target: FaultTarget;
  label: string;
}

export interface Nemesis extends NemesisContext {
  inject(step: FaultStep): Promise<FaultEvent>;
  heal(event: FaultEvent): Promise<void>;
  /** Heals every fault still in, then makes sure every container runs and no rule of ours is left. */
  healAll(): Promise<void>;
  /**
   * Records a scheduled fault that never reached inject (its target could not be
   * resolved): it did not go in, which fails the run, so it must be in the history.
   */
  notInjected(step: Pick<FaultStep, 'fault' | 'label'>, reason: string): FaultEvent;
  events(): FaultEvent[];
  /** What healAll's safety net could not do (a container it could not bring back). */
  cleanupFailures(): string[];
}

export function createNemesis(initial: ClusterInfo, clock: RunClock): Nemesis {
  let info = initial;
  const events: FaultEvent[] = [];
  const targets = new Map<string, FaultStep>();
  const cleanupFailures: string[] = [];
  const at = () => `at ${(clock.now() / 1000).toFixed(1)} s`;
  const ctx: NemesisContext = {
    info: () => info,
    refresh: async () => (info = await refreshEndpoints(info)),
  };

  const heal = async (ev: FaultEvent): Promise<void> => {
    const step = targets.get(ev.id);
    if (!step || ev.status !== 'injected') return;
    try {
      await FAULTS[step.fault].heal(ctx, step.target);
    } catch (e) {
      // In the history, not only in the log: a heal that failed fails the run.
      ev.healFailures = [...(ev.healFailures ?? []), `${at()}: ${(e as Error).message}`];
      throw e;
    }
    if (ev.healedAt === undefined) {
      ev.healedAt = clock.now();
      note(faultHealedLine(ev, ev.healedAt));
    }
  };

  return {
    ...ctx,
    events: () => events.map((e) => ({ ...e })),
    cleanupFailures: () => [...cleanupFailures],
    heal,
    notInjected: (step, reason) => {
      const ev: FaultEvent = { id: `f${events.length + 1}`, fault: step.fault, targets: [], label: step.label, injectedAt: clock.now(), status: 'error', reason };
      events.push(ev);
      return ev;
    },
    inject: async (step) => {
      const id = `f${events.length + 1}`;
      const fault = FAULTS[step.fault];
      const targetsNamed = [...step.target.nodes, ...(step.target.others ?? [])];
      const base = { id, fault: step.fault, targets: targetsNamed, label: step.label };
      let why: string | undefined;
      try {
        why = await fault.unsupported?.(ctx, step.target);
      } catch (e) {
        // Not knowing whether the machine can make it is not "it cannot": it did not go in.
        const ev: FaultEvent = { ...base, injectedAt: clock.now(), status: 'error', reason: `could not tell whether this machine can make it: ${(e as Error).message}` };
        events.push(ev);
        note(`inject ${id} failed: ${ev.reason}`);
        return ev;
      }
      if (why) {
        const ev: FaultEvent = { ...base, injectedAt: clock.now(), status: 'unsupported', reason: why };
        events.push(ev);
        note(`unsupported ${id}: ${step.label}: ${why}`);
        return ev;
      }
      targets.set(id, step);
      const ev: FaultEvent = { ...base, injectedAt: clock.now(), status: 'injected' };
      events.push(ev);
      try {
        await fault.inject(ctx, step.target);
        note(faultInjectedLine(ev));
      } catch (e) {
        ev.status = 'error';
        ev.reason = (e as Error).message;
        note(`inject ${id} failed: ${ev.reason}`);
        // Half a fault may be in: undo whatever got there, and say so when that fails too.
        await fault.heal(ctx, step.target).catch((h: Error) => {
          ev.healFailures = [`${at()}, undoing the half-made fault: ${h.message}`];
        });
      }
      return ev;
    },
    healAll: async () => {
      for (const ev of events.toReversed()) {
        await heal(ev).catch((e: Error) => note(`heal ${ev.id} failed: ${e.message}`));
      }
      // Safety net, idempotent: every container up, no rule of ours anywhere.
      const all = Object.values(info.nodes).map((n) => n.name);
      await FAULTS.kill.heal(ctx, { nodes: all }).catch((e: Error) => {
        note(`restarting containers: ${e.message}`);
        cleanupFailures.push(`${at()}, bringing every container back: ${e.message}`);
      });
      await flush(info, all);
      for (const n of all) await FAULTS.latency.heal(ctx, { nodes: [n] }).catch(() => {});
    },
  };
}
