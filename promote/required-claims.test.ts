// The claims table stays true to the repository: each file exists, and every cluster suite
// is a claim (a new suite can't ship unrequired by forgetting a row).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../model/paths.ts';
import { SUITE_ORDER } from '../suites/sequencer.ts';
import { REQUIRED_CLAIMS } from './required-claims.ts';

describe('REQUIRED_CLAIMS', () => {
  it.each(REQUIRED_CLAIMS.map((c) => [c.claim, c.file]))('%s: %s exists', (_, file) => {
    expect(existsSync(join(REPO_ROOT, file)), `${file} is gone: fix its row in promote/required-claims.ts`).toBe(true);
  });
  it('holds every cluster suite, in the order they run, and the chaos smoke run', () => {
    const suites = readdirSync(join(REPO_ROOT, 'suites')).filter((f) => f.endsWith('.test.ts') && f !== 'promote.test.ts');
    const cluster = REQUIRED_CLAIMS.filter((c) => c.project === 'cluster');
    expect(cluster.map((c) => c.file).sort()).toEqual(suites.map((f) => `suites/${f}`).sort());
    expect(cluster.map((c) => c.claim)).toEqual(SUITE_ORDER);
    expect(REQUIRED_CLAIMS.filter((c) => c.project === 'chaos').map((c) => c.file)).toEqual(['suites/chaos-smoke.chaos.ts']);
  });
  it('names each claim once', () => {
    expect(new Set(REQUIRED_CLAIMS.map((c) => c.claim)).size).toBe(REQUIRED_CLAIMS.length);
  });
});
