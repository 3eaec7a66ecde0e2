// Ctrl-C in the middle of `pgha up`'s boot (SIGINT to the terminal's process group) must
// leave nothing of that run: `pgha up` keeps its cluster only once it has formed. The
// boot is interrupted as soon as its first container exists, when the daemon may still
// be creating the next thing the boot asked for. Its own run, never the shared cluster.
import { afterAll, expect, it } from 'vitest';
import { docker } from '../fixtures/docker.ts';
import { LABEL_RUN, type RunId } from '../fixtures/labels.ts';
import { removeRun } from '../fixtures/reaper.ts';
import { labelledRuns, leftOf, startEntry, type EntryProcess } from './support/entry-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let up: EntryProcess | undefined;
let run: RunId | undefined;

/** The run of the first labelled container that was not there before. */
async function firstNewContainer(before: ReadonlySet<RunId>, timeoutMs: number): Promise<RunId> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const list = await docker.listContainers({ all: true, filters: { label: [LABEL_RUN] } });
    const fresh = list.map((c) => c.Labels[LABEL_RUN]!).find((r) => !before.has(r));
    if (fresh) return fresh;
    if (up?.child.exitCode !== null) throw new Error(`pgha up ended before its first container:\n${up?.stderr()}`);
    await sleep(100);
  }
  throw new Error(`no new labelled container within ${timeoutMs / 1000} s:\n${up?.stderr()}`);
}

afterAll(async () => {
  // Only if the test failed half-way: never leave the process or its run behind.
  if (up && up.child.exitCode === null && up.child.signalCode === null) up.signalGroup('SIGKILL');
  if (run && (await leftOf(run)).length) await removeRun(run);
});

it('Ctrl-C during pgha up removes every container, network and volume its boot made', async () => {
  const before = await labelledRuns();
  up = startEntry('pgha', ['up', '--proxy', 'pgpool']);
  run = await firstNewContainer(before, 60_000);
  const t = performance.now();
  up.signalGroup('SIGINT');
  const exit = await up.exited;
  const cleanupSeconds = (performance.now() - t) / 1000;
  expect(exit.code, up.stderr()).toBe(130);
  expect(up.stderr()).toContain(`removing run ${run}`);
  expect(up.stdout(), 'it never said the cluster formed').not.toMatch(/formed in/);
  // Nothing left the moment it exited: the removal finishes before the process does.
  expect(await leftOf(run), up.stderr()).toEqual([]);
  expect(cleanupSeconds, 'removal on Ctrl-C').toBeLessThan(30);
}, 120_000);
