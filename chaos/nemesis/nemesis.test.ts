// The nemesis's record of what happened to each fault, with Docker faked: a fault that did
// not go in, a heal that failed, a clean-up that failed must be in the history (which the
// checkers judge), not only in a log line.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClusterInfo } from '../../cluster/info.ts';

const fake = vi.hoisted(() => ({
  injectFails: undefined as string | undefined,
  healFails: [] as string[],
  probeFails: undefined as string | undefined,
  netem: undefined as string | undefined,
}));
const fault = (name: string) => ({
  name,
  inject: async () => {
    if (fake.injectFails) throw new Error(fake.injectFails);
  },
  heal: async () => {
    const why = fake.healFails.shift();
    if (why) throw new Error(why);
  },
});
vi.mock('../../cluster/control.ts', () => ({ refreshEndpoints: async (info: object) => info }));
vi.mock('../../fixtures/progress.ts', async (importOriginal) => ({ ...(await importOriginal<typeof import('../../fixtures/progress.ts')>()), note: () => {} }));
vi.mock('./iptables.ts', () => ({ flush: async () => {} }));
vi.mock('./container.ts', () => ({ kill: fault('kill'), stop: fault('stop'), restart: fault('restart'), pause: fault('pause') }));
vi.mock('./link.ts', () => ({
  partition: fault('partition'),
  packetLoss: fault('packet-loss'),
  latency: {
    ...fault('latency'),
    unsupported: async () => {
      if (fake.probeFails) throw new Error(fake.probeFails);
      return fake.netem;
    },
  },
}));

const { createNemesis } = await import('./nemesis.ts');
const info = { runId: 'r1', nodes: { 'pg-1': { name: 'pg-1' }, 'pg-2': { name: 'pg-2' } } } as unknown as ClusterInfo;
const clock = () => {
  let t = 0;
  return { epochWall: 0, now: () => (t += 1000), wallOf: (at: number) => at };
};
const killPg1 = { fault: 'kill' as const, label: 'kill pg-1 (the primary)', target: { nodes: ['pg-1' as const] } };
const latencyPg2 = { fault: 'latency' as const, label: 'latency +100 ms pg-2', target: { nodes: ['pg-2' as const], others: ['pg-1' as const], delayMs: 100 } };

beforeEach(() => {
  Object.assign(fake, { injectFails: undefined, healFails: [], probeFails: undefined, netem: undefined });
});

describe('nemesis record', () => {
  it('records a fault that went in and was healed, with no failure', async () => {
    const n = createNemesis(info, clock());
    const ev = await n.inject(killPg1);
    await n.heal(ev);
    await n.healAll();
    expect(n.events()).toEqual([expect.objectContaining({ id: 'f1', status: 'injected', healedAt: 2000 })]);
    expect(n.events()[0]).not.toHaveProperty('healFailures');
    expect(n.cleanupFailures()).toEqual([]);
  });
  it('records a heal that failed in the fault event, though heal-all got it out later', async () => {
    const n = createNemesis(info, clock());
    const ev = await n.inject(killPg1);
    fake.healFails = ['(HTTP code 500) cannot start container'];
    await expect(n.heal(ev)).rejects.toThrow('cannot start container');
    await n.healAll();
    expect(n.events()[0]).toMatchObject({ status: 'injected', healedAt: 3000, healFailures: ['at 2.0 s: (HTTP code 500) cannot start container'] });
  });
  it('records an inject that failed as error, with why, and a failed undo of the half-made fault', async () => {
    const n = createNemesis(info, clock());
    fake.injectFails = 'iptables in pg-1: exit 4';
    fake.healFails = ['bash: iptables: not found'];
    const ev = await n.inject(killPg1);
    expect(ev).toMatchObject({ status: 'error', reason: 'iptables in pg-1: exit 4', healFailures: ['at 2.0 s, undoing the half-made fault: bash: iptables: not found'] });
  });
  it('records a fault the machine cannot make as unsupported, named, and one whose probe failed as not gone in', async () => {
    const n = createNemesis(info, clock());
    fake.netem = 'tc netem is not available in this kernel';
    expect(await n.inject(latencyPg2)).toMatchObject({ status: 'unsupported', reason: 'tc netem is not available in this kernel' });
    fake.probeFails = 'no container for pg-2 in this cluster';
    expect(await n.inject(latencyPg2)).toMatchObject({ id: 'f2', status: 'error', reason: 'could not tell whether this machine can make it: no container for pg-2 in this cluster' });
  });
  it('records a step that never reached inject, and a clean-up that could not bring every container back', async () => {
    const n = createNemesis(info, clock());
    n.notInjected({ fault: 'kill', label: 'kill the primary' }, 'no single writable primary to aim at');
    fake.healFails = ['(HTTP code 404) no such container'];
    await n.healAll();
    expect(n.events()).toEqual([expect.objectContaining({ id: 'f1', status: 'error', targets: [], reason: 'no single writable primary to aim at' })]);
    expect(n.cleanupFailures()).toEqual(['at 2.0 s, bringing every container back: (HTTP code 404) no such container']);
  });
});
