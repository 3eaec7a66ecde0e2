// The postgres image's failover decisions (decide.sh), run in bash on the host: each is a
// pure function, so every case that matters is one row here, with no PostgreSQL and no
// Docker. The regressions the live suites found are rows too, named after what they caught.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callShell, sourcingSideEffects } from '../shell.ts';

const dir = import.meta.dirname;

function decide(fn: string, args: readonly (string | number)[], input = '') {
  const r = callShell(join(dir, 'decide.sh'), fn, args, input);
  return { ...r, out: r.out.trim() };
}
const answer = (fn: string, args: readonly (string | number)[], input = '') => decide(fn, args, input).out;
const holds = (fn: string, args: readonly (string | number)[]) => decide(fn, args).code === 0;
const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('elect_candidate: newest timeline, then WAL position, then priority', () => {
  const winner = (...positions: string[]) => answer('elect_candidate', [], lines(...positions)).split(' ').at(-1);
  const cases: [string, string[], string][] = [
    // repmgr elects by LSN first: under load pg-3 was promoted once instead of pg-2.
    ['the most advanced standby wins over a higher priority', ['2 5000 198 pg-2', '2 5100 197 pg-3', '2 4000 196 pg-4'], 'pg-3'],
    ['a tie on WAL position goes to the higher priority', ['2 5000 197 pg-3', '2 5000 198 pg-2', '2 4000 196 pg-4'], 'pg-2'],
    ['a newer timeline beats a higher WAL position', ['2 9000 198 pg-2', '3 100 196 pg-4'], 'pg-4'],
    ['positions compare as numbers, not text (10 > 9)', ['2 9 198 pg-2', '2 10 197 pg-3'], 'pg-3'],
    ['timelines compare as numbers, not text (10 > 9)', ['9 500 198 pg-2', '10 1 197 pg-3'], 'pg-3'],
    ['WAL positions past 32 bits', ['5 4294967296 196 pg-4', '5 4294967295 199 pg-1'], 'pg-4'],
    ['priorities compare as numbers (199 > 99)', ['2 5000 99 pg-2', '2 5000 199 pg-1'], 'pg-1'],
    ['a single node that answered is elected', ['4 123 197 pg-3'], 'pg-3'],
    ['a full tie goes to the host name that sorts last', ['2 5 100 pg-1', '2 5 100 pg-2'], 'pg-2'],
  ];
  for (const [name, positions, expected] of cases) {
    it(name, () => {
      expect(winner(...positions)).toBe(expected);
      expect(winner(...[...positions].reverse())).toBe(expected);
    });
  }
  it('prints the whole line, so the caller can log the position', () => {
    expect(answer('elect_candidate', [], lines('2 5000 198 pg-2', '3 1 197 pg-3'))).toBe('3 1 197 pg-3');
  });
  it('elects nobody from no positions', () => {
    expect(answer('elect_candidate', [], '')).toBe('');
  });
});

describe('newest_primary: the writable peer on the newest timeline, registered or not', () => {
  it.each([
    [['2 pg-1 t', '3 pg-2 f'], 'pg-2'],
    [['3 pg-2 f', '2 pg-1 t'], 'pg-2'],
    [['9 pg-1 t', '10 pg-3 t'], 'pg-3'],
    [['4 pg-4 t'], 'pg-4'],
    [[], ''],
  ])('%j -> %j', (peers, expected) => {
    expect(answer('newest_primary', [], peers.length ? lines(...peers) : '')).toBe(expected);
  });
});

describe('quorum_ok: a majority of the repmgr nodes (4 data nodes + the witness)', () => {
  it.each([
    [5, 5, true],
    [3, 5, true],
    [2, 5, false], // two of five must never elect: the other three may be electing too
    [0, 5, false],
    [3, 4, true],
    [2, 4, false], // half is not a majority
  ])('%i visible of %i -> %s', (visible, total, ok) => {
    expect(holds('quorum_ok', [visible, total])).toBe(ok);
  });
});

