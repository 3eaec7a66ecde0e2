import { describe, expect, it } from 'vitest';
import type { DriverEvent } from '../../model/clients.ts';
import { acknowledgedKeys, faultOutcome, mustDo, parseDriverLog, writingAgain } from './client-outage.ts';

const w = (key: number, t0: number, t1: number, ok: boolean, cls?: string, sqlstate?: string): DriverEvent => ({ ev: 'op', op: 'write', key, t0, t1, ok, ...(ok ? { node: 'pg-1' } : { cls, sqlstate }) });

describe('a driver history around a fault', () => {
  it('parses JSON lines and keeps the rest apart', () => {
    const { events, other } = parseDriverLog('{"ev":"hello","driver":"x","version":"1","pool":"p"}\nSLF4J: warning\n\n{"ev":"recreate","t":5,"reason":"r"}\n');
    expect(events.map((e) => e.ev)).toEqual(['hello', 'recreate']);
    expect(other).toEqual(['SLF4J: warning']);
  });

  it('measures to the first good write after the last failed one, not the first good write', () => {
    const h = [w(1, 0, 10, true), w(2, 100, 2000, false, 'OperationalError', '57P01'), w(3, 2100, 2200, true), w(4, 2300, 4000, false, 'OperationalError'), w(5, 4100, 4150, true)];
    const o = faultOutcome(h, 50, 10_000);
    expect(o.outageMs).toBe(4100);
    expect(o.failedWrites).toBe(2);
    expect(o.errors).toEqual({ 'OperationalError 57P01': 1, OperationalError: 1 });
    expect(o.recovery).toBe('by itself');
  });

  it('ends the outage only after a failed read too, and never with a write that was in flight at the fault', () => {
    const r: DriverEvent = { ev: 'op', op: 'read', key: null, t0: 200, t1: 5200, ok: false, cls: 'PoolTimeout' };
    const o = faultOutcome([w(1, 40, 60, true), r, w(2, 5300, 5310, true)], 50, 10_000);
    expect(o.outageMs).toBe(5260);
    expect(o.failedWrites).toBe(0);
    expect(o.errors).toEqual({ PoolTimeout: 1 });
  });

  it('counts a hung write that ends late as outage, with no error', () => {
    const o = faultOutcome([w(1, 0, 10, true), w(2, 100, 9000, true)], 50, 10_000);
    expect(o.outageMs).toBe(8950);
    expect(o.errors).toEqual({});
  });

  it('never ends the outage with a write that started before the fault had gone in (a router that holds writes fails none)', () => {
    // Fault called at 50, in at 300: write 2 ran on the old primary, write 3 was held 4 s.
    const h = [w(1, 0, 10, true), w(2, 100, 120, true), w(3, 220, 4200, true), w(4, 4300, 4310, true)];
    expect(faultOutcome(h, 50, 10_000).outageMs).toBe(70);
    const o = faultOutcome(h, 50, 10_000, 300);
    expect(o.outageMs).toBe(4260);
    expect(o.failedWrites).toBe(0);
  });

  it('says not back when no write succeeded after the last failure', () => {
    const o = faultOutcome([w(1, 0, 10, true), w(2, 100, 200, false, 'Error(ENOTFOUND)')], 50, 10_000);
    expect(o.outageMs).toBeNull();
    expect(o.recovery).toBe('not back');
  });

  it('says the pool was re-created when that happened before the first good write', () => {
    const h: DriverEvent[] = [w(1, 100, 200, false, 'X'), { ev: 'recreate', t: 300, reason: 'r' }, w(2, 400, 500, true)];
    expect(faultOutcome(h, 50, 10_000).recovery).toBe('pool re-created');
    expect(mustDo(faultOutcome(h, 50, 10_000))).toBe('retry the statement on X; re-create the pool after repeated failures');
  });

  it('is writing again only when the last writes all succeeded after the fault', () => {
    const h = [w(1, 0, 10, true), w(2, 20, 30, true), w(3, 40, 50, true)];
    expect(writingAgain(h, 15, 2)).toBe(true);
    expect(writingAgain(h, 15, 3)).toBe(false);
    expect(writingAgain([...h, w(4, 60, 70, false, 'X')], 15, 2)).toBe(false);
    expect(acknowledgedKeys([...h, w(4, 60, 70, false, 'X')])).toEqual([1, 2, 3]);
  });
});
