// The pgpool reconciler's decisions (decide.sh), run in bash on the host: pure functions, so
// each case that matters is a row here, with no pgpool and no Docker. The regressions the
// live suites found are rows too.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callShell, sourcingSideEffects } from '../shell.ts';

const dir = import.meta.dirname;

function decide(fn: string, args: readonly (string | number)[], input = '') {
  const r = callShell(join(dir, 'decide.sh'), fn, args, input);
  expect(r.code).toBe(0);
  return r.out;
}
const outLines = (s: string) => s.split('\n').filter((l) => l !== '');

describe("pcp_stats_rows: pgpool's view, from pcp_health_check_stats read by field name", () => {
  it('reads the output pgpool 4.6.1 printed in this image', () => {
    const real = readFileSync(join(dir, 'testdata', 'pcp_health_check_stats-v.txt'), 'utf8');
    expect(outLines(decide('pcp_stats_rows', [], real))).toEqual([
      '0 pg-1.railway.internal 5432 3 down standby',
      '1 pg-2.railway.internal 5432 3 down standby',
      '2 pg-3.railway.internal 5432 2 up primary',
      '3 pg-4.railway.internal 5432 2 up standby',
    ]);
  });

  const block = (id: number, host: string, status: string, role: string, extra = '') =>
    [
      `Node Id                       : ${id}`,
      `Host Name                     : ${host}`,
      'Port                          : 5432',
      `Status                        : ${status}`,
      `Role                          : ${role}`,
      extra,
      'Last Status Change            : 2026-12-01 02:45:19',
      'Total Count                   : 85',
    ]
      .filter((l) => l !== '')
      .join('\n');

  it("gives pgpool's number for each status name, and - for a name it does not know", () => {
    const rows = [block(0, 'pg-1', 'waiting', 'standby'), block(1, 'pg-2', 'up', 'primary'), block(2, 'pg-3', 'down', 'standby'), block(3, 'pg-4', 'unused', 'standby')];
    expect(outLines(decide('pcp_stats_rows', [], `${rows.join('\n')}\n`))).toEqual([
      '0 pg-1 5432 1 waiting standby',
      '1 pg-2 5432 2 up primary',
      '2 pg-3 5432 3 down standby',
      '3 pg-4 5432 - unused standby',
    ]);
  });
  it('takes the index from Node Id, needs no blank line between nodes, and ignores fields it does not know', () => {
    const two = `${block(2, 'pg-3', 'up', 'primary', 'Some New Field : x y')}\n${block(3, 'pg-4', 'down', 'standby')}\n`;
    expect(outLines(decide('pcp_stats_rows', [], two))).toEqual(['2 pg-3 5432 2 up primary', '3 pg-4 5432 3 down standby']);
  });
  it('keeps colons in values (IPv6 addresses, Railway names)', () => {
    const v6 = `${block(0, 'fd12::5', 'up', 'standby')}\n\n${block(1, 'pg-2.railway.internal', 'waiting', 'standby')}\n`;
    expect(outLines(decide('pcp_stats_rows', [], v6))).toEqual(['0 fd12::5 5432 2 up standby', '1 pg-2.railway.internal 5432 1 waiting standby']);
  });
  it('prints - for an empty field, so the columns after it stay in place', () => {
    expect(outLines(decide('pcp_stats_rows', [], `${block(0, 'pg-1', '', 'standby')}\n`))).toEqual(['0 pg-1 5432 - - standby']);
  });
  it('prints nothing for no output', () => {
    expect(decide('pcp_stats_rows', [], '')).toBe('');
  });
});

describe('probe_role: the node asked for is the one that answered', () => {
  it.each([
    ['pg-1', 'pg-1 primary', 'primary'],
    ['pg-2', 'pg-2 standby', 'standby'],
    ['pg-1.railway.internal', 'pg-1 standby', 'standby'],
    ['pg-1', 'pg-3 primary', ''], // a stale /etc/hosts entry: another node at pg-1's old address
    ['pg-10', 'pg-1 primary', ''],
    ['pg-1', '', ''], // no answer in time
  ])('%s answered %j -> %j', (host, out, expected) => {
    expect(decide('probe_role', [host, out])).toBe(expected);
  });
});

