// Failover, measured under a write load through both routers. Every test breaks the
// shared cluster and puts it back: the trial heals every fault and waits until the
// cluster is formed again (around whichever node is primary now) before it returns.
import { describe, expect, inject, it } from 'vitest';
import { underLoad, type Trial } from '../chaos/trial.ts';
import { noDuplicateWrites, noLostWrites, recoveryClocks, singleWritablePrimary, splitBrains, timelineSwitches, type RecoveryClocks } from '../chaos/checkers/index.ts';
import type { RunHistory } from '../model/history.ts';
import { execIn } from '../fixtures/docker.ts';
import { appCredentials, queryOnce, repmgrCredentials, endpointOf } from '../cluster/clients.ts';
import { logSince } from '../cluster/node-logs.ts';
import { switchover } from '../cluster/switchover.ts';
import { dataNodes, node, privateHost, routers, type NodeName } from '../model/topology.ts';
import { roles, serviceStatus, streamingStandbys, writablePrimary } from '../cluster/observe.ts';
import { eventually } from '../cluster/wait.ts';
import { record } from '../reports/run-report.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import { CLAIMS, toMs } from '../model/claims.ts';
import { expectedWinner, positionsAtElection, type StandbyReading, type StandbySample } from './support/election.ts';
import { waitFormed } from '../cluster/boot.ts';

const info = inject('cluster');
const SUITE = 'failover';
/** The cluster's claim: clients write again within the failover budget of losing the primary. */
const FAILOVER_BUDGET_MS = toMs(CLAIMS.failoverBudgetSecs);
/** A hung primary is noticed more slowly (each check waits connect_timeout). */
const HUNG_BUDGET_MS = toMs(CLAIMS.hungPrimaryBudgetSecs);
/** How long the hung primary stays paused: well past the budget, so waking it can't be what recovers clients. */
const HUNG_HOLD_MS = toMs(CLAIMS.hungPrimaryHoldSecs);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each standby's recovery state and last received WAL position, read at once. */
async function readStandbys(i: ClusterInfo, standbys: readonly NodeName[]): Promise<StandbyReading> {
  const out = new Map<NodeName, StandbySample>();
  await Promise.all(
    standbys.map(async (n) => {
      const rows = await queryOnce<{ recovery: boolean; lsn: string }>(
        endpointOf(i, n),
        repmgrCredentials(i),
        "SELECT pg_is_in_recovery() AS recovery, (pg_last_wal_receive_lsn() - '0/0')::text AS lsn",
      );
      out.set(n, { inRecovery: rows[0]!.recovery, lsn: BigInt(rows[0]!.lsn) });
    }),
  );
  return out;
}

/** Records the three clocks (and the timeline gap read back from the rows) of each fault. */
function recordClocks(test: string, h: RunHistory, untilHeal = true): RecoveryClocks[] {
  // The trial heals only after clients write again; what the heal then does (the old
  // primary rejoining, a router re-attaching it) is not this failover's recovery.
  const healed = untilHeal ? Math.min(...h.faults.map((f) => f.healedAt ?? h.endedAt)) : h.endedAt;
  const clocks = recoveryClocks({ ...h, endedAt: Math.min(h.endedAt, healed) });
  for (const c of clocks) {
    const subject = `${test}: ${c.label}`;
    if (c.databaseMs !== null) record(info.runId, { suite: SUITE, name: 'database clock (new primary writable)', value: c.databaseMs / 1000, unit: 's', subject });
    for (const [router, ms] of Object.entries(c.routerMs)) {
      if (ms !== null && ms !== undefined) record(info.runId, { suite: SUITE, name: `router clock (${router} routes writes to it)`, value: ms / 1000, unit: 's', subject });
    }
    if (c.clientMs !== null) record(info.runId, { suite: SUITE, name: 'client clock (first good write after the last failed one)', value: c.clientMs / 1000, unit: 's', subject });
    record(info.runId, { suite: SUITE, name: 'failed or unknown client writes', value: c.failedWrites, unit: 'count', subject });
  }
  for (const s of timelineSwitches(h.rows ?? [])) {
    record(info.runId, { suite: SUITE, name: 'write gap between timelines (from the rows)', value: s.gapMs / 1000, unit: 's', subject: `${test}: timeline ${s.fromTimeline} -> ${s.toTimeline}` });
  }
  return clocks;
}

