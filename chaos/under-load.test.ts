// The core's order of steps, with every cluster-facing part faked: what the trials and the
// chaos runs were debugged against (refresh before the nemesis, load stopped writes first,
// HTTP next, heal after the stop, read back last) must not drift.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClusterInfo } from '../cluster/info.ts';

const log = vi.hoisted(() => [] as string[]);
const failReadBack = vi.hoisted(() => ({ on: false, orders: false, cleanup: [] as string[] }));
/** What the wait for the load's first sessions comes to. */
const loadReady = vi.hoisted(() => ({ result: { at: 42 } as { at: number } | { error: string }, names: [] as string[] }));

vi.mock('../cluster/control.ts', () => ({
  refreshEndpoints: async (info: object) => (log.push('refresh'), { ...info, refreshed: true }),
}));
vi.mock('../fixtures/progress.ts', () => ({ note: (m: string) => log.push(`note ${m}`) }));
vi.mock('./progress-ticker.ts', () => ({
  startRunProgress: (src: { totalMs?: number }) => (log.push(`progress ${src.totalMs ?? 'open-ended'}`), () => void log.push('progress.stop')),
}));
vi.mock('./nemesis/index.ts', () => ({
  createNemesis: (info: object) => {
    log.push(`nemesis ${'refreshed' in info ? 'refreshed' : 'as handed in'}`);
    return {
      info: () => info,
      refresh: async () => (log.push('nemesis.refresh'), info),
      healAll: async () => void log.push('healAll'),
      cleanupFailures: () => failReadBack.cleanup,
      events: () => [{ id: 'f1', fault: 'kill', targets: ['pg-1'], label: 'kill pg-1', injectedAt: 5, healedAt: 9, status: 'injected' }],
    };
  },
}));
vi.mock('../load/workload/index.ts', () => ({
  startClock: () => {
    log.push('clock');
    let t = 0;
    return { epochWall: 1000, now: () => (t += 10), wallOf: (at: number) => 1000 + at };
  },
  startRoleSampler: () => (log.push('sampler'), { stop: async () => (log.push('sampler.stop'), [{ node: 'pg-1', at: 1, wall: 1001, state: 'writable' }]) }),
  startWorkload: async (_s: unknown, o: object) => (
    log.push(`workload ${JSON.stringify(o, (k, v) => (k === 'clock' ? undefined : v))}`),
    { keys: { from: 1, to: 2 }, history: () => [], ready: Promise.resolve(30), waiting: () => [], stop: async () => (log.push('workload.stop'), [{ id: 'w0:0' }]) }
  ),
  allReady: async (loads: { name: string; ready: Promise<number> }[]) => {
    loadReady.names = loads.map((l) => l.name);
    log.push('load ready');
    return loadReady.result;
  },
  readBack: async () => {
    log.push('readBack');
    if (failReadBack.on) throw new Error('read back: no data node is writable (no primary)');
    return { from: 'pg-2', writable: ['pg-2'], rows: [{ id: 1, writer: 0, timeline: 2, committedAt: 1, node: 'pg-2' }] };
  },
}));
vi.mock('../load/trading/index.ts', () => ({
  startTradingRun: async () => (
    log.push('trading'),
    {
      runTag: 't1',
      url: 'http://x',
      settings: { targetRate: 40 },
      readyAt: 35,
      stop: async () => (log.push('trading.stop'), { load: {}, startedAt: 0, stoppedAt: 1, requests: [], cutAtStop: 0 }),
    }
  ),
  readOrders: async () => {
    log.push('readOrders');
    if (failReadBack.orders) throw new Error('connect ECONNREFUSED 127.0.0.1:32771');
    return { from: 'pg-2', orders: [], positions: [] };
  },
}));

const { runUnderLoad } = await import('./under-load.ts');
const cluster = { runId: 'r1', nodes: {} } as unknown as ClusterInfo;

beforeEach(() => {
  log.length = 0;
  Object.assign(failReadBack, { on: false, orders: false, cleanup: [] });
  Object.assign(loadReady, { result: { at: 42 }, names: [] });
});

