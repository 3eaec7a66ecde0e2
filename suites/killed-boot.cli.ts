// A `pgha up` killed outright mid-boot (SIGKILL: no handler runs) leaves its half-booted
// run behind, labelled to be kept once handed over; it never was, so the next start's sweep
// removes it. A `pgha up` whose cluster formed hands it over (the marker), and the same
// sweep spares it. Each on a run of its own, never the shared cluster.
import { afterAll, expect, it } from 'vitest';
import { docker } from '../fixtures/docker.ts';
import { ensureBaseImage } from '../fixtures/base-image.ts';
import { KEEP_HANDED_OVER, KEEP_ONCE_HANDED_OVER, LABEL_KEEP, LABEL_PID, LABEL_RUN, newRunId, runLabels, type RunId } from '../fixtures/labels.ts';
import { findStaleRuns, markHandedOver, removeRun, sweepStaleRuns } from '../fixtures/reaper.ts';
import { listClusters } from '../fixtures/runs.ts';
import { leftOf, startEntry, type EntryProcess } from './support/entry-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started: EntryProcess[] = [];
const runs: RunId[] = [];

afterAll(async () => {
  // Only if a test failed half-way: never leave a process or its run behind.
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.signalGroup('SIGKILL');
  for (const run of runs) if ((await leftOf(run)).length) await removeRun(run);
});

/** The keep label of every labelled object of a run. */
async function keepLabels(run: RunId): Promise<string[]> {
  const filters = { label: [`${LABEL_RUN}=${run}`] };
  return [
    ...(await docker.listContainers({ all: true, filters })).map((c) => c.Labels),
    ...(await docker.listNetworks({ filters })).map((n) => n.Labels),
    ...((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Labels),
  ].map((l) => l?.[LABEL_KEEP] ?? '(none)');
}

it('a pgha up killed (SIGKILL) while pg-1 boots leaves a run the next start sweeps away', async () => {
  const up = startEntry('pgha', ['up', '--proxy', 'pgpool']);
  started.push(up);
  // Killed while the boot waits for pg-1's ready line: its container runs, and no create
  // is in flight for the daemon to finish after the kill (the next wave starts after it).
  const deadline = Date.now() + 90_000;
  let run: RunId | undefined;
  while (!run) {
    if (Date.now() > deadline) throw new Error(`pg-1 never ran within 90 s:\n${up.stderr()}`);
    if (up.child.exitCode !== null) throw new Error(`pgha up ended before pg-1 ran:\n${up.stderr()}`);
    // Its own container, by the owner label: other runs may boot beside it.
    const list = await docker.listContainers({ filters: { label: [`${LABEL_PID}=${up.child.pid}`], status: ['running'] } });
    run = list[0]?.Labels[LABEL_RUN];
    if (!run) await sleep(100);
  }
  runs.push(run);
  expect(up.stderr(), 'killed before pg-1 was up').not.toMatch(/pg-1 up/);
  up.signalGroup('SIGKILL');
  const exit = await up.exited;
  expect(exit.signal).toBe('SIGKILL');

  // What it left: pg-1, its volume and the network, all waiting for a handover that never came.
  const left = await leftOf(run);
  expect(left.length, 'a SIGKILL leaves the half-booted run behind').toBeGreaterThanOrEqual(3);
  expect(left.join('\n')).toMatch(/container \/pgha-.*-pg-1/);
  expect(new Set(await keepLabels(run))).toEqual(new Set([KEEP_ONCE_HANDED_OVER]));
  expect([...(await findStaleRuns())]).toContain(run);
  const status = (await listClusters()).find((c) => c.runId === run);
  expect(status, 'pgha status lists it').toMatchObject({ kept: false, stale: true });

  // The sweep every start runs first (startCluster, pgha down) removes it, every object.
  const t = performance.now();
  await sweepStaleRuns();
  const sweepSeconds = (performance.now() - t) / 1000;
  expect(await leftOf(run)).toEqual([]);
  expect(sweepSeconds, 'the sweep').toBeLessThan(30);
}, 150_000);

it('a pgha up whose cluster formed hands it over: the sweep spares it after its process is gone', async () => {
  const up = startEntry('pgha', ['up', '--proxy', 'pgpool', '--json']);
  started.push(up);
  const exit = await up.exited;
  expect(exit.code, up.stderr()).toBe(0);
  const run = (JSON.parse(up.stdout()) as { runId: RunId }).runId;
  runs.push(run);

  // Every object says once handed over, the one marker says handed over; the owner is gone.
  const keeps = await keepLabels(run);
  expect(keeps.filter((k) => k === KEEP_HANDED_OVER), keeps.join(', ')).toHaveLength(1);
  expect(keeps.filter((k) => k !== KEEP_HANDED_OVER).every((k) => k === KEEP_ONCE_HANDED_OVER)).toBe(true);
  const pid = up.child.pid!;
  expect(() => process.kill(pid, 0), 'its process is gone').toThrow();
  expect([...(await findStaleRuns())]).not.toContain(run);
  const before = (await leftOf(run)).toSorted();
  await sweepStaleRuns();
  expect((await leftOf(run)).toSorted()).toEqual(before);
  expect((await listClusters()).find((c) => c.runId === run)).toMatchObject({ kept: true, stale: false });
  await removeRun(run);
  expect(await leftOf(run)).toEqual([]);
}, 240_000);

it('lists a kept run whose containers are gone but whose network and volume are left, and removes them, disconnecting a container pgha did not start', async () => {
  // What a removal that stopped half-way leaves: `pgha down` once failed on the network (403,
  // active endpoints: a container started by hand on it) after removing the containers,
  // and then listed nothing to remove.
  const run = newRunId();
  runs.push(run);
  const network = `pgha-${run}`;
  await docker.createNetwork({ Name: network, Labels: runLabels(run, 'network', true) });
  await docker.createVolume({ Name: `pgha-${run}-pg-1-data`, Labels: runLabels(run, 'pg-1', true) });
  await markHandedOver(run);
  const foreign = await docker.createContainer({ name: `not-pgha-${run}`, Image: await ensureBaseImage(), Cmd: ['sleep', '300'], HostConfig: { NetworkMode: network } });
  try {
    await foreign.start();
    expect((await listClusters()).find((c) => c.runId === run)).toMatchObject({ kept: true, nodes: [] });
    await removeRun(run);
    expect(await leftOf(run)).toEqual([]);
    const after = await foreign.inspect();
    expect(after.State.Running, 'the container pgha did not start is left running').toBe(true);
    expect(Object.keys(after.NetworkSettings.Networks)).not.toContain(network);
  } finally {
    await foreign.remove({ force: true });
  }
}, 60_000);