/**
 * Acknowledged writes must all be on the new primary. Asynchronous replication may lose
 * the last few: counted, reported with their ids, and tolerated only in that mode.
 */
function expectNoLostWrites(test: string, h: RunHistory): void {
  const lost = noLostWrites(h);
  // Counted from the operations and rows, not the verdict's evidence (which is capped).
  const present = new Set((h.rows ?? []).map((r) => r.id));
  const lostIds = h.ops.filter((o) => o.kind === 'write' && o.outcome === 'ok' && !present.has(o.key)).map((o) => `${o.id} (key ${o.key})`);
  record(info.runId, { suite: SUITE, name: 'acknowledged writes lost', value: lostIds.length, unit: 'count', subject: test });
  if (lostIds.length > 0) {
    console.warn(`[${test}] ${lostIds.length} acknowledged write(s) lost (${info.synchronousMode === 'off' ? 'asynchronous mode: counted, not failed' : 'synchronous mode'}): ${lostIds.join(', ')}`);
  }
  const others = lost.evidence.filter((e) => !e.includes('acknowledged, missing'));
  expect(others, 'failed writes applied, or rows no operation wrote').toEqual([]);
  if (info.synchronousMode !== 'off') expect(lostIds, 'synchronous mode loses no acknowledged write').toEqual([]);
  expect(noDuplicateWrites(h).status).toBe('pass');
}

/**
 * Synchronous mode: the primary after a failover again makes commits wait for ANY 1 of
 * its standbys. Read from the node itself: its setting, and the standbys it counts in the
 * quorum (pg_stat_replication's sync_state 'quorum' means a standby's flush can release a
 * commit); none within the budget fails the wait.
 */
