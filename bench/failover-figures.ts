// The failover and hung sections' figures from their faults (primary kills; primary
// pauses): the database clock, the direct client's clock (no router), each router's clock
// and the routers' clients' clock, the last two as ratios to the direct clock of the same
// fault, and the router penalty (client clock minus direct clock) in seconds. Pure, so
// what the table and bench.json say is unit-tested.
import { pairedRatio } from './stats.ts';
import { makeFigure, type BenchFigure, type BenchRatio } from './report.ts';
import { SECTION_OF, type KillClocks, type PrimaryFault } from './failover.ts';
import type { RecoveryClocks } from '../model/summary.ts';
import type { NodeName } from '../model/topology.ts';

export const databaseClock = (fault: PrimaryFault) => `database clock (${fault} -> new primary writable)`;
export const DIRECT_CLOCK = 'direct clock (libpq read-write over pg-1..pg-4, no router)';
export const CLIENT_CLOCK = 'client clock (first good write after the last failed)';
export const ROUTER_PENALTY = 'router penalty (client clock - direct clock)';
export const routerClockName = (router: NodeName) => `router clock: ${router} routes writes to it`;

type Pick = (k: KillClocks) => number | null | undefined;
const secs = (ms: number) => ms / 1000;

/** Seconds of `pick` over the kills that have it and the baseline, paired with the baseline: the ratio, when any. */
function paired(kills: readonly KillClocks[], pick: Pick, base: Pick, baseName: string): { xs: number[]; ratio?: BenchRatio } {
  const both = kills.filter((k) => pick(k) != null && base(k) != null);
  const xs = both.map((k) => secs(pick(k)!));
  const r = pairedRatio(xs, both.map((k) => secs(base(k)!)));
  return { xs, ...(r ? { ratio: { baseline: baseName, method: 'paired' as const, spread: r } } : {}) };
}

const PLURAL: Record<PrimaryFault, string> = { kill: 'kills', pause: 'pauses' };

export function failoverFigures(
  kills: readonly KillClocks[],
  routerNames: readonly NodeName[],
  databaseRatio?: BenchRatio,
  fault: PrimaryFault = 'kill',
): { figures: BenchFigure[]; errors: string[] } {
  const section = SECTION_OF[fault];
  const DATABASE_CLOCK = databaseClock(fault);
  const figures: BenchFigure[] = [];
  const add = (f: BenchFigure | undefined) => f && figures.push(f);
  const db: Pick = (k) => k.clocks.databaseMs;
  const direct: Pick = (k) => k.directMs;
  const client: Pick = (k) => k.clocks.clientMs;
  const router = (r: NodeName): Pick => (k) => (k.clocks.routerMs as RecoveryClocks['routerMs'])[r];

  const dbs = kills.map(db).filter((x): x is number => x != null).map(secs);
  add(makeFigure(section, DATABASE_CLOCK, 's', dbs, { ...(databaseRatio ? { ratio: databaseRatio } : {}), note: `${kills.length} ${PLURAL[fault]} of the primary under load${fault === 'pause' ? ' (kept paused until the clocks stopped)' : ''}; ${kills.map((k) => `${k.old}->${k.winner}`).join(', ')}` }));
  const d = paired(kills, direct, db, DATABASE_CLOCK);
  add(makeFigure(section, DIRECT_CLOCK, 's', d.xs, { ...(d.ratio ? { ratio: d.ratio } : {}), note: 'psql (libpq 17) on the cluster network, one session, target_session_attrs=read-write, a write every 0.1 s beside the router load' }));
  for (const r of routerNames) {
    const x = paired(kills, router(r), direct, DIRECT_CLOCK);
    add(makeFigure(section, routerClockName(r), 's', x.xs, x.ratio ? { ratio: x.ratio } : {}));
  }
  const c = paired(kills, client, direct, DIRECT_CLOCK);
  add(makeFigure(section, CLIENT_CLOCK, 's', c.xs, c.ratio ? { ratio: c.ratio } : {}));
  const both = kills.filter((k) => client(k) != null && direct(k) != null);
  add(makeFigure(section, ROUTER_PENALTY, 's', both.map((k) => secs(client(k)! - direct(k)!)), { note: `what the routers add to a failover, per ${fault}; the goal is at most 1 s` }));
  add(makeFigure(section, `failed or unknown client writes per ${fault}`, 'count', kills.map((k) => k.clocks.failedWrites)));

  const errors: string[] = [];
  const never = kills.filter((k) => k.clocks.clientMs === null || k.clocks.databaseMs === null).length;
  if (never) errors.push(`${never} ${fault}(s) with a clock that never stopped`);
  const directNever = kills.filter((k) => k.directMs === null).length;
  if (directNever) errors.push(`${directNever} ${fault}(s) where the direct client never wrote again`);
  return { figures, errors };
}