describe('hosts_entry_decision: /etc/hosts follows DNS, and survives its outages', () => {
  it.each([
    ['172.18.0.5', '172.18.0.4', 'update'], // a restarted container came back on another address
    ['172.18.0.5', '', 'update'],
    ['172.18.0.5', '172.18.0.5', 'keep'],
    ['', '172.18.0.4', 'keep'], // DNS failed: the entry is what /etc/hosts is for
    ['', '', 'keep'],
  ])('DNS %j, file %j -> %s', (dns, file, expected) => {
    expect(decide('hosts_entry_decision', [dns, file]).trim()).toBe(expected);
  });
});

describe('iptables_for: a rule against a hung backend goes in with its address family', () => {
  it.each([
    ['fd3c:9a1e:77::4', 'ip6tables'], // what a dual-stack (or IPv6-only) name resolves to first
    ['::ffff:172.18.0.4', 'ip6tables'],
    ['172.18.0.4', 'iptables'],
  ])('%s -> %s', (address, tool) => {
    expect(decide('iptables_for', [address]).trim()).toBe(tool);
  });
});

describe('ss_address: the backend address as ss -K filters by it', () => {
  it.each([
    ['fd3c:9a1e:77::4', '[fd3c:9a1e:77::4]'], // ss refuses a bare IPv6 address ("an inet prefix is expected")
    ['172.18.0.4', '172.18.0.4'],
  ])('%s -> %s', (address, filter) => {
    expect(decide('ss_address', [address]).trim()).toBe(filter);
  });
});

describe('address_restart_decision: pgpool restarts once, after the addresses hold still', () => {
  it.each([
    ['yes', 'no', 'wait'], // the first move: more may follow (a full-cluster start)
    ['yes', 'yes', 'wait'], // still moving: one restart for every move
    ['no', 'yes', 'restart'], // a quiet round after moves
    ['no', 'no', 'none'],
  ])('moved %s, pending %s -> %s', (moved, pending, expected) => {
    expect(decide('address_restart_decision', [moved, pending]).trim()).toBe(expected);
  });
});

describe('hosts_with_entry: one entry per host, the others kept', () => {
  const hosts = '127.0.0.1\tlocalhost\n172.18.0.4\tpg-1\n172.18.0.9\tpg-10\n172.18.0.7 abc123 pg-2\n172.18.0.8\tpg-1x\n';
  it("replaces the host's entry and keeps hosts whose names only start the same", () => {
    expect(decide('hosts_with_entry', ['pg-1', '172.18.0.5'], hosts)).toBe(
      '127.0.0.1\tlocalhost\n172.18.0.9\tpg-10\n172.18.0.7 abc123 pg-2\n172.18.0.8\tpg-1x\n172.18.0.5\tpg-1\n',
    );
  });
  it('adds a host the file did not have', () => {
    expect(decide('hosts_with_entry', ['pg-3', '172.18.0.6'], '127.0.0.1\tlocalhost\n')).toBe('127.0.0.1\tlocalhost\n172.18.0.6\tpg-3\n');
  });
});