async function expectSynchronousAgain(test: string, primary: NodeName): Promise<void> {
  const creds = repmgrCredentials(info);
  const [setting] = await queryOnce<{ names: string }>(endpointOf(info, primary), creds, "SELECT current_setting('synchronous_standby_names') AS names");
  expect(setting?.names, `${primary}'s synchronous_standby_names`).toMatch(/^ANY 1 \(/);
  const quorum = await eventually(
    async () => {
      const rows = await queryOnce<{ application_name: string }>(endpointOf(info, primary), creds, "SELECT application_name FROM pg_stat_replication WHERE sync_state = 'quorum'");
      return rows.length > 0 ? rows.map((r) => r.application_name) : undefined;
    },
    { timeoutMs: FAILOVER_BUDGET_MS, intervalMs: 200, what: `a standby in ${primary}'s synchronous quorum` },
  );
  record(info.runId, { suite: SUITE, name: 'standbys in the new primary\'s synchronous quorum', value: quorum.length, unit: 'count', subject: `${test}: ${primary}` });
}

// In a pgpool container, for pgpool's user (postgres): TCP resets to every address of the
// node named by $1 on port 5432, and their removal.
const REFUSE_FIRST_NODE = `set -e
for ip in $(getent ahosts "$1" | awk '{print $1}' | sort -u); do
  case $ip in *:*) t=ip6tables ;; *) t=iptables ;; esac
  $t -I OUTPUT -d "$ip" -p tcp --dport 5432 -m owner --uid-owner postgres -j REJECT --reject-with tcp-reset
done`;
const LIFT_REFUSAL = `for ip in $(getent ahosts "$1" | awk '{print $1}' | sort -u); do
  case $ip in *:*) t=ip6tables ;; *) t=iptables ;; esac
  while $t -D OUTPUT -d "$ip" -p tcp --dport 5432 -m owner --uid-owner postgres -j REJECT --reject-with tcp-reset 2>/dev/null; do :; done
done`;

/** PGHA_FENCE_AFTER_SECS in the image: how long a cut-off or frozen primary may stay writable. */
const FENCE_DELAY_MS = toMs(CLAIMS.fenceDelaySecs);

/**
 * A frozen primary wakes up writable, and no fence can act while it is frozen: the overlap
 * with the new primary must stay under the fencing delay, and is reported.
 */
function expectOverlapUnderFenceDelay(test: string, h: RunHistory): void {
  const brains = splitBrains(h.samples);
  const overlapMs = brains.reduce((sum, b) => sum + (b.to - b.from), 0);
  record(info.runId, { suite: SUITE, name: 'two writable primaries (sampled overlap)', value: overlapMs / 1000, unit: 's', subject: test });
  for (const b of brains) expect(b.to - b.from, `${b.nodes.join(' + ')} writable together`).toBeLessThan(FENCE_DELAY_MS);
}

function expectSinglePrimary(h: RunHistory): void {
  const v = singleWritablePrimary(h);
  expect(v.evidence, v.summary).toEqual([]);
  expect(v.status).toBe('pass');
}

/**
 * Kills (or stops, or pauses) the primary and waits for the rule's winner to take over.
 * `beforeFault` runs right before the fault goes in, with the primary and its standbys.
 */
async function losePrimary(
  t: Trial,
  fault: 'kill' | 'stop' | 'pause',
  timeoutMs: number,
  beforeFault?: (primary: NodeName, standbys: readonly NodeName[]) => Promise<void>,
): Promise<{ old: NodeName; winner: NodeName; expected: NodeName }> {
  const old = await t.primary();
  const now = await roles(t.info());
  const standbys = dataNodes().map((n) => n.name).filter((n) => now[n] === true);
  await beforeFault?.(old, standbys);
  const ev = await t.nemesis.inject({ fault, target: { nodes: [old] }, label: `${fault} ${old} (the primary)` });
  // A fault that did not go in (docker pause once failed: "unable to freeze") says so,
  // rather than as a failover that never came.
  expect(ev.status, ev.reason).toBe('injected');
  const elected = t.newPrimary(old, timeoutMs);
  const [{ lsns, arrivedAfterFault }, winner] = await Promise.all([positionsAtElection(() => readStandbys(t.info(), standbys), elected), elected]);
  record(info.runId, { suite: SUITE, name: 'WAL a standby received after the fault went in', value: Number(arrivedAfterFault), unit: 'bytes', subject: ev.label });
  return { old, winner, expected: expectedWinner(lsns) };
}

// repmgrd's connections to a node, as its backends there show them (repmgr's
// fallback_application_name; the routers' and the scripts' sessions are named otherwise).
const REPMGRD_BACKENDS_SQL =
  "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE usename = 'repmgr' AND application_name = 'repmgr' AND backend_type = 'client backend' AND pid <> pg_backend_pid()";

/** Sends `signal` to each standby's repmgrd watchdog (pgha-watchdog), failing if one is not running. */
async function signalWatchdogs(i: ClusterInfo, standbys: readonly NodeName[], signal: 'STOP' | 'CONT'): Promise<void> {
  await Promise.all(
    standbys.map(async (n) => {
      const r = await execIn(i.nodes[n]!.container, ['pkill', `-${signal}`, '-f', '/usr/local/bin/pgha-watchdog']);
      expect(r.exitCode, `a repmgrd watchdog running on ${n}`).toBe(0);
    }),
  );
}

/**
 * Freezes (SIGSTOP) the primary's backends that serve repmgrd until every standby's repmgrd
 * has a query to the primary in flight and unanswered: the state a hung primary leaves a
 * repmgrd in when it freezes mid-query (CI at e9e982a: the elected standby's repmgrd stuck
 * so, never promoting). Read on each standby with the image's own stalled_requests. The
 * standbys' watchdogs must be stopped first, or they end a stall before all are stalled.
 * Returns the frozen pids, for SIGCONT.
 */
async function stallRepmgrdQueries(i: ClusterInfo, primary: NodeName, standbys: readonly NodeName[]): Promise<string[]> {
  const frozen = new Set<string>();
  const stalledOn = async (n: NodeName) => {
    const check = `. /usr/local/lib/pgha/lib.sh; ss -tnpiOH state established | stalled_requests repmgrd 100 $(addresses_of ${privateHost(primary)})`;
    const r = await execIn(i.nodes[n]!.container, ['bash', '-c', check], 'postgres');
    return r.stdout.trim() !== '';
  };
  await eventually(
    async () => {
      const listed = await execIn(i.nodes[primary]!.container, ['psql', '-XAtq', '-d', 'repmgr', '-c', REPMGRD_BACKENDS_SQL], 'postgres');
      const pids = listed.stdout.trim().split(/\s+/).filter((p) => /^\d+$/.test(p) && !frozen.has(p));
      if (pids.length > 0) {
        const stopped = await execIn(i.nodes[primary]!.container, ['kill', '-STOP', ...pids]);
        expect(stopped.exitCode, stopped.stderr).toBe(0);
        pids.forEach((p) => frozen.add(p));
      }
      const stalled = await Promise.all(standbys.map(stalledOn));
      return stalled.every(Boolean) ? true : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100, what: `every standby's repmgrd (${standbys.join(', ')}) waiting on a query to ${primary}` },
  );
  return [...frozen];
}

/** Waits until every data node but `primary` and the `down` ones is a standby streaming from it. */
async function followedBy(t: Trial, primary: NodeName, down: readonly NodeName[]): Promise<void> {
  const expected = dataNodes().map((n) => n.name).filter((n) => n !== primary && !down.includes(n));
  await eventually(
    async () => {
      const now = await roles(t.info());
      const streaming = await streamingStandbys(t.info(), primary);
      return expected.every((s) => now[s] === true && streaming.includes(s)) ? true : undefined;
    },
    { timeoutMs: FAILOVER_BUDGET_MS, intervalMs: 200, what: `${expected.join(', ')} streaming from ${primary}` },
  );
}

function expectClocksWithin(clocks: readonly RecoveryClocks[], budgetMs: number): void {
  for (const c of clocks) {
    expect(c.databaseMs, `${c.label}: database clock`).not.toBeNull();
    expect(c.clientMs, `${c.label}: client clock`).not.toBeNull();
    expect(c.clientMs!, `${c.label}: client clock`).toBeLessThanOrEqual(budgetMs);
    for (const r of routers()) {
      expect(c.routerMs[r.name], `${c.label}: ${r.name} routes writes to the new primary`).not.toBeNull();
      expect(c.routerMs[r.name]!, `${c.label}: ${r.name} router clock`).toBeLessThanOrEqual(budgetMs);
    }
  }
}

describe(`failover (${info.flavor}, ${info.synchronousMode === 'off' ? 'asynchronous' : 'synchronous'} replication)`, () => {
  it(`promotes the most advanced standby and resumes client writes within ${CLAIMS.failoverBudgetSecs} s of a primary kill`, async () => {
    let outcome!: Awaited<ReturnType<typeof losePrimary>>;
    const r = await underLoad(info, async (t) => {
      outcome = await losePrimary(t, 'kill', FAILOVER_BUDGET_MS);
    });
    expect(outcome.winner).toBe(outcome.expected);
    const clocks = recordClocks('kill primary', r.history);
    expectClocksWithin(clocks, FAILOVER_BUDGET_MS);
    const [sw] = timelineSwitches(r.history.rows ?? []);
    expect(sw, 'the rows show the switch to a new timeline').toBeDefined();
    expect(sw!.gapMs).toBeLessThanOrEqual(FAILOVER_BUDGET_MS);
    expectNoLostWrites('kill primary', r.history);
    expectSinglePrimary(r.history);
    expect(r.primaryAfter).toBe(outcome.winner);
    if (info.synchronousMode === 'any1') await expectSynchronousAgain('kill primary', outcome.winner);
  });

  it(`fails over within ${CLAIMS.failoverBudgetSecs} s of a clean stop (SIGTERM) of the primary`, async () => {
    let outcome!: Awaited<ReturnType<typeof losePrimary>>;
    const r = await underLoad(info, async (t) => {
      outcome = await losePrimary(t, 'stop', FAILOVER_BUDGET_MS);
    });
    expect(outcome.winner).toBe(outcome.expected);
    expectClocksWithin(recordClocks('stop primary', r.history), FAILOVER_BUDGET_MS);
    expectNoLostWrites('stop primary', r.history);
    expectSinglePrimary(r.history);
  });

  it(`fails over within ${CLAIMS.hungPrimaryBudgetSecs} s of a primary that stays hung (docker pause) for ${CLAIMS.hungPrimaryHoldSecs} s, which steps down and rejoins when it wakes`, async () => {
    let outcome!: Awaited<ReturnType<typeof losePrimary>>;
    let stillPaused = false;
    const r = await underLoad(info, async (t) => {
      outcome = await losePrimary(t, 'pause', HUNG_BUDGET_MS);
      const [ev] = t.nemesis.events();
      // Clients through both routers (and each router's own probe) write again while the
      // old primary is still hung: a real hung node does not wake on cue.
      await t.writesResumed(HUNG_BUDGET_MS);
      await sleep(ev!.injectedAt + HUNG_HOLD_MS - t.clock.now());
      stillPaused = t.nemesis.events()[0]!.healedAt === undefined;
      // The trial heals it (docker unpause) once the body is done, under load.
    }, { reformTimeoutMs: 120_000 });
    expect(stillPaused, 'the old primary stayed paused for the whole hold').toBe(true);
    // From the history: the heal (docker unpause) came after the body and the drain that follows it.
    const [pause] = r.history.faults;
    expect(pause!.healedAt! - pause!.injectedAt, 'paused for, ms').toBeGreaterThanOrEqual(HUNG_HOLD_MS);
    expect(outcome.winner).toBe(outcome.expected);
    // Cut at the wake-up: the clocks measure the recovery while the node was hung.
    expectClocksWithin(recordClocks('pause primary', r.history), HUNG_BUDGET_MS);
    expectNoLostWrites('pause primary', r.history);
    // The paused node wakes still believing it is primary; fencing makes it step down.
    expectOverlapUnderFenceDelay('pause primary', r.history);
    expect(r.primaryAfter).toBe(outcome.winner);
    // ... and it is back as a standby streaming from the new primary (the trial waited
    // for the cluster to form again; this names the node).
    expect((await roles(info))[outcome.old], `${outcome.old} is a standby again`).toBe(true);
    expect(await streamingStandbys(info, outcome.winner), `${outcome.old} streams from ${outcome.winner}`).toContain(outcome.old);
  }, toMs(CLAIMS.hungPrimaryHoldSecs + CLAIMS.reformTimeoutSecs) + 60_000);

  it(`fails over within ${CLAIMS.hungPrimaryBudgetSecs} s of a primary that hangs while every standby's repmgrd waits on a query to it (cut after ${CLAIMS.peerReplyTimeoutSecs} s, peerReplyTimeoutSecs)`, async () => {
    let outcome!: Awaited<ReturnType<typeof losePrimary>>;
    let frozen: string[] = [];
    let primary: NodeName | undefined;
    let standbys: readonly NodeName[] = [];
    let watchdogsBack: Promise<void> | undefined;
    const r = await underLoad(info, async (t) => {
      try {
        outcome = await losePrimary(t, 'pause', HUNG_BUDGET_MS, async (old, others) => {
          primary = old;
          standbys = others;
          await signalWatchdogs(t.info(), standbys, 'STOP');
          frozen = await stallRepmgrdQueries(t.info(), old, standbys);
          // The watchdogs resume one bound after the pause goes in: they then meet requests
          // at least that old, as they would had each been sent the instant the primary froze.
          watchdogsBack = sleep(toMs(CLAIMS.peerReplyTimeoutSecs)).then(() => signalWatchdogs(t.info(), standbys, 'CONT'));
        });
        await t.writesResumed(HUNG_BUDGET_MS);
      } finally {
        await watchdogsBack?.catch(() => {});
        if (standbys.length > 0) await signalWatchdogs(t.info(), standbys, 'CONT');
        // Unpaused, the old primary fences itself: its fast shutdown waits for these backends.
        const [ev] = t.nemesis.events();
        if (ev) await t.nemesis.heal(ev);
        if (primary && frozen.length > 0) await execIn(t.info().nodes[primary]!.container, ['kill', '-CONT', ...frozen]);
      }
    }, { reformTimeoutMs: 120_000 });
    record(info.runId, { suite: SUITE, name: 'repmgrd backends frozen on the primary before it hung', value: frozen.length, unit: 'count', subject: 'pause mid-query' });
    // The rule's winner, not a node that was skipped because its repmgrd was stuck.
    expect(outcome.winner).toBe(outcome.expected);
    expectClocksWithin(recordClocks('pause primary mid-query', r.history), HUNG_BUDGET_MS);
    expectNoLostWrites('pause primary mid-query', r.history);
    expectOverlapUnderFenceDelay('pause primary mid-query', r.history);
    expect(r.primaryAfter).toBe(outcome.winner);
  });

  it('does not fail over when repmgrd dies on the primary or a standby, and the daemon comes back', async () => {
    let before!: NodeName;
    let standby!: NodeName;
    const r = await underLoad(info, async (t) => {
      before = await t.primary();
      standby = dataNodes().map((n) => n.name).find((n) => n !== before)!;
      for (const n of [before, standby]) {
        const killed = await execIn(t.info().nodes[n]!.container, ['pkill', '-9', '-x', 'repmgrd']);
        expect(killed.exitCode, `repmgrd was running on ${n}`).toBe(0);
      }
      // Twice the failover budget would be the strict reading; 10 s is several detection
      // cycles of these settings (a check every 1 s, one reconnect attempt).
      await sleep(10_000);
      expect(await t.primary()).toBe(before);
    });
    expect(timelineSwitches(r.history.rows ?? [])).toEqual([]);
    expect(r.history.ops.filter((o) => o.kind === 'write' && o.outcome !== 'ok' && !o.pinnedTo)).toEqual([]);
    for (const n of [before, standby]) {
      const status = await serviceStatus(info, n);
      expect(status.find((s) => s.name === n)?.repmgrdRunning, `repmgrd back on ${n}`).toBe(true);
    }
  });

  it('fails over a second time right after the first (kill the new primary too)', async () => {
    const winners: NodeName[] = [];
    const r = await underLoad(
      info,
      async (t) => {
        const first = await losePrimary(t, 'kill', FAILOVER_BUDGET_MS);
        expect(first.winner).toBe(first.expected);
        // "Right after" the first failover completed: clients writing to the new primary
        // and the other standbys streaming from it, not halfway through its promotion.
        await followedBy(t, first.winner, [first.old]);
        await t.writesResumed(FAILOVER_BUDGET_MS);
        const second = await losePrimary(t, 'kill', FAILOVER_BUDGET_MS);
        expect(second.winner).toBe(second.expected);
        winners.push(first.winner, second.winner);
      },
      { reformTimeoutMs: 120_000 },
    );
    expect(new Set(winners).size).toBe(2);
    expectClocksWithin(recordClocks('second failover', r.history), FAILOVER_BUDGET_MS);
    expect(timelineSwitches(r.history.rows ?? []).length).toBe(2);
    expectNoLostWrites('second failover', r.history);
    expectSinglePrimary(r.history);
  });

  // pgpool's own bug, so pgpool's test: a child that cannot connect to a standby pgpool has
  // up moves pgpool's main node (its first node up) off it and leaves it up, and every new
  // session then fails (ci23: both routers, 3 minutes, after a rejoined pg-1 refused one
  // connection). ProxySQL keeps no main node.
  if (info.flavor === 'pgpool') {
    it(`serves new sessions through each pgpool within ${CLAIMS.mainNodeRepairBudgetSecs} s of one refused connection to its main node, a standby`, async () => {
      const first = dataNodes()[0]!.name;
      if ((await writablePrimary(info)) === first) await switchover(info, first, dataNodes()[1]!.name);
      await waitFormed(info);
      const sessionCreds = [appCredentials(info), repmgrCredentials(info)];
      for (const router of routers().map((r) => r.name)) {
        const container = info.nodes[router]!.container;
        const started = Date.now();
        // Refused for pgpool's user only, as a restarting node refuses: the reconciler's own
        // watchers still reach it, so nothing else detaches it. Sessions under two users
        // make pgpool's children open new backend connections.
        const refuse = await execIn(container, ['bash', '-c', REFUSE_FIRST_NODE, 'refuse', privateHost(first)]);
        expect(refuse.exitCode, `the refusal rule in ${router}: ${refuse.stderr}`).toBe(0);
        // Which child takes a session is the kernel's choice, and a child whose cached
        // connections fit the session opens none: sessions go on until pgpool has moved its
        // main node off the refused node, and that not happening fails the case.
        const moved = async () => /main node 0 is down\. Update main node to/.test(await logSince(container, started));
        let sessions = 0;
        while (sessions < 40 && !(await moved())) {
          await queryOnce(endpointOf(info, router), sessionCreds[sessions % 2]!, 'SELECT 1').catch(() => {});
          sessions += 1;
        }
        const lift = await execIn(container, ['bash', '-c', LIFT_REFUSAL, 'lift', privateHost(first)]);
        expect(lift.exitCode, `the refusal rule lifted in ${router}: ${lift.stderr}`).toBe(0);
        const lifted = Date.now();
        expect(await moved(), `${router} moved its main node off ${first} within ${sessions} sessions`).toBe(true);
        // Ten new sessions in a row, alternating users, all answer.
        const back = await eventually(
          async () => {
            for (let i = 0; i < 10; i++) {
              await queryOnce(endpointOf(info, router), sessionCreds[i % 2]!, 'SELECT 1').catch((e: Error) => {
                throw new Error(`session ${i + 1} of 10: ${e.message}`);
              });
            }
            return Date.now();
          },
          { timeoutMs: toMs(CLAIMS.mainNodeRepairBudgetSecs), intervalMs: 100, what: `ten new sessions in a row through ${router}` },
        );
        record(info.runId, { suite: SUITE, name: 'new sessions answer again after pgpool moved its main node', value: (back - lifted) / 1000, unit: 's', subject: router });
      }
      // pg-1 comes back into pgpool (auto_failback or the reconciler's attach).
      await waitFormed(info);
    });
  }

  it('never promotes a standby that lacks acknowledged WAL: the most advanced wins over priority', async () => {
    let held!: NodeName;
    let outcome!: Awaited<ReturnType<typeof losePrimary>>;
    const r = await underLoad(info, async (t) => {
      const primary = await t.primary();
      // The standby with the highest priority is the one repmgr would pick on a tie.
      held = dataNodes().map((n) => n.name).filter((n) => n !== primary).sort((a, b) => (node(b).priority ?? 0) - (node(a).priority ?? 0))[0]!;
      const id = t.info().nodes[held]!.container;
      const stopped = await execIn(id, ['pkill', '-STOP', '-f', 'walreceiver']);
      expect(stopped.exitCode, `walreceiver found on ${held}`).toBe(0);
      try {
        await sleep(2000); // writes go on: the held standby falls behind
        outcome = await losePrimary(t, 'kill', FAILOVER_BUDGET_MS);
      } finally {
        await execIn(id, ['pkill', '-CONT', '-f', 'walreceiver']);
      }
    });
    expect(outcome.winner).not.toBe(held);
    expect(outcome.winner).toBe(outcome.expected);
    expectClocksWithin(recordClocks('held-back standby', r.history), FAILOVER_BUDGET_MS);
    expectNoLostWrites('held-back standby', r.history);
    expectSinglePrimary(r.history);
  });

  // KNOWN ISSUE (pgpool flavor): in 2 of 7 CI runs, after every node restarted on shuffled
  // addresses, both pgpools answered no app query for 120 s although the nodes had formed
  // (one primary, standbys streaming). Refreshing /etc/hosts and SIGUSR1 to pgpool's children
  // did not cure it; the cause is still open. Skipped, visibly, not retried.
  it('reforms after a full-cluster stop and start around the node with the newest data, losing nothing', async () => {
    const test = 'full-cluster stop and start';
    const everyone: NodeName[] = [...dataNodes().map((n) => n.name), 'witness'];
    let before!: NodeName;
    let after!: NodeName;
    let startAt = 0;
    let writableMs = 0;
    const r = await underLoad(
      info,
      async (t) => {
        before = await t.primary();
        // All at once, as a host or a region goes down: clean SIGTERMs, no one last.
        const ev = await t.nemesis.inject({ fault: 'stop', target: { nodes: everyone }, label: 'stop every repmgr node' });
        expect(ev.status, ev.reason).toBe('injected');
        startAt = t.clock.now();
        await t.nemesis.heal(ev);
        after = await eventually(() => writablePrimary(t.info()), { timeoutMs: 90_000, intervalMs: 200, what: 'a writable primary after the restart' });
        writableMs = t.clock.now() - startAt;
      },
      { reformTimeoutMs: 120_000 },
    );
    record(info.runId, { suite: SUITE, name: 'start to a writable primary', value: writableMs / 1000, unit: 's', subject: `${test}: ${before} -> ${after}` });
    const back = r.history.samples.filter((s) => s.at > startAt && s.state === 'writable');
    record(info.runId, { suite: SUITE, name: 'writable primaries seen after the start', value: new Set(back.map((s) => s.node)).size, unit: 'count', subject: test });
    const clocks = recordClocks(test, r.history, false);
    expect(clocks.length).toBe(1);
    // Every node stopped cleanly, so the newest data includes every acknowledged write:
    // electing any other node would lose some, whatever the replication mode.
    const present = new Set((r.history.rows ?? []).map((row) => row.id));
    const lost = r.history.ops.filter((o) => o.kind === 'write' && o.outcome === 'ok' && !present.has(o.key));
    record(info.runId, { suite: SUITE, name: 'acknowledged writes lost', value: lost.length, unit: 'count', subject: test });
    expect(lost.map((o) => `${o.id} (key ${o.key}, ${o.node ?? '?'})`), 'no acknowledged write lost').toEqual([]);
    expect(noDuplicateWrites(r.history).status).toBe('pass');
    expectSinglePrimary(r.history);
    expect(r.primaryAfter).toBe(after);
  });

  it(`re-clones and rejoins a standby whose data directory was wiped, streaming within ${CLAIMS.recloneBudgetSecs} s`, async () => {
    let wiped!: NodeName;
    let seconds = 0;
    const r = await underLoad(info, async (t) => {
      const primary = await t.primary();
      wiped = dataNodes().map((n) => n.name).filter((n) => n !== primary).at(-1)!;
      const id = t.info().nodes[wiped]!.container;
      const started = performance.now();
      await execIn(id, ['bash', '-c', 'gosu postgres pg_ctl -D "$PGDATA" -m immediate stop; rm -rf "$PGDATA"/*'], 'root');
      await t.nemesis.inject({ fault: 'restart', target: { nodes: [wiped] }, label: `restart ${wiped} with an empty data directory` });
      await waitFormed(t.info(), 90_000);
      seconds = (performance.now() - started) / 1000;
    });
    record(info.runId, { suite: SUITE, name: 'wiped standby re-cloned and streaming', value: seconds, unit: 's', subject: wiped });
    expect(seconds, 'wipe to re-cloned and streaming (cluster formed), s').toBeLessThanOrEqual(CLAIMS.recloneBudgetSecs);
    const rows = await queryOnce<{ n: string }>(endpointOf(info, wiped), repmgrCredentials(info), 'SELECT count(*)::text AS n FROM pg_stat_wal_receiver');
    expect(rows[0]!.n).toBe('1');
    expect(timelineSwitches(r.history.rows ?? [])).toEqual([]);
    expectSinglePrimary(r.history);
  });
});
