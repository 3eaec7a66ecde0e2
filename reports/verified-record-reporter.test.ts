// The reporter as vitest drives it: a passing run with the cluster's images writes one
// record; a failing one writes none.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import Reporter from './verified-record-reporter.ts';
import { readRecords, RUN_IMAGES_ENV, writeRunImages } from '../promote/verified-record.ts';

const mod = (project: string, file: string, state: string) =>
  ({ project: { name: project }, relativeModuleId: file, state: () => state }) as unknown as TestModule;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgha-reporter-'));
  vi.stubEnv('PGHA_VERIFIED_DIR', join(dir, 'verified'));
  vi.stubEnv(
    RUN_IMAGES_ENV,
    writeRunImages(dir, {
      runId: 'run-x',
      images: [{ name: 'postgres', ref: 'pgha/postgres:local', digest: 'sha256:' + 'a'.repeat(64) }],
      proxyFlavor: 'pgpool',
      proxyFlavorReason: '',
      baseImage: '',
    }),
  );
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('VerifiedRecordReporter', () => {
  it('writes a record when the whole run passed', () => {
    new Reporter().onTestRunEnd([mod('unit', 'a.test.ts', 'passed'), mod('cluster', 'suites/formation.test.ts', 'passed')], [], 'passed');
    const [r] = readRecords(join(dir, 'verified'));
    expect(r).toMatchObject({ runId: 'run-x', proxyFlavor: 'pgpool', source: 'npm test', suites: ['cluster: suites/formation.test.ts', 'unit: a.test.ts'] });
    expect(r!.commit).toMatch(/^[0-9a-f]{40}$|unknown/);
  });
  it('writes none when any file failed', () => {
    new Reporter().onTestRunEnd([mod('unit', 'a.test.ts', 'passed'), mod('cluster', 'suites/formation.test.ts', 'failed')], [], 'failed');
    expect(() => readdirSync(join(dir, 'verified'))).toThrow();
  });
});