describe('election_may_count: every data node answered, or the grace period passed', () => {
  it.each([
    [4, 4, 0, 10, true],
    [3, 4, 0, 10, false], // after a full stop the first majority may lack the newest data
    [3, 4, 9, 10, false],
    [3, 4, 10, 10, true], // a slow node gets the grace period, no longer
    [3, 4, 11, 10, true],
    [1, 4, 10, 10, true],
  ])('%i of %i answered, %i s of %i s waited -> %s', (answered, nodes, waited, grace, ok) => {
    expect(holds('election_may_count', [answered, nodes, waited, grace])).toBe(ok);
  });
});

describe('election_outcome: promote this node, wait for another, or no election yet', () => {
  it.each([
    ['', 'pg-1', 'none'],
    ['2 5000 199 pg-1', 'pg-1', 'promote'],
    ['2 5000 199 pg-1', 'pg-2', 'wait'],
    ['2 5000 190 pg-10', 'pg-1', 'wait'], // the host, not a prefix of it
    ['2 5000 199 pg-1.railway.internal', 'pg-1.railway.internal', 'promote'],
  ])('winner %j, this node %s -> %s', (best, me, expected) => {
    expect(answer('election_outcome', [best, me])).toBe(expected);
  });
});

describe('election_winner (elect.sh): the one election, its I/O stubbed', () => {
  // The real function from elect.sh, with the answers of the nodes stubbed: what the boot-time
  // election and repmgrd's supervisor both call.
  function elect(visible: number, positions: string[], waited: number) {
    const script = `
      source "$0"; source "$1"
      log() { :; }
      visible_count() { printf '%s' "$VISIBLE"; }
      election_positions() { printf '%s' "$POSITIONS"; }
      election_winner "$WAITED"`;
    const r = spawnSync('bash', ['-c', script, join(dir, 'lib.sh'), join(dir, 'elect.sh')], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        PEERS: 'pg-1,pg-2,pg-3,pg-4',
        WITNESS_HOST: 'witness',
        VISIBLE: String(visible),
        POSITIONS: positions.length ? lines(...positions) : '',
        WAITED: String(waited),
      },
    });
    expect(r.status).toBe(0);
    return r.stdout.trim().split(' ').at(-1) ?? '';
  }
  const all = ['2 5000 199 pg-1', '2 5100 198 pg-2', '2 5100 197 pg-3', '2 4000 196 pg-4'];
  it('elects the most advanced node once a majority of five answers and every data node did', () => {
    expect(elect(5, all, 0)).toBe('pg-2');
  });
  it('holds no election with two of five nodes visible', () => {
    expect(elect(2, all, 60)).toBe('');
  });
  it('waits for the data node that has not answered, for the grace period only', () => {
    const three = all.slice(0, 1).concat(all.slice(2));
    expect(elect(4, three, 9)).toBe('');
    expect(elect(4, three, 10)).toBe('pg-3');
  });
});

describe('restart_decision: a data node restarted with its data', () => {
  it.each([
    ['pg-2', 'no', 'rejoin'], // never a second writable primary
    ['pg-2', 'yes', 'rejoin'],
    ['', 'yes', 'start-standby'],
    ['', 'no', 'elect'], // a former primary with no writable peer starts read-only and elects
  ])('writable peer %j, standby.signal %s -> %s', (primary, signal, expected) => {
    expect(answer('restart_decision', [primary, signal])).toBe(expected);
  });
});

describe('repair_decision: a standby whose repmgrd exited', () => {
  it.each([
    ['pg-1', 'yes', 'attached'],
    ['pg-1', 'no', 'follow'],
    ['', 'no', 'elect'], // repmgrd won't start while its upstream is down: hold its election
  ])('writable peer %j, attached %s -> %s', (primary, attached, expected) => {
    expect(answer('repair_decision', [primary, attached])).toBe(expected);
  });
});

