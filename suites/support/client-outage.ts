// Reads a driver's event lines around a fault: the outage on the client clock (the first
// good write after the last failed one), the errors by class and SQLSTATE, and whether the
// pool came back by itself. Pure, so hand-made histories test it.
import type { DriverEvent, DriverOp, PoolRecovery } from '../../model/clients.ts';

/** The JSON lines a client printed; anything else (a runtime's warning) is kept apart. */
export function parseDriverLog(text: string): { events: DriverEvent[]; other: string[] } {
  const events: DriverEvent[] = [];
  const other: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as DriverEvent;
      if (e && typeof e === 'object' && typeof e.ev === 'string') events.push(e);
      else other.push(line);
    } catch {
      other.push(line);
    }
  }
  return { events, other };
}

export const opsOf = (events: readonly DriverEvent[]): DriverOp[] => events.filter((e): e is DriverOp => e.ev === 'op');

export const errorKey = (op: Pick<DriverOp, 'cls' | 'sqlstate'>): string => `${op.cls ?? 'unknown'}${op.sqlstate ? ` ${op.sqlstate}` : ''}`;

export interface FaultOutcome {
  /** ms from the fault to the end of the first good write after the last failed one; null: none yet. */
  outageMs: number | null;
  failedWrites: number;
  errors: Record<string, number>;
  recovery: PoolRecovery;
}

/**
 * Reads the statements that ended after `faultAt` and started before `until`: the outage
 * ends with the first good write that started once the fault had gone in (`injectedAt`, when
 * the kill or pause returned) and after the last failed statement (a read too). The clock
 * still starts at `faultAt`. A write started while the fault was going in could finish on the
 * old primary: through ProxySQL, which holds a write until a writer is back instead of
 * failing it, such a write once ended the outage at 0.0 s while the next one waited 4 s.
 */
export function faultOutcome(events: readonly DriverEvent[], faultAt: number, until: number, injectedAt = faultAt): FaultOutcome {
  const writes = opsOf(events).filter((o) => o.op === 'write' && o.t1 > faultAt && o.t0 < until);
  const failed = writes.filter((o) => !o.ok);
  const errors: Record<string, number> = {};
  for (const o of opsOf(events).filter((x) => !x.ok && x.t1 > faultAt && x.t0 < until)) errors[errorKey(o)] = (errors[errorKey(o)] ?? 0) + 1;
  // A failed read holds the application up as much as a failed write: the last failure of either.
  const lastFailure = opsOf(events).filter((o) => !o.ok && o.t1 > faultAt && o.t0 < until).at(-1);
  // Started after the fault went in: a write in flight when it hit may have committed before it did.
  const good = writes.find((o) => o.ok && o.t0 >= injectedAt && (!lastFailure || o.t0 >= lastFailure.t1));
  const outageMs = good ? good.t1 - faultAt : null;
  const recreated = events.some((e) => e.ev === 'recreate' && e.t > faultAt && e.t < (good?.t1 ?? until));
  return { outageMs, failedWrites: failed.length, errors, recovery: !good ? 'not back' : recreated ? 'pool re-created' : 'by itself' };
}

/** True once the last `n` writes all succeeded and all started after `since`. */
export function writingAgain(events: readonly DriverEvent[], since: number, n: number): boolean {
  const writes = opsOf(events).filter((o) => o.op === 'write');
  const last = writes.slice(-n);
  return last.length === n && last.every((o) => o.ok && o.t0 > since);
}

/** Keys of the writes the driver was told had committed. */
export const acknowledgedKeys = (events: readonly DriverEvent[]): number[] =>
  opsOf(events).filter((o) => o.op === 'write' && o.ok && o.key !== null).map((o) => o.key!);

/** What an application must do, read from what it met. */
export function mustDo(o: Pick<FaultOutcome, 'errors' | 'recovery'>): string {
  const kinds = Object.keys(o.errors).sort();
  if (o.recovery === 'never connected') return 'use the working configuration instead';
  if (kinds.length === 0) return 'nothing: no statement failed';
  const retry = `retry the statement on ${kinds.join(', ')}`;
  if (o.recovery === 'pool re-created') return `${retry}; re-create the pool after repeated failures`;
  if (o.recovery === 'not back') return `${retry}; the pool did not come back`;
  return `${retry}; keep the pool (it recovered by itself)`;
}