describe("reconcile_plan: pgpool's view against the backends' own answers", () => {
  /** rows: "<index> <status> <status name> <role> <probe> <missed>" */
  const plan = (rows: string[], hung = 2) => outLines(decide('reconcile_plan', [hung], `${rows.join('\n')}\n`));
  const acts = (rows: string[], hung = 2) => plan(rows, hung).filter((l) => !l.startsWith('missed '));
  const healthy = ['0 2 up primary primary 0', '1 2 up standby standby 0', '2 2 up standby standby 0', '3 2 up standby standby 0'];

  it('does nothing to a healthy cluster but keep the miss counts at 0', () => {
    expect(plan(healthy)).toEqual(['missed 0 0', 'missed 1 0', 'missed 2 0', 'missed 3 0']);
  });

  it('re-attaches a standby pgpool marked down that serves', () => {
    expect(acts([healthy[0], '1 3 down standby standby 0', healthy[2], healthy[3]])).toEqual(['attach 1 standby']);
  });

  it('re-attaches a primary marked down by mistake when it is the one writable node (clients hung 30 s without)', () => {
    expect(acts(['0 3 down primary primary 0', healthy[1], healthy[2], healthy[3]])).toEqual(['attach 0 primary']);
  });

  it('re-attaches the real primary when the node pgpool promoted instead is a standby (after a full restart)', () => {
    // pgpool takes node 1 for the primary; node 1 says standby; node 0, marked down, is the primary.
    expect(acts(['0 3 down standby primary 0', '1 2 up primary standby 0', healthy[2], healthy[3]])).toEqual(['attach 0 primary']);
  });

  it('never attaches a second writable node: an unfenced old primary next to the new one', () => {
    expect(acts(['0 3 down standby primary 0', '1 2 up primary primary 0', healthy[2], healthy[3]])).toEqual([]);
  });

  it('attaches no writable node while two say they are primary, whatever pgpool believes', () => {
    expect(acts(['0 3 down standby primary 0', '1 3 down standby primary 0', healthy[2], healthy[3]])).toEqual([]);
  });

  it("moves pgpool's primary to the node that is primary (a hung primary woke and rejoined as a standby)", () => {
    expect(acts(['0 2 up primary standby 0', '1 2 up standby primary 0', healthy[2], healthy[3]])).toEqual(['promote 1 0']);
  });

  it('names no node when pgpool takes none for the primary', () => {
    expect(acts(['0 2 up standby standby 0', '1 2 up standby standby 0', '2 2 up standby primary 0', healthy[3]])).toEqual([
      'promote 2 none',
    ]);
  });

  it('moves nothing to a node pgpool marked down (it is attached first) or while two are writable', () => {
    expect(acts(['0 2 up primary standby 0', '1 3 down standby primary 0', healthy[2], healthy[3]])).toEqual(['attach 1 primary']);
    expect(acts(['0 2 up primary standby 0', '1 2 up standby primary 0', '2 2 up standby primary 0', healthy[3]])).toEqual([]);
  });

  it('promotes before it acts on each node, and acts on the nodes in order', () => {
    expect(plan(['0 2 up primary standby 0', '1 2 up standby primary 0', '2 3 down standby standby 0', '3 2 up standby - 1'])).toEqual([
      'promote 1 0',
      'missed 0 0',
      'missed 1 0',
      'missed 2 0',
      'attach 2 standby',
      'missed 3 2',
      'cut 3',
      'detach 3',
    ]);
  });

  it('cuts off and detaches a node after the set number of missed rounds, once', () => {
    expect(plan(['0 2 up standby - 0'])).toEqual(['missed 0 1']);
    expect(plan(['0 2 up standby - 1'])).toEqual(['missed 0 2', 'cut 0', 'detach 0']);
    expect(plan(['0 3 down standby - 2'])).toEqual(['missed 0 3']);
    expect(plan(['0 2 up standby - 1'], 3)).toEqual(['missed 0 2']);
    expect(plan(['0 2 up standby - 2'], 3)).toEqual(['missed 0 3', 'cut 0', 'detach 0']);
  });

  it("cuts off pgpool's primary at its bound but does not detach it: that would start pgpool's search before the promotion", () => {
    expect(plan(['0 2 up primary - 1', healthy[1], healthy[2], healthy[3]])).toEqual(['missed 0 2', 'cut 0', 'missed 1 0', 'missed 2 0', 'missed 3 0']);
  });

  it('cuts off but does not detach a node pgpool marked down already', () => {
    expect(plan(['0 3 down standby - 1'])).toEqual(['missed 0 2', 'cut 0']);
  });

  it('removes the cut when a node that was cut off answers again, not before', () => {
    expect(plan(['0 2 up standby standby 2'])).toEqual(['restore 0', 'missed 0 0']);
    expect(plan(['0 2 up standby standby 5'])).toEqual(['restore 0', 'missed 0 0']);
    expect(plan(['0 2 up standby standby 1'])).toEqual(['missed 0 0']);
  });

  it('restores, then re-attaches, a hung standby that woke up marked down', () => {
    expect(plan(['0 3 down standby standby 2'])).toEqual(['restore 0', 'missed 0 0', 'attach 0 standby']);
  });

  it("retires pgpool's primary when it answers nothing and another node is the one primary (a kill: pgpool fails over now)", () => {
    expect(acts(['0 2 up primary - 0', '1 2 up standby primary 0', healthy[2], healthy[3]])).toEqual(['retire 0 1']);
    // No retire while pgpool's primary answers (it moves instead), is marked down already,
    // or while no single node says primary.
    expect(acts(['0 2 up primary standby 0', '1 2 up standby primary 0', healthy[2], healthy[3]])).toEqual(['promote 1 0']);
    // Marked down while pgpool still takes it for the primary: pgpool's own failover is
    // searching, and finds node 1 itself; a promote would fail over a second time.
    expect(acts(['0 3 down primary - 0', '1 2 up standby primary 0', healthy[2], healthy[3]])).toEqual([]);
    expect(acts(['0 3 down primary standby 0', '1 2 up standby primary 0', healthy[2], healthy[3]])).toEqual(['attach 0 standby']);
    expect(acts(['0 2 up primary - 0', '1 2 up standby primary 0', '2 2 up standby primary 0', healthy[3]])).toEqual([]);
    expect(acts(['0 2 up primary - 0', healthy[1], healthy[2], healthy[3]])).toEqual([]);
  });

  it('cuts off a retired primary that reached its bound, and detaches it once (the retire)', () => {
    expect(acts(['0 2 up primary - 1', '1 2 up standby primary 0', healthy[2], healthy[3]])).toEqual(['retire 0 1', 'cut 0']);
  });
});

