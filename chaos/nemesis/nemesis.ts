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
  events(): FaultEvent[];
}

export function createNemesis(initial: ClusterInfo, clock: RunClock): Nemesis {
  let info = initial;
  const events: FaultEvent[] = [];
  const targets = new Map<string, FaultStep>();
  const ctx: NemesisContext = {
    info: () => info,
    refresh: async () => (info = await refreshEndpoints(info)),
  };

  const heal = async (ev: FaultEvent): Promise<void> => {
    const step = targets.get(ev.id);
    if (!step || ev.status !== 'injected') return;
    await FAULTS[step.fault].heal(ctx, step.target);
    if (ev.healedAt === undefined) {
      ev.healedAt = clock.now();
      note(faultHealedLine(ev, ev.healedAt));
    }
  };

  return {
    ...ctx,
    events: () => events.map((e) => ({ ...e })),
    heal,
    inject: async (step) => {
      const id = `f${events.length + 1}`;
      const fault = FAULTS[step.fault];
      const targetsNamed = [...step.target.nodes, ...(step.target.others ?? [])];
      const base = { id, fault: step.fault, targets: targetsNamed, label: step.label };
      const why = await fault.unsupported?.(ctx, step.target);
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
        // Half a fault may be in: undo whatever got there.
        await fault.heal(ctx, step.target).catch(() => {});
      }
      return ev;
    },
    healAll: async () => {
      for (const ev of events.toReversed()) {
        await heal(ev).catch((e: Error) => note(`heal ${ev.id} failed: ${e.message}`));
      }
      // Safety net, idempotent: every container up, no rule of ours anywhere.
      const all = Object.values(info.nodes).map((n) => n.name);
      await FAULTS.kill.heal(ctx, { nodes: all }).catch((e: Error) => note(`restarting containers: ${e.message}`));
      await flush(info, all);
      for (const n of all) await FAULTS.latency.heal(ctx, { nodes: [n] }).catch(() => {});
    },
  };
}
