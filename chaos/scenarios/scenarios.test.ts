import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';
import { seeded } from './prng.ts';
import { resolveStep } from './resolve.ts';
import { buildSchedule, scenario, scenarioNames, SCENARIOS } from './scenarios.ts';
import { describeSchedule } from './schedule.ts';

describe('schedules', () => {
  it('the same seed gives the same schedule; another seed another one', () => {
    expect(buildSchedule('random', 7, 300_000)).toEqual(buildSchedule('random', 7, 300_000));
    expect(describeSchedule(buildSchedule('random', 7, 300_000))).not.toEqual(describeSchedule(buildSchedule('random', 8, 300_000)));
  });
  it('the PRNG is deterministic and in [0, 1)', () => {
    const a = seeded(42);
    const xs = Array.from({ length: 1000 }, a);
    expect(xs.slice(0, 3)).toEqual(Array.from({ length: 3 }, seeded(42)));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
  it.each(SCENARIOS.filter((s) => s.name !== 'soak').map((s) => s.name))('%s puts every fault inside the run and heals it before the end', (name) => {
    const s = buildSchedule(name, 1);
    expect(s.steps.length).toBeGreaterThan(0);
    for (const st of s.steps) expect(st.at + st.holdMs).toBeLessThanOrEqual(s.durationMs);
  });
  it('names the known scenarios when asked for an unknown one', () => {
    expect(() => scenario('nope')).toThrow(/unknown scenario "nope": use one of kill-primary/);
    expect(scenarioNames()).toContain('smoke');
  });
  it('the soak has no fault at all and lasts 10 minutes unless told otherwise', () => {
    expect(buildSchedule('soak', 1)).toEqual({ scenario: 'soak', seed: 1, durationMs: 600_000, steps: [] });
    expect(buildSchedule('soak', 9, 120_000).steps).toEqual([]);
  });
  it('the smoke scenario fits CI: a minute of load', () => {
    expect(buildSchedule('smoke', 1).durationMs).toBeLessThanOrEqual(90_000);
  });
});

describe('durations', () => {
  it('reads 90s, 5m, 2m30s, 1500ms', () => {
    expect([parseDuration('90s'), parseDuration('5m'), parseDuration('2m30s'), parseDuration('1500ms')]).toEqual([90_000, 300_000, 150_000, 1500]);
  });
  it.each(['', '5', 'five minutes', '5x', '-3s', '0s'])('refuses %j', (t) => {
    expect(() => parseDuration(t)).toThrow(/bad duration/);
  });
});

describe('resolving roles', () => {
  const state = { primary: 'pg-2' as const, standbys: ['pg-4', 'pg-1', 'pg-3'] as ('pg-1' | 'pg-3' | 'pg-4')[], routers: ['proxysql', 'proxysql-2'] as ('proxysql' | 'proxysql-2')[] };
  it('aims a partition of the primary at it, against every other container', () => {
    const r = resolveStep({ at: 0, fault: 'partition', target: { role: 'primary' }, others: 'rest', holdMs: 1 }, state);
    expect(r.target.nodes).toEqual(['pg-2']);
    expect(r.target.others?.toSorted()).toEqual(['pg-1', 'pg-3', 'pg-4', 'proxysql', 'proxysql-2', 'witness']);
    expect(r.label).toBe('partition pg-2 (the primary) from the rest');
  });
  it('carries a refusing partition to the fault, and says so in its label', () => {
    const r = resolveStep({ at: 0, fault: 'partition', target: { role: 'primary' }, others: 'rest', holdMs: 1, refuse: true }, state);
    expect(r.target.refuse).toBe(true);
    expect(r.label).toBe('partition (refusing) pg-2 (the primary) from the rest');
    expect(buildSchedule('refuse-primary', 1).steps.map((x) => [x.fault, x.refuse, x.others])).toEqual([['partition', true, 'rest']]);
    expect(resolveStep({ at: 0, fault: 'partition', target: { role: 'primary' }, others: 'rest', holdMs: 1 }, state).target.refuse).toBeUndefined();
  });
  it('picks a standby by its pick, in name order', () => {
    expect(resolveStep({ at: 0, fault: 'kill', target: { role: 'standby', pick: 0.99 }, holdMs: 1 }, state).target.nodes).toEqual(['pg-4']);
  });
  it('refuses to aim at a primary when there is none', () => {
    expect(() => resolveStep({ at: 0, fault: 'kill', target: { role: 'primary' }, holdMs: 1 }, { standbys: [], routers: [] })).toThrow(/no single writable primary/);
  });
});
