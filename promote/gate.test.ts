import { describe, expect, it } from 'vitest';
import { decideTestRecord, type ModuleOutcome, type TestOutcome, type TestRunOutcome } from './gate.ts';
import { REQUIRED_CLAIMS } from './required-claims.ts';
import { sampleRunImages } from './sample-run.ts';

const images = sampleRunImages();
const t = (name: string, state: TestOutcome['state'] = 'passed', mode: TestOutcome['mode'] = 'run'): TestOutcome => ({ name, state, mode });
const mod = (project: string, file: string, tests: TestOutcome[] = [t('works'), t('still works')], state: ModuleOutcome['state'] = 'passed'): ModuleOutcome => ({
  project,
  file,
  state,
  tests,
});
const claimModules = () => REQUIRED_CLAIMS.map((c) => mod(c.project, c.file));
const full: TestRunOutcome = {
  reason: 'passed',
  unhandledErrors: 0,
  modules: [mod('unit', 'fixtures/topology.test.ts'), ...claimModules(), mod('promote', 'suites/promote.test.ts')],
  runImages: images,
};
const replace = (file: string, m: ModuleOutcome): TestRunOutcome => ({ ...full, modules: full.modules.map((x) => (x.file === file ? m : x)) });
const problems = (run: TestRunOutcome): string[] => {
  const d = decideTestRecord(run);
  expect(d.write).toBe(false);
  return d.write ? [] : d.problems;
};

describe('decideTestRecord: a record only when every required claim ran in full and passed', () => {
  it('a full passing run gets a record listing every claim with its test count', () => {
    const d = decideTestRecord(full);
    expect(d.write).toBe(true);
    if (!d.write) return;
    expect(d.claims.map((c) => c.claim)).toEqual(['formation', 'replication', 'routing', 'security', 'proxy-ha', 'failover', 'quorum', 'rejoin', 'clients', 'chaos smoke']);
    expect(d.claims[0]).toEqual({ claim: 'formation', project: 'cluster', file: 'suites/formation.test.ts', tests: 2 });
    expect(d.suites).toContain('unit: fixtures/topology.test.ts');
  });

  it('one suite run alone is refused, naming the 9 claims that did not run', () => {
    const p = problems({ ...full, modules: [mod('cluster', 'suites/formation.test.ts')] });
    expect(p).toHaveLength(9);
    expect(p).toContain('replication: did not run (cluster: suites/replication.test.ts)');
    expect(p).toContain('chaos smoke: did not run (chaos: suites/chaos-smoke.chaos.ts)');
    expect(p.join('\n')).not.toContain('formation');
  });

  it('a skipped test inside failover is refused, naming it', () => {
    const known = 'failover > KNOWN ISSUE: reforms after a full-cluster stop and start';
    const p = problems(replace('suites/failover.test.ts', mod('cluster', 'suites/failover.test.ts', [t('failover > promotes'), t(known, 'skipped', 'skip')])));
    expect(p).toEqual([`failover: skipped in cluster: suites/failover.test.ts: "${known}"`]);
  });

  it('names a todo and a test filtered out by -t the same way', () => {
    const p = problems(replace('suites/quorum.test.ts', mod('cluster', 'suites/quorum.test.ts', [t('a'), t('b', 'skipped', 'todo'), t('c', 'skipped', 'run')])));
    expect(p).toEqual(['quorum: skipped in cluster: suites/quorum.test.ts: "b (todo)"; "c"']);
  });

  it('a whole file skipped is refused', () => {
    const p = problems(replace('suites/rejoin.test.ts', mod('cluster', 'suites/rejoin.test.ts', [t('x', 'skipped', 'skip')], 'skipped')));
    expect(p).toEqual(['rejoin: skipped in cluster: suites/rejoin.test.ts: "x"']);
  });

  it('names each failed test of a claim', () => {
    const p = problems({ ...replace('suites/routing.test.ts', mod('cluster', 'suites/routing.test.ts', [t('r1'), t('r2', 'failed')], 'failed')), reason: 'failed' });
    expect(p).toEqual(['the run failed', 'routing: failed in cluster: suites/routing.test.ts: "r2"']);
  });

  it('a claim file that failed outside any test (a hook, an import) is refused', () => {
    const p = problems(replace('suites/security.test.ts', mod('cluster', 'suites/security.test.ts', [], 'failed')));
    expect(p).toEqual(['security: failed: cluster: suites/security.test.ts (outside any test: a hook, an import or a collection error)']);
  });

  it('a claim file with no test in it proves nothing', () => {
    expect(problems(replace('suites/proxy-ha.test.ts', mod('cluster', 'suites/proxy-ha.test.ts', [])))).toEqual(['proxy-ha: ran no test: cluster: suites/proxy-ha.test.ts']);
  });

  it('a claim file that never finished is refused', () => {
    const p = problems(replace('suites/chaos-smoke.chaos.ts', mod('chaos', 'suites/chaos-smoke.chaos.ts', [t('survives', 'pending')], 'pending')));
    expect(p).toEqual(['chaos smoke: did not finish: chaos: suites/chaos-smoke.chaos.ts (pending)']);
  });

  it('a claim run under another project does not count', () => {
    const p = problems(replace('suites/formation.test.ts', mod('unit', 'suites/formation.test.ts')));
    expect(p).toEqual(['formation: did not run (cluster: suites/formation.test.ts)']);
  });

  it('a failed or skipped test outside the claims still refuses: the run must be whole', () => {
    const p = problems({ ...full, modules: [...full.modules, mod('unit', 'chaos/checkers/x.test.ts', [t('y', 'failed')], 'failed'), mod('unit', 'a.test.ts', [t('z', 'skipped', 'skip')], 'skipped')] });
    expect(p).toEqual(['failed in unit: chaos/checkers/x.test.ts: "y"', 'skipped in unit: a.test.ts: "z"']);
  });

  it.each<[string, TestRunOutcome, string]>([
    ['an interrupted run', { ...full, reason: 'interrupted' }, 'the run interrupted'],
    ['an unhandled error', { ...full, unhandledErrors: 2 }, '2 unhandled error(s)'],
    ['a run with no cluster', { ...full, runImages: undefined }, 'no cluster was booted, so no image was tested'],
    ['a cluster that did not say its replication mode', { ...full, runImages: { ...images, replicationMode: undefined as unknown as 'off' } }, 'the cluster did not say its replication mode (got undefined)'],
  ])('refuses %s', (_, run, why) => {
    expect(problems(run)).toEqual([why]);
  });
});
