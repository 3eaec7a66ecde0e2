// The three clocks of a primary kill, over several kills, the way suites/failover.test.ts
// measures one: a write load through both routers (chaos/trial.ts underLoad), SIGKILL of
// the primary, the new primary awaited; the trial then heals (the old primary rejoins as
// a standby) and waits for the cluster to form again before the next kill.
import { underLoad } from '../chaos/trial.ts';
import { recoveryClocks } from '../chaos/checkers/recovery.ts';
import type { RecoveryClocks } from '../model/summary.ts';
import type { RunHistory } from '../model/history.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import { note, phase } from '../fixtures/progress.ts';
import type { NodeName } from '../model/topology.ts';

export interface KillClocks {
  old: NodeName;
  winner: NodeName;
  clocks: RecoveryClocks;
}

/** The failover's own recovery: what the heal does afterwards (rejoin, failback) is not in it. */
export function clocksUntilHeal(h: RunHistory): RecoveryClocks[] {
  const healed = Math.min(...h.faults.map((f) => f.healedAt ?? h.endedAt));
  return recoveryClocks({ ...h, endedAt: Math.min(h.endedAt, healed) });
}

/** Longer than the workload's 5 s op timeout, so every write of the failover has completed. */
const SETTLE_BEFORE_HEAL_MS = 8000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

export async function measureFailovers(info: ClusterInfo, kills: number): Promise<KillClocks[]> {
  const out: KillClocks[] = [];
  for (let i = 1; i <= kills; i++) {
    await phase(`bench failover: kill ${i}/${kills}`, async () => {
      let old!: NodeName;
      let winner!: NodeName;
      const r = await underLoad(info, async (t) => {
        old = await t.primary();
        await t.nemesis.inject({ fault: 'kill', target: { nodes: [old] }, label: `kill ${old} (the primary)` });
        winner = await t.newPrimary(old, 60_000);
        // The trial heals as soon as writes flow again; a write still in flight on a dead
        // session (5 s op timeout) would then complete as the last failure, after which no
        // good write is left before the heal and the client clock reads "never".
        await sleep(SETTLE_BEFORE_HEAL_MS);
      });
      const [clocks] = clocksUntilHeal(r.history);
      if (!clocks) throw new Error(`kill ${i}: no fault window in the history`);
      out.push({ old, winner, clocks });
      note(`  kill ${old} -> ${winner}: database ${s(clocks.databaseMs)}, ${Object.entries(clocks.routerMs).map(([r, ms]) => `${r} ${s(ms)}`).join(', ')}, client ${s(clocks.clientMs)}`);
    });
  }
  return out;
}