describe('freeze_decision: a primary that wakes from a freeze', () => {
  it.each([
    ['false', 4001, 4000, 'no', 'fence'],
    ['false', 60000, 4000, 'no', 'fence'],
    ['false', 4000, 4000, 'no', 'stay'],
    ['false', 2500, 4000, 'no', 'stay'], // a freeze means 4 s, not 2: a loaded machine oversleeps a little
    ['true', 60000, 4000, 'no', 'stay'], // fenced already
    ['false', 60000, 4000, 'yes', 'stay'], // a standby has nothing to fence
  ])('fenced %s, overslept %i ms, bound %i ms, standby.signal %s -> %s', (fenced, frozen, bound, signal, expected) => {
    expect(answer('freeze_decision', [fenced, frozen, bound, signal])).toBe(expected);
  });
});

describe('isolation_decision: a primary that sees neither the witness nor a standby', () => {
  it.each([
    ['false', 0, 600000, 2000, 'unarmed'], // alone from the start (first boot): not cut off
    ['true', 10000, 12000, 2000, 'fence'],
    ['true', 10000, 11999, 2000, 'wait'],
    ['true', 10000, 15000, 2000, 'fence'],
    ['true', 10000, 10000, 2000, 'wait'], // the first miss starts the clock from the last answer
  ])('armed %s, last seen %i, now %i, delay %i -> %s', (armed, seen, now, delay, expected) => {
    expect(answer('isolation_decision', [armed, seen, now, delay])).toBe(expected);
  });
});

describe('stale_primary_decision: a primary that sees a peer primary', () => {
  it.each([
    [2, ['3 pg-2 t'], 'pg-2'],
    [2, ['3 pg-2 f'], 'pg-2'], // registered or not: the newer timeline is what makes this one stale
    [3, ['3 pg-2 t'], ''], // the same timeline is not newer
    [3, ['2 pg-2 t'], ''], // an older one steps down itself
    [3, ['2 pg-3 t', '4 pg-2 f', '5 pg-4 t'], 'pg-2'],
    [9, ['10 pg-2 t'], 'pg-2'], // numbers, not text
    [2, [], ''],
    ['', ['3 pg-2 t'], ''], // its own timeline unknown: decide nothing
  ])('own timeline %j, peers %j -> %j', (mine, peers, expected) => {
    expect(answer('stale_primary_decision', [mine], peers.length ? lines(...peers) : '')).toBe(expected);
  });
});

describe('fenced_recovery_decision: a fenced node whose peers answer again', () => {
  it('rejoins the primary a failover made', () => {
    expect(answer('fenced_recovery_decision', ['pg-2', 0, 3])).toBe('rejoin');
    expect(answer('fenced_recovery_decision', ['pg-2', 2, 3])).toBe('rejoin');
  });
  it('starts again as primary when every other data node answers as a standby: no failover happened', () => {
    expect(answer('fenced_recovery_decision', ['', 3, 3])).toBe('start-primary');
  });
  // The links came back one at a time: the new primary may be the one still silent.
  it.each([0, 1, 2])('waits while only %i of 3 other data nodes answer and none is primary', (standbys) => {
    expect(answer('fenced_recovery_decision', ['', standbys, 3])).toBe('wait');
  });
});

describe('detached_standby_decision: a standby the primary does not see streaming', () => {
  it.each([
    ['yes', 0, 600000, 30000, 'streaming'],
    ['no', 1000, 1000, 30000, 'wait'],
    ['no', 1000, 30999, 30000, 'wait'],
    ['no', 1000, 31000, 30000, 'rejoin'], // not seen streaming for 30 s: rejoin
    ['no', 1000, 90000, 30000, 'rejoin'],
  ])('streaming %s, since %i, now %i, bound %i -> %s', (streaming, since, now, bound, expected) => {
    expect(answer('detached_standby_decision', [streaming, since, now, bound])).toBe(expected);
  });
});

describe('promote_guard_decision: the witness asked whether it reaches the primary', () => {
  it.each([
    ['1', 'refuse'], // the primary is alive, cut off from the standbys only (repmgr #821)
    ['2', 'refuse'],
    ['10', 'refuse'],
    ['0', 'promote'],
    ['', 'promote'], // no answer: a dead witness must not stop a failover
    ['psql: error: timeout expired', 'promote'],
  ])('witness answers %j -> %s', (alive, expected) => {
    expect(answer('promote_guard_decision', [alive])).toBe(expected);
  });
});

