// repmgr's election rule, and the standby positions it is applied to. Pure but for the
// sampler it is given, so a hand-made sequence of readings proves which positions count.
import { node, type NodeName } from '../../model/topology.ts';

/** One standby at one instant: still in recovery, and the last WAL position it received. */
export interface StandbySample {
  readonly inRecovery: boolean;
  readonly lsn: bigint;
}

export type StandbyReading = ReadonlyMap<NodeName, StandbySample>;

/** repmgr's rule: the most advanced standby wins, ties broken by priority. */
export function expectedWinner(lsns: ReadonlyMap<NodeName, bigint>): NodeName {
  return [...lsns.entries()].sort(([a, la], [b, lb]) => (la === lb ? (node(b).priority ?? 0) - (node(a).priority ?? 0) : la > lb ? -1 : 1))[0]![0];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The standbys' received WAL positions as repmgr compares them when it elects: the last
 * reading taken while every standby was still in recovery, read every `intervalMs` from the
 * fault until `elected` settles or a reading shows a promoted node. One reading right after
 * the fault is not that: a received position is what the walreceiver has flushed, and WAL
 * still in a socket (the kernel sends a frozen or killed primary's buffers) or in a flush
 * lands later, so a standby behind at that instant can draw level and win on priority
 * (stop 23's CI: pg-3 read ahead, pg-1 elected).
 */
export async function positionsAtElection(
  read: () => Promise<StandbyReading>,
  elected: Promise<unknown>,
  intervalMs = 100,
): Promise<{ lsns: Map<NodeName, bigint>; arrivedAfterFault: bigint }> {
  let done = false;
  const settled = elected.then(
    () => (done = true),
    () => (done = true),
  );
  let first: StandbyReading | undefined;
  let last: StandbyReading | undefined;
  while (!done) {
    const now = await read();
    if ([...now.values()].some((s) => !s.inRecovery)) break;
    first ??= now;
    last = now;
    await Promise.race([sleep(intervalMs), settled]);
  }
  if (!first || !last) throw new Error('no reading of the standbys before one was promoted: the rule\'s winner cannot be computed');
  const lsns = new Map([...last].map(([n, s]) => [n, s.lsn]));
  let arrivedAfterFault = 0n;
  for (const [n, s] of last) {
    const d = s.lsn - (first.get(n)?.lsn ?? s.lsn);
    if (d > arrivedAfterFault) arrivedAfterFault = d;
  }
  return { lsns, arrivedAfterFault };
}