describe('runUnderLoad', () => {
  it('runs a trial: refresh, ready before the clock, load, progress lines, body, stop, heal, read back', async () => {
    const r = await runUnderLoad(cluster, {
      refresh: true,
      ready: async () => void log.push('ready'),
      workload: { writers: 4, writeRate: 40, opTimeoutMs: 5000 },
      body: async ({ readyAt }) => void log.push(`body from ${readyAt}`),
    });
    expect(log).toEqual([
      'refresh',
      'ready',
      'clock',
      'nemesis refreshed',
      'sampler',
      'workload {"writers":4,"writeRate":40,"opTimeoutMs":5000}',
      'load ready',
      'progress open-ended',
      'body from 42',
      'progress.stop',
      'workload.stop',
      'sampler.stop',
      'healAll',
      'readBack',
    ]);
    expect(loadReady.names).toEqual(['workload']);
    expect(Object.keys(r.history)).toEqual(['ops', 'samples', 'faults', 'rows', 'loadReadyAt', 'endedAt', 'epochWall']);
    expect(r.history.loadReadyAt).toBe(42);
    expect(r.history.epochWall).toBe(1000);
    expect(r.readBack?.from).toBe('pg-2');
    expect(r.trading).toBeUndefined();
    expect(r).not.toHaveProperty('reform');
  });

  it('runs a chaos run: no refresh of its own cluster, trading after the writes, stopped between writes and sampler, reform on refreshed endpoints, orders from the read-back node', async () => {
    const r = await runUnderLoad(cluster, {
      refresh: false,
      started: async () => void log.push('started'),
      workload: { writers: 4, readers: 2, writeRate: 40, readRate: 20 },
      trading: {},
      plannedMs: 60_000,
      body: async () => void log.push('body'),
      reform: async () => (log.push('reform'), 'formed'),
    });
    expect(log).toEqual([
      'clock',
      'nemesis as handed in',
      'started',
      'sampler',
      'workload {"writers":4,"readers":2,"writeRate":40,"readRate":20}',
      'trading',
      'note trading service at http://x, autocannon at 40 req/s',
      'load ready',
      'progress 60000',
      'body',
      'progress.stop',
      'workload.stop',
      'trading.stop',
      'sampler.stop',
      'healAll',
      'nemesis.refresh',
      'reform',
      'readBack',
      'readOrders',
      'trading.stop',
    ]);
    expect(loadReady.names).toEqual(['workload', 'trading service']);
    expect(r.reform).toBe('formed');
    expect(r.trading?.orders?.from).toBe('pg-2');
    expect(r.trading).not.toHaveProperty('ordersError');
    expect(r.history).not.toHaveProperty('rowsError');
    expect(r.history).not.toHaveProperty('cleanupFailures');
  });

  it('starts the body anyway when the load never got ready, and the history says why (the baseline fails with it)', async () => {
    loadReady.result = { error: 'not every client had a session within 30 s (still waiting: workload: w3)' };
    let from = -1;
    const r = await runUnderLoad(cluster, { refresh: true, workload: {}, body: async ({ readyAt }) => void (from = readyAt) });
    expect(log).toContain('note load not ready: not every client had a session within 30 s (still waiting: workload: w3)');
    // The schedule counts from the give-up, on the run clock (the fake one ticks 10 per read).
    expect(from).toBeGreaterThan(0);
    expect(r.history).not.toHaveProperty('loadReadyAt');
    expect(r.history.loadNotReady).toBe('not every client had a session within 30 s (still waiting: workload: w3)');
  });

  it('still stops the load and heals when the body throws, and passes the error on', async () => {
    await expect(
      runUnderLoad(cluster, { refresh: true, workload: {}, body: async () => Promise.reject(new Error('no primary other than pg-1')) }),
    ).rejects.toThrow('no primary other than pg-1');
    expect(log.slice(-4)).toEqual(['progress.stop', 'workload.stop', 'sampler.stop', 'healAll']);
  });

  it('hands back a failed read back instead of throwing, without rows, its reason in the history', async () => {
    failReadBack.on = true;
    const r = await runUnderLoad(cluster, { refresh: true, workload: {}, trading: {}, body: async () => {} });
    expect(r.readBackError?.message).toBe('read back: no data node is writable (no primary)');
    expect(r.history).not.toHaveProperty('rows');
    expect(r.history.rowsError).toBe('read back: no data node is writable (no primary)');
    // No primary to read the orders from: not attempted, and the record says why.
    expect(log).not.toContain('readOrders');
    expect(r.trading?.ordersError).toBe('not read, the read-back of rows failed first (read back: no data node is writable (no primary))');
  });

  it('records a failed orders read back and a failed clean-up in the record, beside the rows', async () => {
    failReadBack.orders = true;
    failReadBack.cleanup = ['at 61.0 s, bringing every container back: no such container'];
    const r = await runUnderLoad(cluster, { refresh: true, workload: {}, trading: {}, body: async () => {} });
    expect(r.history.rows).toHaveLength(1);
    expect(r.history).not.toHaveProperty('rowsError');
    expect(r.trading).not.toHaveProperty('orders');
    expect(r.trading?.ordersError).toBe('connect ECONNREFUSED 127.0.0.1:32771');
    expect(r.history.cleanupFailures).toEqual(['at 61.0 s, bringing every container back: no such container']);
  });
});
