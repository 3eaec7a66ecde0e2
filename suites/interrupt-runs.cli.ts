// Ctrl-C (SIGINT to the process group, as a terminal sends it) or SIGTERM (as CI's timeout
// sends it, to the process alone) in the middle of a chaos run or a bench run, while a
// fault is in: the run removes its cluster, which takes the fault with it, and every other
// thing it labelled, before it exits. Each on runs of its own, never the shared cluster.
import { afterAll, expect, it } from 'vitest';
import { removeRuns } from '../fixtures/reaper.ts';
import { leftByProcess, startEntry, type EntryProcess } from './support/entry-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started: EntryProcess[] = [];

afterAll(async () => {
  // Only if a test failed half-way: never leave a process or its runs behind.
  for (const p of started) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.signalGroup('SIGKILL');
    const runs = new Set((await leftByProcess(p.child.pid!)).map((l) => /run (\S+)\)/.exec(l)?.[1]).filter((r): r is string => !!r));
    if (runs.size) await removeRuns(runs);
  }
});

/** Waits until the process writes a stderr line matching `line`; fails if it ends first. */
async function waitForLine(p: EntryProcess, line: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = p.stderr().split('\n').find((l) => line.test(l));
    if (hit) return hit;
    if (p.child.exitCode !== null) throw new Error(`it ended (exit ${p.child.exitCode}) before ${line}:\n${p.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${line} within ${timeoutMs / 1000} s:\n${p.stderr()}`);
    await sleep(100);
  }
}

interface Case {
  what: string;
  entry: 'chaos' | 'bench';
  args: string[];
  signal: 'SIGINT' | 'SIGTERM';
  /** The group, as a terminal's Ctrl-C; the process alone, as a supervisor's SIGTERM. */
  to: 'group' | 'process';
  exitCode: number;
}

const CASES: Case[] = [
  { what: 'Ctrl-C during a chaos run', entry: 'chaos', args: ['--scenario', 'kill-proxy', '--seed', '7', '--duration', '20s', '--proxy', 'pgpool'], signal: 'SIGINT', to: 'group', exitCode: 130 },
  { what: 'SIGTERM during a chaos run', entry: 'chaos', args: ['--scenario', 'kill-proxy', '--seed', '7', '--duration', '20s', '--proxy', 'pgpool'], signal: 'SIGTERM', to: 'process', exitCode: 143 },
  { what: "Ctrl-C during the bench's failover section", entry: 'bench', args: ['--only', 'failover', '--kills', '1', '--repeat', '1', '--proxy', 'pgpool'], signal: 'SIGINT', to: 'group', exitCode: 130 },
];

for (const c of CASES) {
  it(`${c.what}, while a fault is in, removes its cluster and everything else it labelled`, async () => {
    const t0 = performance.now();
    const p = startEntry(c.entry, c.args);
    started.push(p);
    const injected = await waitForLine(p, /^\[pgha\] f1 kill .*: injected at \d+:\d\d$/, 150_000);
    const run = /boot: seven containers, run (\S+)/.exec(p.stderr())?.[1];
    expect(run, p.stderr()).toBeDefined();
    expect(await leftByProcess(p.child.pid!), 'its cluster runs when interrupted').not.toEqual([]);
    const t = performance.now();
    if (c.to === 'group') p.signalGroup(c.signal);
    else p.child.kill(c.signal);
    const exit = await p.exited;
    const cleanupSeconds = (performance.now() - t) / 1000;
    expect(exit.code, p.stderr()).toBe(c.exitCode);
    expect(p.stderr()).toContain(`removing run ${run}`);
    expect(p.stderr(), 'the fault was never healed by the run itself').not.toMatch(/f1 kill .*: healed after/);
    // Nothing of it left the moment it exited: the removal finishes before the process does.
    expect(await leftByProcess(p.child.pid!), p.stderr()).toEqual([]);
    expect(cleanupSeconds, 'removal on the signal').toBeLessThan(30);
    console.log(`${c.what}: ${injected.slice(7)} after ${((t - t0) / 1000).toFixed(1)} s; exited ${exit.code} ${cleanupSeconds.toFixed(1)} s after the ${c.signal}`);
  }, 240_000);
}
