import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directOps } from './direct-log.ts';
import { directClock } from './failover.ts';
import { directConninfo, directScript } from './direct-client.ts';
import type { FaultEvent, RoleSample, RunHistory } from '../model/history.ts';
import type { NodeName } from '../model/topology.ts';

const EPOCH = 1_700_000_000_000;
const at = (ms: number) => String(EPOCH + ms);

// A session on pg-1 writing every 100 ms; pg-1 killed at 10 s, the session fails at
// 12 s, libpq's next sessions find no writable host until pg-2 is promoted.
const LOG = [
  `start ${at(0)}`,
  ...Array.from({ length: 100 }, (_, i) => `ok ${at(i * 100)} pg-1`),
  `psql: error: connection to server was lost`,
  `end ${at(12_000)}`,
  `start ${at(12_100)}`,
  `psql: error: connection to server at "pg-2" (10.0.0.3), port 5432 failed: session is read-only`,
  `end ${at(12_300)}`,
  `start ${at(12_400)}`,
  `ok ${at(14_600)} pg-2`,
  `ok ${at(14_700)} pg-2`,
  '',
].join('\n');

describe('the direct client log', () => {
  const ops = directOps(LOG, (wall) => wall - EPOCH);
  it('reads each committed write and each ended session, on the run clock', () => {
    expect(ops.filter((o) => o.outcome === 'ok')).toHaveLength(102);
    const failed = ops.filter((o) => o.outcome === 'fail');
    // The lost session's write was sent after its last good one; a refused session's at its start.
    expect(failed.map((o) => [o.invokedAt, o.completedAt])).toEqual([
      [9_900, 12_000],
      [12_100, 12_300],
    ]);
    expect(ops.at(-1)).toMatchObject({ kind: 'write', process: 'direct', outcome: 'ok', invokedAt: 14_700, completedAt: 14_700, node: 'pg-2' });
    expect(new Set(ops.map((o) => o.id)).size).toBe(ops.length);
  });
  it('keeps psql noise and torn lines out', () => {
    expect(directOps('psql: error: foo\nok notanumber pg-1\nok 12\nstart\n', (w) => w)).toEqual([]);
  });

  const samples = (node: NodeName, from: number, to: number, state: RoleSample['state']): RoleSample[] =>
    Array.from({ length: Math.ceil((to - from) / 200) }, (_, i) => ({ node, at: from + i * 200, wall: EPOCH + from + i * 200, state }));
  const fault: FaultEvent = { id: 'f1', fault: 'kill', targets: ['pg-1'], label: 'kill pg-1', injectedAt: 10_000, healedAt: 25_000, status: 'injected' };
  const h: RunHistory = {
    ops: [],
    samples: [...samples('pg-1', 0, 10_000, 'writable'), ...samples('pg-1', 10_000, 30_000, 'unreachable'), ...samples('pg-2', 0, 14_000, 'standby'), ...samples('pg-2', 14_000, 30_000, 'writable')],
    faults: [fault],
    endedAt: 30_000,
    epochWall: EPOCH,
  };
  it('gives the direct clock: the first good write after the last failed one, from the kill', () => {
    expect(directClock(h, LOG)).toBe(4_600);
  });
  it('reads never when the direct client did not write again before the heal', () => {
    const stuck = LOG.split('\n').filter((l) => !l.includes('pg-2 ') && !/ok \d+ pg-2$/.test(l)).join('\n');
    expect(directClock(h, stuck)).toBeNull();
    // A good write only after the heal does not count.
    expect(directClock(h, `${stuck}\nok ${at(26_000)} pg-2\n`)).toBeNull();
  });
  it('reads a write abandoned at the op timeout as the failure the clock runs from, and the session end after it as no second one', () => {
    // pg-1 hangs at 10 s: its session's write goes unanswered until the op timeout (5 s),
    // then libpq's next session finds pg-2 once it is promoted.
    const hung = [
      `start ${at(0)}`,
      ...Array.from({ length: 100 }, (_, i) => `ok ${at(i * 100)} pg-1`),
      `timeout ${at(14_900)}`,
      `end ${at(14_910)}`,
      `start ${at(15_000)}`,
      `ok ${at(17_200)} pg-2`,
      '',
    ].join('\n');
    const ops = directOps(hung, (wall) => wall - EPOCH);
    expect(ops.filter((o) => o.outcome !== 'ok').map((o) => [o.outcome, o.invokedAt, o.completedAt])).toEqual([['unknown', 9_900, 14_900]]);
    expect(directClock(h, hung)).toBe(7_200);
  });
  it('uses the history epoch, not the log times as run times', () => {
    expect(directClock({ ...h, epochWall: EPOCH + 1000 }, LOG)).toBe(3_600);
  });
});

describe('the direct client', () => {
  it('connects to every data node by its private name, read-write only, with the documented connect timeout', () => {
    const c = directConninfo();
    expect(c).toMatch(/host=pg-1[^ ,]*,pg-2[^ ,]*,pg-3[^ ,]*,pg-4[^ ,]* /);
    expect(c).toContain('target_session_attrs=read-write');
    expect(c).toContain('connect_timeout=2');
    expect(c).not.toMatch(/password/i);
  });
  it('logs a line per session start and end around one psql \\watch session', () => {
    const s = directScript();
    expect(s).toContain('echo "start $(date +%s%3N)"');
    expect(s).toContain('echo "end $(date +%s%3N)"');
    expect(s).toContain('\\\\watch');
    expect(s).toContain('"$PGHA_CONNINFO"');
  });
  it('abandons a session whose psql answers nothing for the op timeout, and starts another', () => {
    // A psql that commits two writes, then hangs the way a session on a paused primary does.
    const bin = mkdtempSync(join(tmpdir(), 'pgha-direct-'));
    try {
      writeFileSync(join(bin, 'psql'), '#!/bin/bash\necho "ok $(date +%s%3N) pg-1"\necho "ok $(date +%s%3N) pg-1"\nend=$((SECONDS + 20)); while (( SECONDS < end )); do :; done\n', { mode: 0o755 });
      const r = spawnSync('timeout', ['1.5', 'bash', '-c', directScript(300)], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
      const words = r.stdout.split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
      expect(words.slice(0, 5)).toEqual(['start', 'ok', 'ok', 'timeout', 'end']);
      expect(words[5]).toBe('start');
      const ops = directOps(r.stdout, (w) => w);
      const abandoned = ops.find((o) => o.outcome === 'unknown')!;
      expect(abandoned.completedAt - abandoned.invokedAt).toBeGreaterThanOrEqual(300);
      expect(abandoned.completedAt - abandoned.invokedAt).toBeLessThan(1000);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
