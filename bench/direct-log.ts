// The direct client's record, read back into the history's operations. The client (see
// direct-client.ts) is psql itself, a libpq multi-host session over pg-1..pg-4 with
// target_session_attrs=read-write, no router; it logs one line per event:
//   start <wall ms>                 a psql session begins (libpq picks the read-write host)
//   ok <wall ms> <node>             a write committed; the time is the server's clock_timestamp()
//                                   (every container shares the host's clock)
//   timeout <wall ms>               nothing came for the op timeout: the write in flight is
//                                   abandoned as unknown (it may have committed) and psql ended
//   end <wall ms>                   the session ended: psql only leaves its \watch loop when a
//                                   statement or the connection failed, so this is a failed
//                                   write (unless a timeout already stood for it)
// Anything else (psql's own error text) is kept out of the operations. Pure, so the
// clocks it feeds can be tested on hand-written logs.
import type { Op } from '../model/history.ts';

export const DIRECT_PROCESS = 'direct';

/** Wall ms to the run clock's monotonic ms (RunClock.wallOf inverted). */
export type FromWall = (wallMs: number) => number;

/**
 * The direct client's writes as history operations, on the run clock. A failed write was
 * sent after the session's last good one (or its start) and failed when the session ended,
 * or was abandoned when the op timeout passed.
 */
export function directOps(log: string, fromWall: FromWall): Op[] {
  const ops: Op[] = [];
  let seq = 0;
  let sentFrom: number | undefined;
  let abandoned = false;
  const op = (invokedWall: number, completedWall: number, outcome: Op['outcome'], extra: Partial<Op>): Op => ({
    id: `${DIRECT_PROCESS}:${seq}`,
    kind: 'write',
    process: DIRECT_PROCESS,
    key: seq++,
    invokedAt: fromWall(invokedWall),
    completedAt: fromWall(completedWall),
    invokedWall,
    outcome,
    ...extra,
  });
  for (const line of log.split('\n')) {
    const [word, wall, node] = line.trim().split(/\s+/);
    const at = Number(wall);
    if (!word || !/^\d+$/.test(wall ?? '') || !Number.isSafeInteger(at)) continue;
    if (word === 'start') sentFrom = at;
    else if (word === 'ok' && node) {
      ops.push(op(at, at, 'ok', { node }));
      sentFrom = at;
    } else if (word === 'timeout') {
      ops.push(op(sentFrom ?? at, at, 'unknown', { error: 'no answer within the op timeout: abandoned, the session ended' }));
      sentFrom = undefined;
      abandoned = true;
    } else if (word === 'end') {
      if (!abandoned) ops.push(op(sentFrom ?? at, at, 'fail', { error: 'the libpq session ended (statement or connection failed)' }));
      sentFrom = undefined;
      abandoned = false;
    }
  }
  return ops;
}
