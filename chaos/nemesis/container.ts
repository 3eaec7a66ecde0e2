// Faults on whole containers: kill (SIGKILL, like a crashed host), stop (SIGTERM, a clean
// shutdown), restart, pause (the processes freeze: a hung host, sockets stay open).
import { docker } from '../../fixtures/docker.ts';
import { containerOf, type Fault, type NemesisContext, type FaultTarget } from './fault.ts';

async function state(id: string): Promise<{ running: boolean; paused: boolean }> {
  const s = (await docker.getContainer(id).inspect()).State;
  return { running: s.Running, paused: s.Paused };
}

/** Brings a container back to running and unpaused, whatever happened to it. */
async function ensureRunning(ctx: NemesisContext, t: FaultTarget): Promise<void> {
  let started = false;
  for (const n of t.nodes) {
    const id = containerOf(ctx.info(), n);
    const s = await state(id);
    if (s.paused) await docker.getContainer(id).unpause();
    else if (!s.running) {
      await docker.getContainer(id).start();
      started = true;
    }
  }
  if (started) await ctx.refresh();
}

const each = (ctx: NemesisContext, t: FaultTarget, f: (id: string) => Promise<unknown>) =>
  Promise.all(t.nodes.map((n) => f(containerOf(ctx.info(), n)))).then(() => {});

export const kill: Fault = {
  name: 'kill',
  inject: (ctx, t) => each(ctx, t, (id) => docker.getContainer(id).kill()),
  heal: ensureRunning,
};

export const stop: Fault = {
  name: 'stop',
  inject: (ctx, t) => each(ctx, t, (id) => docker.getContainer(id).stop({ t: 10 })),
  heal: ensureRunning,
};

export const restart: Fault = {
  name: 'restart',
  inject: async (ctx, t) => {
    await each(ctx, t, (id) => docker.getContainer(id).restart({ t: 10 }));
    await ctx.refresh();
  },
  heal: ensureRunning,
};

export const pause: Fault = {
  name: 'pause',
  inject: (ctx, t) => each(ctx, t, (id) => docker.getContainer(id).pause()),
  heal: ensureRunning,
};
