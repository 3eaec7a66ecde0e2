import { describe, expect, it } from 'vitest';
import type { NodeName } from '../../model/topology.ts';
import { expectedWinner, positionsAtElection, type StandbyReading } from './election.ts';

const reading = (lsns: Partial<Record<NodeName, number>>, promoted?: NodeName): StandbyReading =>
  new Map(Object.entries(lsns).map(([n, l]) => [n as NodeName, { inRecovery: n !== promoted, lsn: BigInt(l!) }]));

/** A sampler that hands out the readings in order, then repeats the last one. */
const replay = (readings: StandbyReading[]) => {
  let i = 0;
  return async () => readings[Math.min(i++, readings.length - 1)]!;
};

const never = new Promise<never>(() => {});

describe('expectedWinner: repmgr\'s rule', () => {
  it('takes the most advanced standby, and breaks a tie on priority', () => {
    expect(expectedWinner(new Map([['pg-1', 10n], ['pg-3', 12n]]))).toBe('pg-3');
    expect(expectedWinner(new Map([['pg-3', 12n], ['pg-1', 12n], ['pg-4', 12n]]))).toBe('pg-1');
  });
});

describe('positionsAtElection: the positions repmgr compares', () => {
  it('counts the WAL that lands after the fault: a standby behind at the first reading draws level and wins on priority (stop 23)', async () => {
    const read = replay([
      reading({ 'pg-1': 100, 'pg-3': 180, 'pg-4': 150 }),
      reading({ 'pg-1': 180, 'pg-3': 180, 'pg-4': 180 }),
      reading({ 'pg-1': 180, 'pg-3': 180, 'pg-4': 180 }, 'pg-1'),
    ]);
    const { lsns, arrivedAfterFault } = await positionsAtElection(read, never, 1);
    expect(expectedWinner(lsns)).toBe('pg-1');
    expect(arrivedAfterFault).toBe(80n);
    // What the one reading right after the fault said:
    expect(expectedWinner(new Map([['pg-1', 100n], ['pg-3', 180n], ['pg-4', 150n]]))).toBe('pg-3');
  });

  it('stops reading when the election settles, keeping the last reading', async () => {
    let calls = 0;
    let elect!: () => void;
    const elected = new Promise<void>((r) => (elect = r));
    const read = async () => {
      calls += 1;
      if (calls === 3) elect();
      return reading({ 'pg-2': 10 * calls, 'pg-3': 5 });
    };
    const { lsns } = await positionsAtElection(read, elected, 1);
    expect(calls).toBe(3);
    expect(lsns.get('pg-2')).toBe(30n);
  });

  it('never uses a reading in which a standby is already promoted', async () => {
    const read = replay([reading({ 'pg-2': 50, 'pg-3': 40 }), reading({ 'pg-2': 50, 'pg-3': 90 }, 'pg-2')]);
    const { lsns } = await positionsAtElection(read, never, 1);
    expect(lsns.get('pg-3')).toBe(40n);
  });

  it('fails, naming why, when the first reading already shows a promoted node', async () => {
    await expect(positionsAtElection(replay([reading({ 'pg-2': 1 }, 'pg-2')]), never, 1)).rejects.toThrow(/winner cannot be computed/);
  });

  it('fails when a reading fails: the rule is not applied to a guess', async () => {
    await expect(positionsAtElection(async () => { throw new Error('connect ECONNREFUSED'); }, never, 1)).rejects.toThrow(/ECONNREFUSED/);
  });
});