describe('promote_exec_at_ms: when the promote command hands over to repmgr standby promote', () => {
  it.each([
    [1000, 3000, 12, 3988], // a dead or refusing primary: repmgr's search is instant, the whole delay is waited
    [1000, 3000, 2004, 1996], // a hung one on two addresses: the search's 2 s come out of the wait
    [1000, 3000, 3000, 1000], // the probe as long as the delay: at once
    [1000, 3000, 9000, 1000], // never before the promote command began
    [1000, 0, 500, 1000],
  ])('started %i, delay %i ms, probe %i ms -> at %i', (started, delay, probe, expected) => {
    expect(Number(answer('promote_exec_at_ms', [started, delay, probe]))).toBe(expected);
  });
});

describe('synchronous_names: what synchronous_standby_names a node runs with', () => {
  const peers = lines('pg-1', 'pg-2', 'pg-3', 'pg-4');
  it('asynchronous mode: none', () => {
    expect(answer('synchronous_names', ['off', 'false', ''], peers)).toBe('');
  });
  it('any1 on a data node: ANY 1 of the data nodes, each name quoted', () => {
    // Unquoted, pg-1 is no identifier and PostgreSQL refused to start (the mode's first CI run).
    expect(answer('synchronous_names', ['any1', 'false', ''], peers)).toBe('ANY 1 ("pg-1","pg-2","pg-3","pg-4")');
  });
  it('any1 on the witness: none (it has no standby, so its own commits would wait for ever)', () => {
    expect(answer('synchronous_names', ['any1', 'true', ''], peers)).toBe('');
  });
  it('drops the host suffix: a standby reports its bare cluster_name as application_name', () => {
    const hosts = lines('pg-1.railway.internal', 'pg-2.railway.internal');
    expect(answer('synchronous_names', ['any1', 'false', '.railway.internal'], hosts)).toBe('ANY 1 ("pg-1","pg-2")');
  });
  it('the suffix is taken literally, not as a pattern', () => {
    expect(answer('synchronous_names', ['any1', 'false', '.x'], lines('pg-1Ax', 'pg-2.x'))).toBe('ANY 1 ("pg-1Ax","pg-2")');
  });
  it('no data nodes: none, not an empty list PostgreSQL would refuse', () => {
    expect(answer('synchronous_names', ['any1', 'false', ''], '')).toBe('');
  });
  it('reads all of a pipe into it in every mode, so its writer never dies of SIGPIPE (the witness exited 141)', () => {
    for (const [mode, witness] of [['off', 'false'], ['any1', 'true'], ['any1', 'false']]) {
      // 20000 lines are 109 KB, past a 64 KiB pipe buffer: a reader that stops early kills the
      // writer. (200000 took 2.5 s a mode in bash's read loop and timed out on a busy machine.)
      const r = spawnSync('bash', ['-c', 'set -o pipefail; source "$0"; seq 1 20000 | synchronous_names "$1" "$2" "" >/dev/null', join(dir, 'decide.sh'), mode!, witness!], { env: { PATH: process.env.PATH } });
      expect(r.status, `${mode} witness=${witness}`).toBe(0);
    }
  });
  it('an unknown mode is not any1: none (the entrypoint refuses it before this)', () => {
    expect(answer('synchronous_names', ['ANY1', 'false', ''], peers)).toBe('');
  });
});

describe('decide.sh is pure', () => {
  it('sourcing it prints nothing and sets no variable', () => {
    expect(sourcingSideEffects(join(dir, 'decide.sh'))).toEqual({ code: 0, out: '' });
  });
});

