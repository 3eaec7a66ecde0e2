// The promote command (promote.sh) run in bash on the host with its clocks real and its
// peers faked: psql answers as the witness or as the old primary after a set time, and
// repmgr records when it was handed over to. What is asserted is what the command logged
// it decided (the hand-over point: the delay less what the probe cost, counted while a hung
// primary's probe still waits) and the order of things (repmgr no sooner than that point,
// never while the witness reaches the primary); the hung case's one timing assumption, that
// the wait loop runs within 2 s of its turn, has the delay's other half as slack.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callShell } from '../shell.ts';

const dir = import.meta.dirname;

interface Peers {
  delaySecs: number;
  /** Seconds the old primary takes to answer the probe's connect (a hung one: past the delay). */
  probeSecs: number;
  /** Shell that prints the witness's answer ('1': it reaches a writable primary), and after how long. */
  witness: string;
  witnessSecs: number;
}

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'pgha-promote-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Runs promote.sh against fake peers; returns its exit code, its log and the event times (ms). */
function promote(p: Peers): { code: number | null; log: string; events: Record<string, number[]>; startsInMs?: number; probedMs?: number; probeState?: string } {
  const events = join(work, 'events');
  const bin = join(work, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  // The lib the image installs, with what needs a node replaced: its repmgr metadata and
  // the name lookup.
  writeFileSync(
    join(work, 'lib.sh'),
    [
      `. ${join(dir, 'lib.sh')}`,
      `local_sql() { echo "host=old-primary port=5432 user=repmgr dbname=repmgr connect_timeout=1"; }`,
      // The old primary's name resolves until the case removes it.
      `addresses_of() { [ -e ${join(work, 'name-gone')} ] || echo '10.0.0.9 fd00::9'; }`,
      `note() { echo "$1 $(now_ms)" >> ${events}; }`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(bin, 'psql'),
    [
      '#!/bin/bash',
      `. ${join(work, 'lib.sh')}`,
      'case "$*" in',
      `  *host=witness*) note witness-asked; sleep ${p.witnessSecs}; ${p.witness} ;;`,
      // exec: the probe's timeout must end the wait itself, as it ends a real psql.
      `  *host=old-primary*) note probe-started; exec sleep ${p.probeSecs} ;;`,
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  writeFileSync(join(bin, 'repmgr'), `#!/bin/bash\n. ${join(work, 'lib.sh')}\nnote repmgr\n`, { mode: 0o755 });
  const r = spawnSync('bash', ['-c', `. ${join(work, 'lib.sh')}; note started; bash ${join(dir, 'promote.sh')}`], {
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      PGHA_LIB: join(work, 'lib.sh'),
      PGHA_PROMOTE_DELAY_SECS: String(p.delaySecs),
      PGHA_WITNESS_QUESTION_MS: '500',
      WITNESS_HOST: 'witness',
      PG_PORT: '5432',
      NODE_NAME: 'pg-2',
      REPMGR_CONF: '/dev/null',
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const times: Record<string, number[]> = {};
  for (const line of readFileSync(events, 'utf8').trim().split('\n')) {
    const [what, ms] = line.split(' ');
    (times[what!] ??= []).push(Number(ms));
  }
  const log = r.stdout + r.stderr;
  const m = /took (\d+) ms \(([^)]*)\).*starts (\d+) ms in/.exec(log);
  return { code: r.status, log, events: times, ...(m ? { probedMs: Number(m[1]), probeState: m[2], startsInMs: Number(m[3]) } : {}) };
}

describe('promote.sh: when it hands over to repmgr standby promote', () => {
  it('against a hung primary, while the probe of it still waits (repmgr spends that time again on its search)', () => {
    // The probe waits until its timeout, the delay; the hand-over comes about half-way.
    const r = promote({ delaySecs: 4, probeSecs: 30, witness: 'true', witnessSecs: 0.3 });
    expect(r.code, r.log).toBe(0);
    expect(r.probeState).toBe('so far, still waiting');
    expect(r.startsInMs).toBe(4000 - r.probedMs!);
    expect(r.events.repmgr![0]! - r.events.started![0]!).toBeGreaterThanOrEqual(r.startsInMs!);
    expect(r.events['witness-asked']).toHaveLength(1);
  });

  it("against a hung primary whose name no longer resolves, after the whole delay (repmgr's search will not wait on it)", () => {
    // A killed container: its address went silent for the probe, then its name went.
    writeFileSync(join(work, 'name-gone'), '');
    const r = promote({ delaySecs: 2, probeSecs: 30, witness: 'true', witnessSecs: 0 });
    expect(r.code, r.log).toBe(0);
    expect(r.probeState).toMatch(/^so far, still waiting; not counted: old-primary no longer resolves/);
    expect(r.startsInMs).toBe(2000);
    expect(r.events.repmgr![0]! - r.events.started![0]!).toBeGreaterThanOrEqual(2000);
  });

  it('against a primary that refuses at once, after the whole delay, the witness asked again near its end', () => {
    const r = promote({ delaySecs: 2, probeSecs: 0, witness: 'echo 0', witnessSecs: 0 });
    expect(r.code, r.log).toBe(0);
    const [started] = r.events.started!;
    expect(r.probeState).toBe('done');
    expect(r.startsInMs).toBe(2000 - r.probedMs!);
    expect(r.events.repmgr![0]! - started!).toBeGreaterThanOrEqual(r.startsInMs!);
    const asked = r.events['witness-asked']!;
    expect(asked).toHaveLength(2);
    expect(asked[1]! - started!).toBeGreaterThanOrEqual(r.startsInMs! - 500);
  });

  it('not at all while the witness reaches a writable primary', () => {
    const r = promote({ delaySecs: 2, probeSecs: 0, witness: 'echo 1', witnessSecs: 0 });
    expect(r.code).toBe(1);
    expect(r.events.repmgr).toBeUndefined();
    expect(r.log).toContain('it is alive, not promoting');
  });

  it('not at all when the witness reaches it on the second question', () => {
    // The first answer is nothing (say the witness's own link blinked); the second, near the
    // end of the wait, finds the primary.
    const asked = join(work, 'asked');
    const r = promote({ delaySecs: 2, probeSecs: 0, witness: `if [ -e ${asked} ]; then echo 1; else touch ${asked}; echo 0; fi`, witnessSecs: 0 });
    expect(r.code, r.log).toBe(1);
    expect(r.events['witness-asked']).toHaveLength(2);
    expect(r.events.repmgr).toBeUndefined();
  });
});

describe('conninfo_host: the host the old primary is probed at (lib.sh)', () => {
  it.each([
    // repmgr rewrites the conninfo it stores: the host is not first.
    ['user=repmgr connect_timeout=1 dbname=repmgr host=pg-1.railway.internal port=5432 keepalives=1', 'pg-1.railway.internal'],
    ['host=pg-2 port=5432', 'pg-2'],
    ['port=5432 user=repmgr', ''],
  ])('%s -> %j', (conninfo, host) => {
    expect(callShell(join(dir, 'lib.sh'), 'conninfo_host', [conninfo]).out.trim()).toBe(host);
  });
});
