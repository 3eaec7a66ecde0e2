import { describe, expect, it } from 'vitest';
import { CLIENT_CLOCK, DIRECT_CLOCK, ROUTER_PENALTY, databaseClock, failoverFigures, routerClockName } from './failover-figures.ts';
import type { KillClocks } from './failover.ts';

const DATABASE_CLOCK = databaseClock('kill');

const kill = (databaseMs: number | null, directMs: number | null, a: number | null, b: number | null, clientMs: number | null): KillClocks => ({
  old: 'pg-1',
  winner: 'pg-2',
  directMs,
  clocks: { faultId: 'f1', label: 'kill pg-1', databaseMs, routerMs: { proxysql: a, 'proxysql-2': b }, clientMs, failedWrites: 3 },
});

describe('the failover figures', () => {
  const kills = [kill(4000, 5000, 7000, 6500, 7500), kill(4200, 6000, 6000, 9000, 9000), kill(3800, 4000, 6000, 6000, 6000)];
  const { figures, errors } = failoverFigures(kills, ['proxysql', 'proxysql-2']);
  const fig = (name: string) => figures.find((f) => f.name === name)!;
  it('has the direct clock as its own figure, paired with the database clock', () => {
    expect(fig(DIRECT_CLOCK).spread).toEqual({ n: 3, min: 4, median: 5, max: 6 });
    expect(fig(DIRECT_CLOCK).ratio).toMatchObject({ baseline: DATABASE_CLOCK, method: 'paired' });
    expect(fig(DIRECT_CLOCK).ratio!.spread.max).toBeCloseTo(6000 / 4200);
  });
  it('reads the router and client clocks as ratios to the direct clock of the same kill', () => {
    expect(fig(routerClockName('proxysql')).ratio).toMatchObject({ baseline: DIRECT_CLOCK, method: 'paired', spread: { n: 3, min: 1, median: 1.4, max: 1.5 } });
    expect(fig(routerClockName('proxysql-2')).ratio!.spread).toEqual({ n: 3, min: 1.3, median: 1.5, max: 1.5 });
    expect(fig(CLIENT_CLOCK).ratio).toMatchObject({ baseline: DIRECT_CLOCK, spread: { min: 1.5, median: 1.5, max: 1.5 } });
  });
  it('says the router penalty in seconds per kill', () => {
    expect(fig(ROUTER_PENALTY).samples).toEqual([2.5, 3, 2]);
    expect(fig(ROUTER_PENALTY).ratio).toBeUndefined();
  });
  it('reports no error when every clock stopped', () => {
    expect(errors).toEqual([]);
  });
  it('leaves a kill without a direct clock out of the ratios and says so', () => {
    const r = failoverFigures([...kills, kill(4000, null, 6000, 6000, 6000)], ['proxysql', 'proxysql-2']);
    expect(r.figures.find((f) => f.name === DIRECT_CLOCK)!.spread.n).toBe(3);
    expect(r.figures.find((f) => f.name === CLIENT_CLOCK)!.spread.n).toBe(3);
    expect(r.figures.find((f) => f.name === DATABASE_CLOCK)!.spread.n).toBe(4);
    expect(r.errors).toEqual(['1 kill(s) where the direct client never wrote again']);
  });
  it('says when a router clock never stopped', () => {
    const r = failoverFigures([kill(4000, 5000, 6000, 6000, null)], ['proxysql', 'proxysql-2']);
    expect(r.errors).toEqual(['1 kill(s) with a clock that never stopped']);
    expect(r.figures.find((f) => f.name === ROUTER_PENALTY)).toBeUndefined();
  });
  it('puts pauses in the hung section, named as pauses', () => {
    const r = failoverFigures([kill(9000, 9500, 10000, 10200, 10400), kill(8000, null, 9000, 9000, 9000)], ['proxysql', 'proxysql-2'], undefined, 'pause');
    expect(r.figures.every((f) => f.section === 'hung')).toBe(true);
    expect(r.figures.find((f) => f.name === databaseClock('pause'))!.note).toMatch(/^2 pauses of the primary under load \(kept paused/);
    expect(r.figures.find((f) => f.name === 'failed or unknown client writes per pause')).toBeDefined();
    expect(r.errors).toEqual(['1 pause(s) where the direct client never wrote again']);
  });
});
