import { describe, expect, it } from 'vitest';
import { allReady, createReadiness } from './readiness.ts';

describe('load readiness', () => {
  it('is ready when the last client had its first session, at that time', async () => {
    let now = 0;
    const r = createReadiness(['w0', 'w1', 'p-proxysql'], () => now);
    now = 300;
    r.connected('w1');
    now = 900;
    r.connected('w1'); // a second session of the same client counts for nothing
    expect(r.readyAt()).toBeUndefined();
    expect(r.waiting()).toEqual(['w0', 'p-proxysql']);
    r.connected('w0');
    now = 2400;
    r.connected('p-proxysql');
    now = 5000;
    r.connected('w0');
    expect(r.readyAt()).toBe(2400);
    await expect(r.ready).resolves.toBe(2400);
    expect(r.waiting()).toEqual([]);
  });
  it('ignores a client it does not know', () => {
    const r = createReadiness(['w0'], () => 1);
    r.connected('w9');
    expect(r.readyAt()).toBeUndefined();
  });
  it('refuses a load without clients (it would never be ready)', () => {
    expect(() => createReadiness([], () => 0)).toThrow('a load without clients is never ready');
  });
  it('takes the latest of several loads, or says which clients never connected', async () => {
    const a = createReadiness(['w0'], () => 1200);
    const b = createReadiness(['r0', 'r1'], () => 800);
    a.connected('w0');
    b.connected('r0');
    b.connected('r1');
    await expect(allReady([{ name: 'workload', ...a }, { name: 'readers', ...b }], 1000)).resolves.toEqual({ at: 1200 });
    const c = createReadiness(['w0', 'p-proxysql-2'], () => 0);
    c.connected('w0');
    await expect(allReady([{ name: 'workload', ready: c.ready, waiting: () => c.waiting() }], 50)).resolves.toEqual({
      error: 'not every client had a session within 0.05 s (still waiting: workload: p-proxysql-2)',
    });
  });
});
