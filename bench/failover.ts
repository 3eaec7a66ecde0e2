// The three clocks of a lost primary, over several faults, the way suites/failover.test.ts
// measures one: a write load through both routers (chaos/trial.ts underLoad), the primary
// killed (SIGKILL) or hung (docker pause, kept paused until the clocks have stopped), the
// new primary awaited; the trial then heals (the old primary rejoins as a standby) and
// waits for the cluster to form again before the next fault. Beside the load, in the same
// faults, a direct libpq client with no router (direct-client.ts): its client clock is the
// baseline the router and client clocks are read against.
import { underLoad } from '../chaos/trial.ts';
import { recoveryClocks } from '../chaos/checkers/recovery.ts';
import type { RecoveryClocks } from '../model/summary.ts';
import type { RunHistory } from '../model/history.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import { note, phase } from '../fixtures/progress.ts';
import type { NodeName } from '../model/topology.ts';
import { startDirectClient } from './direct-client.ts';
import { directOps } from './direct-log.ts';

/** How the bench loses the primary: the failover section kills it, the hung section pauses it. */
export type PrimaryFault = 'kill' | 'pause';
/** The bench section a fault's figures go in. */
export const SECTION_OF: Record<PrimaryFault, 'failover' | 'hung'> = { kill: 'failover', pause: 'hung' };

export interface KillClocks {
  old: NodeName;
  winner: NodeName;
  clocks: RecoveryClocks;
  /** The direct client's clock (first good write after its last failed one, from the kill); null: never. */
  directMs: number | null;
}

/** The failover's own recovery: what the heal does afterwards (rejoin, failback) is not in it. */
export function clocksUntilHeal(h: RunHistory): RecoveryClocks[] {
  const healed = Math.min(...h.faults.map((f) => f.healedAt ?? h.endedAt));
  return recoveryClocks({ ...h, endedAt: Math.min(h.endedAt, healed) });
}

/**
 * The direct client's clock for the trial's fault: its log read into operations on the
 * trial's clock and judged by the same recovery clock as the routers' clients (the
 * history's faults and role samples, the direct client's writes in place of the load's).
 */
export function directClock(h: RunHistory, directLog: string): number | null {
  const ops = directOps(directLog, (wall) => wall - h.epochWall);
  const [clocks] = clocksUntilHeal({ ...h, ops });
  if (!clocks) throw new Error('no fault window in the history');
  return clocks.clientMs;
}

/** Longer than the workload's 5 s op timeout, so every write of the failover has completed. */
const SETTLE_BEFORE_HEAL_MS = 8000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

export async function measureFailovers(info: ClusterInfo, faults: number, fault: PrimaryFault): Promise<KillClocks[]> {
  const out: KillClocks[] = [];
  const direct = await startDirectClient(info);
  try {
    for (let i = 1; i <= faults; i++) {
      await phase(`bench ${SECTION_OF[fault]}: ${fault} ${i}/${faults}`, async () => {
        let old!: NodeName;
        let winner!: NodeName;
        const r = await underLoad(info, async (t) => {
          old = await t.primary();
          const ev = await t.nemesis.inject({ fault, target: { nodes: [old] }, label: `${fault} ${old} (the primary)` });
          // A fault that did not go in is no failover to time.
          if (ev.status !== 'injected') throw new Error(`${fault} ${i}: ${ev.label} did not go in: ${ev.reason ?? ev.status}`);
          // A paused primary stays paused through the settle: the clocks must stop while it
          // is still hung, not because it woke (the heal unpauses it).
          winner = await t.newPrimary(old, 60_000);
          // The trial heals as soon as writes flow again; a write still in flight on a dead
          // session (5 s op timeout) would then complete as the last failure, after which no
          // good write is left before the heal and the client clock reads "never".
          await sleep(SETTLE_BEFORE_HEAL_MS);
        });
        const [clocks] = clocksUntilHeal(r.history);
        if (!clocks) throw new Error(`${fault} ${i}: no fault window in the history`);
        const directMs = directClock(r.history, await direct.log());
        out.push({ old, winner, clocks, directMs });
        note(
          `  ${fault} ${old} -> ${winner}: database ${s(clocks.databaseMs)}, direct ${s(directMs)}, ${Object.entries(clocks.routerMs)
            .map(([r, ms]) => `${r} ${s(ms)}`)
            .join(', ')}, client ${s(clocks.clientMs)}`,
        );
      });
    }
  } finally {
    await direct.stop();
  }
  return out;
}
