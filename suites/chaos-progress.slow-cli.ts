// A chaos run as the nightly job sees it, stdout and stderr piped (not a terminal): a
// progress line at the cadence (made 2 s here through PGHA_PROGRESS_EVERY_MS, instead of
// 30 s), each fault's inject and heal lines, and the verdict at the end. A 20 s kill-proxy
// run on a cluster of its own; the same seed gives the same schedule as buildSchedule here.
// About 94 s on the shared two cores: project slow-cli, not in `npm test`
// (npm run test:slow-cli).
import { afterAll, expect, it } from 'vitest';
import { buildSchedule } from '../chaos/scenarios/scenarios.ts';
import { removeRun } from '../fixtures/reaper.ts';
import { leftOf, startEntry, type EntryProcess } from './support/entry-process.ts';

const EVERY_MS = 2000;
const SEED = 7;
const DURATION_MS = 20_000;
let chaos: EntryProcess | undefined;
/** Each stderr line with when it arrived (ms since the run started). */
const lines: { at: number; text: string }[] = [];

const runOf = () => /boot: seven containers, run (\S+)/.exec(chaos?.stderr() ?? '')?.[1];

afterAll(async () => {
  // Only if the test failed half-way: a Ctrl-C removes the run as a user's would.
  if (chaos && chaos.child.exitCode === null && chaos.child.signalCode === null) {
    chaos.signalGroup('SIGINT');
    await chaos.exited;
  }
  const run = runOf();
  if (run && (await leftOf(run)).length) await removeRun(run);
});

it('a piped chaos run prints progress at the cadence, each fault going in and healing, and the verdict', async () => {
  const { steps } = buildSchedule('kill-proxy', SEED, DURATION_MS);
  expect(steps).toHaveLength(1);
  const t0 = performance.now();
  chaos = startEntry('chaos', ['--scenario', 'kill-proxy', '--seed', String(SEED), '--duration', '20s', '--proxy', 'pgpool'], { ...process.env, PGHA_PROGRESS_EVERY_MS: String(EVERY_MS) });
  let partial = '';
  chaos.child.stderr!.on('data', (d) => {
    const parts = (partial + String(d)).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ at: performance.now() - t0, text });
  });
  const exit = await chaos.exited;
  const err = chaos.stderr();

  // The verdict, on stdout, and an exit code that agrees with it.
  const verdict = /^chaos kill-proxy seed 7: (PASS|FAIL)$/m.exec(chaos.stdout());
  expect(verdict, `${chaos.stdout()}\n${err}`).not.toBeNull();
  expect(exit.code).toBe(verdict![1] === 'PASS' ? 0 : 1);

  // Progress: one plain line per tick while the load runs, with the run's total.
  const progress = lines.filter((l) => /^\[pgha\] progress \d+:\d\d \/ 0:20 \| ops \d+ ok, \d+ failed/.test(l.text));
  expect(progress.length, err).toBeGreaterThanOrEqual(DURATION_MS / EVERY_MS - 2);
  expect(err).not.toMatch(/\x1b\[|\r/); // no cursor tricks into a pipe
  const gaps = progress.slice(1).map((l, i) => l.at - progress[i]!.at);
  const median = gaps.toSorted((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
  expect(median, `gaps ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`).toBeGreaterThan(EVERY_MS * 0.9);
  expect(median).toBeLessThan(EVERY_MS * 1.1);
  for (const g of gaps) expect(g, 'no tick skipped').toBeLessThan(EVERY_MS * 2);
  for (const l of progress) expect(l.text).toMatch(/\| p99 (\d+ ms|–) \| http \d+ answered, \d+ 5xx, \d+ waiting \| pg-1 \w+, pg-2 \w+, pg-3 \w+, pg-4 \w+$/);
  expect(progress.some((l) => /pg-\d primary/.test(l.text))).toBe(true);

  // The fault: in, then healed after its hold (plus the docker kill and start it took),
  // with progress lines in between.
  const injected = lines.find((l) => /^\[pgha\] f1 kill .*: injected at \d+:\d\d$/.test(l.text));
  const healed = lines.find((l) => /^\[pgha\] f1 kill .*: healed after \d+\.\d s$/.test(l.text));
  expect(injected, err).toBeDefined();
  expect(healed, err).toBeDefined();
  const heldSeconds = Number(/healed after (\d+\.\d) s/.exec(healed!.text)![1]);
  expect(heldSeconds).toBeGreaterThanOrEqual(steps[0]!.holdMs / 1000);
  expect(heldSeconds).toBeLessThan(steps[0]!.holdMs / 1000 + 5);
  expect(progress.some((l) => l.at > injected!.at && l.at < healed!.at), 'progress went on while the fault was in').toBe(true);

  // The run removed its own cluster.
  expect(await leftOf(runOf()!)).toEqual([]);
}, 240_000);
