// lib.sh's peer counting, which the fence's recovery decision rests on: run in bash with
// PEERS as the image gets it and the peers' answers faked.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const lib = join(import.meta.dirname, 'lib.sh');

function run(script: string, env: Record<string, string>) {
  const r = spawnSync('bash', ['-c', `source "$0" && ${script}`, lib], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}

const PEERS = 'pg-1.railway.internal,pg-2.railway.internal,pg-3.railway.internal,pg-4.railway.internal';

describe('other_data_nodes', () => {
  it('lists every data node in PEERS but this one', () => {
    expect(run('other_data_nodes', { PEERS, NODE_HOST: 'pg-3.railway.internal' }).out.split('\n')).toEqual(['pg-1.railway.internal', 'pg-2.railway.internal', 'pg-4.railway.internal']);
  });
});

describe('standby_peer_count: the other data nodes answering as standbys right now', () => {
  // pg-2 a standby, pg-1 writable, pg-4 silent (its query fails as a cut link's does).
  const answers = 'peer_sql() { case "$1" in pg-2.*) echo t ;; pg-1.*) echo f ;; *) return 2 ;; esac; }';
  it('counts only the standbys: a primary and a silent node are not', () => {
    expect(run(`${answers}; standby_peer_count`, { PEERS, NODE_HOST: 'pg-3.railway.internal' }).out).toBe('1');
  });
  it('counts all three when every other data node answers as a standby', () => {
    expect(run('peer_sql() { echo t; }; standby_peer_count', { PEERS, NODE_HOST: 'pg-3.railway.internal' }).out).toBe('3');
  });
});
