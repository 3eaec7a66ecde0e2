import { describe, expect, it } from 'vitest';
import { containerName, describeBootFailure } from './boot.ts';

describe('a node that does not boot', () => {
  it('is named, with how it ended and its last log lines', () => {
    const m = describeBootFailure('pg-2', 64, ['starting', 'FATAL: REPMGR_PASSWORD is missing'], 'Log stream ended');
    expect(m).toBe('pg-2 exited with code 64 (Log stream ended). Its last 2 log line(s):\n  starting\n  FATAL: REPMGR_PASSWORD is missing');
    expect(describeBootFailure('witness', null, ['waiting'], 'timeout')).toMatch(/^witness never logged that it was ready \(timeout\)/);
  });
  it('keeps only the last 40 lines', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const m = describeBootFailure('pg-1', 1, lines, 'x');
    expect(m).toContain('Its last 40 log line(s)');
    expect(m).toContain('line 99');
    expect(m).not.toContain('line 59\n');
  });
});

describe('container names', () => {
  it('read like the topology: pgha-<run>-<node>', () => {
    expect(containerName('20261130-065404-bcbb88', 'proxysql-2')).toBe('pgha-20261130-065404-bcbb88-proxysql-2');
  });
});