describe("stalled_requests: repmgrd sockets to its upstream whose request is unanswered", () => {
  // Lines as `ss -tnpiOH state established` prints them (trimmed of the counters between).
  const sock = (recvQ: number, local: string, peer: string, proc: string, snd: number, rcv: number) =>
    `${recvQ}      0      ${local} ${peer}  users:(("${proc}",pid=159,fd=5))    bbr wscale:10,10 rto:208 rtt:4.871/6.589 send 211077807bps lastsnd:${snd} lastrcv:${rcv} lastack:${rcv} pacing_rate 12556959344bps delivered:81 app_limited busy:168ms`;
  const upstream = ['fde1:895a:7d20::5', '172.18.0.5'];
  const stalled = (bound: number, ...socks: string[]) => answer('stalled_requests', ['repmgrd', bound, ...upstream], lines(...socks));
  const me = '[fde1:895a:7d20::2]:44002';
  const primary = '[fde1:895a:7d20::5]:5432';
  it('names a request sent after the last answer and waiting the bound (ci10: a query in flight when the primary froze)', () => {
    expect(stalled(1000, sock(0, me, primary, 'repmgrd', 3816, 4832))).toBe(`${me} ${primary} 3816`);
  });
  it('leaves a request younger than the bound', () => {
    expect(stalled(1000, sock(0, me, primary, 'repmgrd', 999, 4832))).toBe('');
  });
  it('leaves an answered request however long ago it was sent (an idle connection)', () => {
    expect(stalled(1000, sock(0, me, primary, 'repmgrd', 65452, 65452))).toBe('');
    expect(stalled(1000, sock(0, me, primary, 'repmgrd', 9000, 8000))).toBe('');
  });
  it('leaves a socket with unread data: the answer came, repmgrd has not read it yet', () => {
    expect(stalled(1000, sock(24, me, primary, 'repmgrd', 3000, 9000))).toBe('');
  });
  it("leaves other processes' sockets: a walreceiver's feedback to an idle primary goes unanswered for seconds", () => {
    expect(stalled(1000, sock(0, me, primary, 'postgres', 4288, 24292))).toBe('');
    expect(stalled(1000, sock(0, me, primary, 'repmgr', 4288, 24292))).toBe('');
  });
  it('leaves requests to any other node: a sibling slow to answer during an election is waited for', () => {
    expect(stalled(1000, sock(0, me, '[fde1:895a:7d20::6]:5432', 'repmgrd', 5000, 9000))).toBe('');
    expect(stalled(1000, sock(0, '[fde1:895a:7d20::2]:49984', '[fde1:895a:7d20::2]:5432', 'repmgrd', 5000, 9000))).toBe('');
    expect(stalled(1000, sock(0, '172.18.0.2:40000', '172.18.0.55:5432', 'repmgrd', 5000, 9000))).toBe('');
  });
  it("names the upstream's IPv4 address too, and every stalled socket of several", () => {
    const v4 = sock(0, '172.18.0.2:40000', '172.18.0.5:5432', 'repmgrd', 2500, 7000);
    expect(stalled(1000, sock(0, me, primary, 'repmgrd', 10, 10), v4, sock(0, '[fde1:895a:7d20::2]:44010', primary, 'repmgrd', 1000, 1001)).split('\n')).toEqual([
      '172.18.0.2:40000 172.18.0.5:5432 2500',
      `[fde1:895a:7d20::2]:44010 ${primary} 1000`,
    ]);
  });
  it('with `*`, names a stalled request to any peer (the watchdog asks for its upstream only then)', () => {
    const sibling = sock(0, me, '[fde1:895a:7d20::6]:5432', 'repmgrd', 5000, 9000);
    const walreceiver = sock(0, '[fde1:895a:7d20::2]:44020', primary, 'postgres', 5000, 9000);
    expect(answer('stalled_requests', ['repmgrd', 1000, '*'], lines(sibling, walreceiver))).toBe(`${me} [fde1:895a:7d20::6]:5432 5000`);
    expect(answer('stalled_requests', ['repmgrd', 1000, '*'], lines(sock(0, me, primary, 'repmgrd', 65452, 65452), walreceiver))).toBe('');
  });
  it('names nothing without an upstream (a primary), and nothing for no sockets', () => {
    expect(answer('stalled_requests', ['repmgrd', 1000], lines(sock(0, me, primary, 'repmgrd', 3816, 4832)))).toBe('');
    expect(stalled(1000)).toBe('');
  });
});