describe('fresh_answer: a watcher answer counts while it is recent', () => {
  const fresh = (now: number, stale: number, file: string) => decide('fresh_answer', [now, stale], file).trim();
  it('gives the role of a recent answer, and - for an old one, a missing one or a garbled one', () => {
    expect(fresh(10_000_000, 1_500_000, '9000000 primary\n')).toBe('primary');
    expect(fresh(10_000_000, 1_500_000, '8500000 standby\n')).toBe('standby');
    expect(fresh(10_000_000, 1_500_000, '8499999 standby\n')).toBe('-');
    expect(fresh(10_000_000, 1_500_000, '9900000 -\n')).toBe('-');
    expect(fresh(10_000_000, 1_500_000, '')).toBe('-');
    expect(fresh(10_000_000, 1_500_000, 'x primary\n')).toBe('-');
    expect(fresh(10_000_000, 1_500_000, '9900000\n')).toBe('-');
  });
});

describe('reconcile_plan agrees with the inline logic it replaced (6722da1)', () => {
  // Seeded, so a failure names a case that can be run again.
  let seed = 13;
  const rand = (n: number) => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const states = [['2', 'up'], ['1', 'waiting'], ['3', 'down']] as const;
  const cases = Array.from({ length: 150 }, () => ({
    hung: 2 + rand(2),
    rows: Array.from({ length: 4 }, (_, i) => {
      const [status, name] = states[rand(3)];
      return `${i} ${status} ${name} ${['primary', 'standby'][rand(4) === 0 ? 0 : 1]} ${['primary', 'standby', '-'][rand(3)]} ${rand(4)}`;
    }),
  }));
  it(`on ${cases.length} random clusters of four backends`, () => {
    const script = `
      source "$0"; source "$1"
      while read -r hung; do
        IFS= read -r rows
        new=$(tr ';' '\n' <<< "$rows" | reconcile_plan "$hung")
        printf 'PLAN %s\n' "$(tr '\n' ' ' <<< "$new")"
        # The changes since: a retire where pgpool's primary answers nothing, which promoted
        # the new primary instead (and so marked every standby down); no detach of pgpool's
        # primary for its silence alone.
        # And no promote while pgpool's primary is marked down: its own failover is under way.
        read -r believed believed_status < <(tr ';' '\n' <<< "$rows" | awk '$4 == "primary" { print $1, $3; exit }')
        new=$(sed -E 's/^retire ([0-9]+) ([0-9]+)$/promote \\2 \\1/' <<< "$new")
        old=$(tr ';' '\n' <<< "$rows" | inline_plan "$hung" | sed "/^detach \${believed:-none}\$/d")
        [ "\${believed_status:-}" != down ] || old=$(sed "/^promote [0-9]* \${believed}\$/d" <<< "$old")
        [ "$new" = "$old" ] || printf 'MISMATCH hung %s rows %s new: %s old: %s\n' "$hung" "$rows" "$new" "$old"
      done`;
    const input = cases.map((c) => `${c.hung}\n${c.rows.join(';')}\n`).join('');
    const r = spawnSync('bash', ['-c', script, join(dir, 'decide.sh'), join(dir, 'testdata', 'reconcile-inline-6722da1.sh')], {
      input,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(r.status).toBe(0);
    const out = outLines(r.stdout);
    expect(out.filter((l) => l.startsWith('MISMATCH'))).toEqual([]);
    const plans = out.filter((l) => l.startsWith('PLAN'));
    expect(plans).toHaveLength(cases.length);
    // The sample reaches every kind of action, so agreeing means something.
    for (const action of ['retire', 'promote', 'attach', 'cut', 'detach', 'restore']) {
      expect(plans.some((p) => p.includes(` ${action} `))).toBe(true);
    }
  }, 30_000); // hundreds of bash rounds: seconds on a loaded machine
});

describe("main_moved_node: pgpool moved its main node off a standby it still has up", () => {
  it('finds the node in the line pgpool 4.6.1 logged in this image, and in no other line of that log', () => {
    const lines = outLines(readFileSync(join(dir, 'testdata', 'pgpool-main-moved.txt'), 'utf8'));
    const found = lines.map((l) => decide('main_moved_node', [l]));
    expect(found.filter((f) => f !== '')).toEqual(['0\n']);
    expect(found.at(-1)).toBe('0\n');
  });
  it('reads a node index of more than one digit and a main node of -1 (none left)', () => {
    expect(decide('main_moved_node', ['2026-12-01 06:22:11.719: child pid 977: LOG:  main node 12 is down. Update main node to -1'])).toBe('12\n');
  });
  it('prints nothing for a failover pgpool made itself, or a line that only mentions a main node', () => {
    expect(decide('main_moved_node', ['2026-12-01 06:21:17.471: main pid 24: LOG:  failover: set new main node: 1'])).toBe('');
    expect(decide('main_moved_node', ['main node 0 is down'])).toBe('');
  });
});

describe('main_moved_decision: what the reconciler does about it', () => {
  it.each([
    ['up', 'standby', 'detach'],
    ['waiting', 'standby', 'detach'],
    ['down', 'standby', 'none'],
    ['up', 'primary', 'none'],
    ['waiting', 'primary', 'none'],
  ])('pgpool shows the node %s, %s: %s', (status, role, want) => {
    expect(decide('main_moved_decision', [status, role])).toBe(`${want}\n`);
  });
});

describe('decide.sh is pure', () => {
  it('sourcing it prints nothing and sets no variable', () => {
    expect(sourcingSideEffects(join(dir, 'decide.sh'))).toEqual({ code: 0, out: '' });
  });
});
