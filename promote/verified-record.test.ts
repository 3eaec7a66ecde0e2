import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildRecord,
  decideChaosRecord,
  decideTestRecord,
  readRecords,
  writeRecord,
  type ModuleOutcome,
  type RunImages,
  type TestRunOutcome,
} from './verified-record.ts';

const images: RunImages = {
  runId: 'run-1',
  images: [
    { name: 'postgres', ref: 'pgha/postgres:local', digest: 'sha256:' + 'a'.repeat(64) },
    { name: 'pgpool', ref: 'pgha/pgpool:local', digest: 'sha256:' + 'b'.repeat(64) },
  ],
  proxyFlavor: 'pgpool',
  proxyFlavorReason: 'no registry',
  baseImage: 'pgha/debian-base:trixie',
};
const mod = (project: string, file: string, state: ModuleOutcome['state'] = 'passed'): ModuleOutcome => ({ project, file, state });
const passing: TestRunOutcome = {
  reason: 'passed',
  unhandledErrors: 0,
  modules: [mod('unit', 'fixtures/topology.test.ts'), mod('cluster', 'suites/formation.test.ts'), mod('promote', 'suites/promote.test.ts')],
  runImages: images,
};

describe('decideTestRecord: only a whole passing run earns a record', () => {
  it('writes one for a passing run with a cluster, listing the files that passed', () => {
    const d = decideTestRecord(passing);
    expect(d).toEqual({ write: true, suites: ['cluster: suites/formation.test.ts', 'promote: suites/promote.test.ts', 'unit: fixtures/topology.test.ts'] });
  });
  it.each<[string, TestRunOutcome]>([
    ['a failed run', { ...passing, reason: 'failed' }],
    ['an interrupted run', { ...passing, reason: 'interrupted' }],
    ['an unhandled error', { ...passing, unhandledErrors: 1 }],
    ['one failed file, even if the reason says passed', { ...passing, modules: [...passing.modules, mod('cluster', 'suites/routing.test.ts', 'failed')] }],
    ['a file that never finished', { ...passing, modules: [...passing.modules, mod('cluster', 'suites/routing.test.ts', 'pending')] }],
    ['a unit-only run (no images)', { ...passing, runImages: undefined }],
    ['no cluster suite among the passed files', { ...passing, modules: [mod('unit', 'a.test.ts'), mod('cluster', 'suites/x.test.ts', 'skipped')] }],
  ])('writes none for %s', (_, run) => {
    expect(decideTestRecord(run).write).toBe(false);
  });
});

describe('decideChaosRecord', () => {
  it('writes one only when every scenario passed', () => {
    expect(decideChaosRecord({ passed: true, scenarios: [{ name: 'random', passed: true }], runImages: images }).write).toBe(true);
    expect(decideChaosRecord({ passed: true, scenarios: [{ name: 'random', passed: false }], runImages: images }).write).toBe(false);
    expect(decideChaosRecord({ passed: false, scenarios: [{ name: 'random', passed: true }], runImages: images }).write).toBe(false);
    expect(decideChaosRecord({ passed: true, scenarios: [], runImages: images }).write).toBe(false);
  });
});

describe('records on disk', () => {
  it('round-trips, newest first, and ignores files that are not records', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgha-verified-'));
    const commit = { commit: 'abc123', dirty: false };
    writeRecord(buildRecord('npm test', images, { suites: ['unit: a'] }, commit, new Date('2026-01-01T00:00:00Z')), dir);
    writeRecord(buildRecord('npm test', { ...images, runId: 'run-2' }, { suites: ['unit: a'] }, commit, new Date('2026-01-02T00:00:00Z')), dir);
    writeFileSync(join(dir, 'junk.json'), '{"kind":"other"}');
    writeFileSync(join(dir, 'torn.json'), '{"kind":');
    expect(readdirSync(dir)).toHaveLength(4);
    const records = readRecords(dir);
    expect(records.map((r) => r.runId)).toEqual(['run-2', 'run-1']);
    expect(records[0]).toMatchObject({ source: 'npm test', proxyFlavor: 'pgpool', commit: 'abc123', images: images.images });
  });
  it('reads an absent directory as no records', () => {
    expect(readRecords(join(tmpdir(), 'pgha-does-not-exist-' + process.pid))).toEqual([]);
  });
});
