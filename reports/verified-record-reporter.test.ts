// The reporter as vitest drives it: a run that proved every required claim writes one
// record; a suite run alone or a skipped test writes a refusal naming what fell short.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import Reporter from './verified-record-reporter.ts';
import { readVerifiedDir, RUN_IMAGES_ENV, writeRunImages } from '../promote/verified-record.ts';
import { REQUIRED_CLAIMS } from '../promote/required-claims.ts';

type FakeTest = { name: string; state: string; mode?: string };
/** The part of vitest's TestModule the reporter reads. */
const mod = (project: string, file: string, tests: FakeTest[] = [{ name: 'works', state: 'passed' }], state = 'passed') =>
  ({
    project: { name: project },
    relativeModuleId: file,
    state: () => state,
    children: {
      *allTests() {
        for (const t of tests) yield { fullName: t.name, result: () => ({ state: t.state }), options: { mode: t.mode ?? 'run' } };
      },
    },
  }) as unknown as TestModule;
const allClaims = () => REQUIRED_CLAIMS.map((c) => mod(c.project, c.file));

let dir: string;
let stderr: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgha-reporter-'));
  stderr = [];
  vi.stubEnv('PGHA_VERIFIED_DIR', join(dir, 'verified'));
  vi.stubEnv(
    RUN_IMAGES_ENV,
    writeRunImages(dir, {
      runId: 'run-x',
      images: [{ name: 'postgres', ref: 'pgha/postgres:local', digest: 'sha256:' + 'a'.repeat(64) }],
      proxyFlavor: 'pgpool',
      proxyFlavorReason: '',
      baseImage: '',
      replicationMode: 'off',
    }),
  );
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => stderr.push(String(s)) > 0);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('VerifiedRecordReporter', () => {
  it('writes a record naming every claim when the whole run proved them', () => {
    new Reporter().onTestRunEnd([mod('unit', 'a.test.ts'), ...allClaims()], [], 'passed');
    const { records, refused } = readVerifiedDir(join(dir, 'verified'));
    expect(refused).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ runId: 'run-x', proxyFlavor: 'pgpool', replicationMode: 'off', source: 'npm test' });
    expect(records[0]!.claims.map((c) => c.claim)).toEqual(REQUIRED_CLAIMS.map((c) => c.claim));
    expect(records[0]!.commit).toMatch(/^[0-9a-f]{40}$|unknown/);
    expect(stderr.join('')).toContain('claims: formation, replication, routing');
  });
  it('writes a refusal, not a record, for one suite run alone, naming the 9 missing', () => {
    new Reporter().onTestRunEnd([mod('cluster', 'suites/formation.test.ts')], [], 'passed');
    const { records, refused } = readVerifiedDir(join(dir, 'verified'));
    expect(records).toEqual([]);
    expect(refused[0]!.problems.filter((p) => p.includes('did not run'))).toHaveLength(9);
    expect(stderr.join('')).toMatch(/no verified record[\s\S]*replication: did not run/);
  });
  it('writes a refusal for a skipped test in a claim, naming it', () => {
    const failover = REQUIRED_CLAIMS.find((c) => c.claim === 'failover')!;
    const modules = allClaims().map((m) =>
      m.relativeModuleId === failover.file
        ? mod('cluster', failover.file, [{ name: 'promotes', state: 'passed' }, { name: 'KNOWN ISSUE: full stop', state: 'skipped', mode: 'skip' }])
        : m,
    );
    new Reporter().onTestRunEnd(modules, [], 'passed');
    const { records, refused } = readVerifiedDir(join(dir, 'verified'));
    expect(records).toEqual([]);
    expect(refused[0]!.problems).toEqual(['failover: skipped in cluster: suites/failover.test.ts: "KNOWN ISSUE: full stop"']);
  });
  it('writes nothing for a run that booted no cluster', () => {
    vi.stubEnv(RUN_IMAGES_ENV, '');
    new Reporter().onTestRunEnd([mod('unit', 'a.test.ts')], [], 'passed');
    expect(readVerifiedDir(join(dir, 'verified'))).toEqual({ records: [], refused: [], obsolete: [] });
  });
});
