import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildRecord, buildRefusal, decideChaosRecord, readRecords, readVerifiedDir, writeRecord, writeRefusal } from './verified-record.ts';
import { sampleRunImages } from './sample-run.ts';

const images = sampleRunImages({ replicationMode: 'any1' });
describe('decideChaosRecord', () => {
  it('writes one only when every scenario passed', () => {
    expect(decideChaosRecord({ passed: true, scenarios: [{ name: 'random', passed: true }], runImages: images }).write).toBe(true);
    expect(decideChaosRecord({ passed: true, scenarios: [{ name: 'random', passed: false }], runImages: images }).write).toBe(false);
    expect(decideChaosRecord({ passed: false, scenarios: [{ name: 'random', passed: true }], runImages: images }).write).toBe(false);
    expect(decideChaosRecord({ passed: true, scenarios: [], runImages: images }).write).toBe(false);
  });
});

describe('records on disk', () => {
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgha-verified-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  it('round-trips, newest first, and ignores files that are not records', () => {
    const dir = tempDir();
    const commit = { commit: 'abc123', dirty: false };
    writeRecord(buildRecord('npm test', images, { suites: ['unit: a'] }, commit, new Date('2026-01-01T00:00:00Z')), dir);
    writeRecord(buildRecord('npm test', { ...images, runId: 'run-2' }, { suites: ['unit: a'] }, commit, new Date('2026-01-02T00:00:00Z')), dir);
    writeFileSync(join(dir, 'junk.json'), '{"kind":"other"}');
    writeFileSync(join(dir, 'torn.json'), '{"kind":');
    expect(readdirSync(dir)).toHaveLength(4);
    const records = readRecords(dir);
    expect(records.map((r) => r.runId)).toEqual(['run-2', 'run-1']);
    expect(records[0]).toMatchObject({ source: 'npm test', proxyFlavor: 'pgpool', replicationMode: 'any1', commit: 'abc123', images: images.images });
  });
  it('keeps a refusal apart from records, and reads v1 records only as obsolete', () => {
    const dir = tempDir();
    const commit = { commit: 'abc123', dirty: false };
    const claims = [{ claim: 'formation', project: 'cluster', file: 'suites/formation.test.ts', tests: 3 }];
    writeRecord(buildRecord('npm test', images, { claims }, commit, new Date('2026-01-01T00:00:00Z')), dir);
    writeRefusal(buildRefusal({ ...images, runId: 'run-r' }, ['failover: skipped in ...'], commit, new Date('2026-01-03T00:00:00Z')), dir);
    const v1 = { ...buildRecord('npm test', { ...images, runId: 'run-old' }, {}, commit), kind: 'pgha.verified/v1' };
    writeFileSync(join(dir, 'old.json'), JSON.stringify(v1));
    const found = readVerifiedDir(dir);
    expect(found.records.map((r) => [r.runId, r.claims])).toEqual([['run-1', claims]]);
    expect(found.refused.map((r) => [r.runId, r.problems])).toEqual([['run-r', ['failover: skipped in ...']]]);
    expect(found.obsolete).toEqual([{ file: 'old.json', kind: 'pgha.verified/v1' }]);
  });
  it('reads an absent directory as no records', () => {
    expect(readRecords(join(tmpdir(), 'pgha-does-not-exist-' + process.pid))).toEqual([]);
  });
});
