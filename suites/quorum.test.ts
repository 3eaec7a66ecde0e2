// Witness quorum and split brain, measured under a write load through both routers. A
// partition is iptables DROP (REJECT in one case) inside the containers and matches only
// peers' addresses on the cluster network: the role sampler reaches every node's mapped
// port through the network's gateway, so it keeps seeing a cut-off node that is still
// running (each test checks that it did, or "never writable" would prove nothing).
//
// #801 in repmgr's tracker (a stale standby promoted while the primary with newer WAL is
// down) is covered by failover.test.ts: "never promotes a standby that lacks acknowledged WAL".
import { describe, expect, inject, it } from 'vitest';
import { underLoad, type Trial } from '../chaos/trial.ts';
import { noDuplicateWrites, noLostWrites, recoveryClocks, splitBrains, timelineSwitches, type RecoveryClocks } from '../chaos/checkers/index.ts';
import type { FaultEvent, RunHistory } from '../model/history.ts';
import { endpointOf, queryOnce, repmgrCredentials } from '../cluster/clients.ts';
import { inRecovery, repmgrView, roles, streamingStandbys } from '../cluster/observe.ts';
import { recentLogs } from '../cluster/node-logs.ts';
import { answeredShare, otherWritableAt, standbyAgainAt, stateCounts, stoppedWritableAt, writableSamples } from './support/role-timeline.ts';
import { dataNodes, node, privateHost, repmgrNodes, routers, type NodeName } from '../model/topology.ts';
import { eventually } from '../cluster/wait.ts';
import { waitFormed } from '../cluster/boot.ts';
import type { ClusterInfo } from '../cluster/info.ts';
import { record, type Measurement } from '../reports/run-report.ts';
import { CLAIMS, toMs } from '../model/claims.ts';

const info = inject('cluster');
const SUITE = 'quorum';
/** The cluster's claim: clients write again within the failover budget of losing the primary. */
const FAILOVER_BUDGET_MS = toMs(CLAIMS.failoverBudgetSecs);
/** "Never promotes itself" is checked for twice the failover budget. */
const ISOLATED_STANDBY_HOLD_MS = toMs(CLAIMS.isolatedStandbyHoldSecs);
/** Several detection cycles of repmgrd (a failed check each monitor interval of 1 s, then one reconnect attempt). */
const NO_FAILOVER_HOLD_MS = toMs(CLAIMS.noFailoverHoldSecs);
const ASYNC = info.synchronousMode === 'off';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const measure = (name: string, value: number, unit: Measurement['unit'], subject: string) => record(info.runId, { suite: SUITE, name, value, unit, subject });
const seconds = (ms: number) => ms / 1000;

const otherDataNodes = (n: NodeName): NodeName[] => dataNodes().map((d) => d.name).filter((d) => d !== n);

async function standbys(t: Trial): Promise<NodeName[]> {
  const r = await roles(t.info());
  return dataNodes().map((n) => n.name).filter((n) => r[n] === true);
}

async function currentLsn(i: ClusterInfo, n: NodeName): Promise<bigint> {
  const rows = await queryOnce<{ lsn: string }>(endpointOf(i, n), repmgrCredentials(i), "SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn");
  return BigInt(rows[0]!.lsn);
}

async function replayedLsn(i: ClusterInfo, n: NodeName): Promise<bigint> {
  const rows = await queryOnce<{ lsn: string }>(endpointOf(i, n), repmgrCredentials(i), "SELECT (coalesce(pg_last_wal_replay_lsn(), '0/0') - '0/0')::text AS lsn");
  return BigInt(rows[0]!.lsn);
}

/** Whom `n` streams from (the host its walreceiver connected to: a private name), if it streams at all. */
async function upstreamOf(i: ClusterInfo, n: NodeName): Promise<string | undefined> {
  const rows = await queryOnce<{ sender_host: string }>(endpointOf(i, n), repmgrCredentials(i), "SELECT sender_host FROM pg_stat_wal_receiver WHERE status = 'streaming'");
  return rows[0]?.sender_host;
}

/** Until `n` is a standby streaming from `primary`, as both ends say. */
function streamingFrom(i: ClusterInfo, n: NodeName, primary: NodeName, timeoutMs: number): Promise<true> {
  return eventually(
    async () => ((await inRecovery(i, n)) === true && (await upstreamOf(i, n)) === privateHost(primary) && (await streamingStandbys(i, primary)).includes(n) ? true : undefined),
    { timeoutMs, intervalMs: 200, what: `${n} streaming from ${primary}` },
  );
}

/** Lines of `n`'s container log since `sinceWall` that match `pattern`. */
async function logLines(n: NodeName, sinceWall: number, pattern: RegExp): Promise<string[]> {
  const text = await recentLogs(info, [n], sinceWall, 5000);
  return text.split('\n').filter((l) => pattern.test(l));
}

/** The sampled overlap of two writable primaries, recorded; the claim is that there is none. */
function expectNoOverlap(test: string, h: RunHistory): void {
  const brains = splitBrains(h.samples);
  const overlapMs = brains.reduce((sum, b) => sum + (b.to - b.from), 0);
  measure('two writable primaries (sampled overlap)', seconds(overlapMs), 's', test);
  // Soft: the rest of the verdict (fence, rejoin, lost writes) is still worth reading.
  expect.soft(
    brains.map((b) => `${b.nodes.join(' + ')} writable from ${seconds(b.from).toFixed(2)} s to ${seconds(b.to).toFixed(2)} s`),
    'never two writable data nodes at one sampled instant',
  ).toEqual([]);
}

/**
 * Acknowledged writes must all be on the primary at the end. Asynchronous replication may
 * lose what the old primary acknowledged after the cut (its standbys never got it, and
 * pg_rewind discards it): counted, listed, tolerated only in that mode.
 */
function expectNoLostWrites(test: string, h: RunHistory): string[] {
  const v = noLostWrites(h);
  // Counted here, not from the verdict: its evidence stops at MAX_EVIDENCE lines.
  const present = new Set((h.rows ?? []).map((r) => r.id));
  const lost = h.ops.filter((o) => o.kind === 'write' && o.outcome === 'ok' && !present.has(o.key)).map((o) => `${o.id} (key ${o.key}, ${o.node ?? '?'})`);
  measure('acknowledged writes lost', lost.length, 'count', test);
  if (lost.length > 0) {
    console.warn(`[${test}] ${lost.length} acknowledged write(s) lost (${ASYNC ? 'asynchronous mode: counted, not failed' : 'synchronous mode'}): ${lost.join(', ')}`);
  }
  expect(v.evidence.filter((e) => !e.includes('acknowledged, missing')), 'failed writes applied, or rows no operation wrote').toEqual([]);
  if (!ASYNC) expect(lost, 'synchronous mode loses no acknowledged write').toEqual([]);
  expect(noDuplicateWrites(h).status).toBe('pass');
  return lost;
}

const clientWriteFailures = (h: RunHistory, from = 0, to = Infinity) =>
  h.ops.filter((o) => o.kind === 'write' && !o.pinnedTo && o.outcome !== 'ok' && o.invokedAt >= from && o.invokedAt < to);

/**
 * The primary kept its role through [from, to): no sample says standby or read-only. A
 * probe that found no answer within 200 ms on a loaded machine is not a demotion, but it
 * is counted.
 */
function expectStayedPrimary(test: string, h: RunHistory, n: NodeName, from: number, to: number): void {
  const c = stateCounts(h.samples, n, from, to);
  measure('primary samples unanswered during the fault', c.unreachable, 'count', test);
  expect({ standby: c.standby, 'read-only': c['read-only'] }, `${n} stayed primary (${c.writable} writable, ${c.unreachable} unanswered samples)`).toEqual({ standby: 0, 'read-only': 0 });
  expect(c.writable, `${n} answered writable`).toBeGreaterThan(0);
}

/** The fault event as the history has it (with healedAt). */
const faultIn = (h: RunHistory, id: string): FaultEvent => {
  const f = h.faults.find((x) => x.id === id);
  if (!f) throw new Error(`fault ${id} missing from the history`);
  return f;
};

/** How a node is cut off: from the routers too, and whether the links refuse rather than drop. */
interface Cut {
  routersToo: boolean;
  refuse?: boolean;
  /**
   * Heal every link but the one between the old primary and the new, and that one
   * HEAL_STAGGER_MS later: links come back one at a time, and a fenced primary that sees
   * the witness and the standbys but not the new primary must not start as a primary.
   */
  healWinnerLast?: boolean;
}

/** How long the old and the new primary stay apart after the rest healed: many fence loops. */
const HEAL_STAGGER_MS = 5_000;

/**
 * Cuts `n` from the other data nodes and the witness, both sides dropping (or refusing),
 * and with `routersToo` from the routers as well. That link is dropped on `n`'s side only,
 * both directions (packet loss with probability 1): the same silence for both ends, and
 * the routers' own rules (the reconciler's) stay untouched.
 */
async function cutOff(t: Trial, n: NodeName, cut: Cut, label: string): Promise<FaultEvent[]> {
  const peers = [...otherDataNodes(n), 'witness' as const];
  const evs = [await t.nemesis.inject({ fault: 'partition', target: { nodes: [n], others: peers, refuse: cut.refuse }, label })];
  if (cut.routersToo) {
    const rs = routers().map((r) => r.name);
    evs.push(await t.nemesis.inject({ fault: 'packet-loss', target: { nodes: [n], others: rs, probability: 1 }, label: `${label}: and from the routers` }));
  }
  for (const e of evs) expect(e.status, `${e.label}: ${e.reason ?? ''}`).toBe('injected');
  return evs;
}

interface CutPrimaryOutcome {
  old: NodeName;
  winner: NodeName;
  faultId: string;
  /** Run clock when the partition was fully in (injection takes a few docker execs). */
  cutDone: number;
  cutWall: number;
  healedAt: number;
  /** ms from the heal until the old primary streamed from the winner. */
  rejoinMs: number;
  /** Run clock while the old primary saw every peer but the winner (healWinnerLast). */
  apart?: { from: number; to: number };
}

/**
 * Cuts the primary from `others` (both directions), waits for a standby to be promoted and
 * the old primary to stop taking writes and clients to write to the new one, then heals and
 * waits until the old primary streams from the new one. Faults and waits that time out fail the trial.
 */
async function cutPrimary(t: Trial, cut: Cut, label: string): Promise<CutPrimaryOutcome> {
  const old = await t.primary();
  const cutWall = Date.now();
  const evs = await cutOff(t, old, cut, `${label} (${old}, the primary)`);
  const ev = evs[0]!;
  const cutDone = t.clock.now();
  const winner = await t.newPrimary(old, FAILOVER_BUDGET_MS);
  await eventually(async () => ((await inRecovery(t.info(), old)) !== false ? true : undefined), {
    timeoutMs: FAILOVER_BUDGET_MS,
    intervalMs: 200,
    what: `${old} (cut off) no longer writable`,
  });
  // The clocks are read up to the heal: clients must be writing to the new primary before
  // it, or the heal (not the failover) would be what they recovered from. Through pgpool
  // that took longer than the fence and promotion in some runs, and the client clock came
  // out empty.
  await t.writesResumed(2 * FAILOVER_BUDGET_MS);
  let apart: CutPrimaryOutcome['apart'];
  if (cut.healWinnerLast) {
    const link = await t.nemesis.inject({ fault: 'partition', target: { nodes: [old], others: [winner], refuse: cut.refuse }, label: `${label}: ${old} and ${winner} stay apart` });
    expect(link.status, `${link.label}: ${link.reason ?? ''}`).toBe('injected');
    for (const e of evs) await t.nemesis.heal(e);
    const from = t.clock.now();
    await sleep(HEAL_STAGGER_MS);
    await t.nemesis.heal(link);
    apart = { from, to: t.clock.now() };
  } else {
    for (const e of evs) await t.nemesis.heal(e);
  }
  const healedAt = t.clock.now();
  await streamingFrom(t.info(), old, winner, 90_000);
  return { old, winner, faultId: ev.id, cutDone, cutWall, healedAt, rejoinMs: t.clock.now() - healedAt, apart };
}

/**
 * The client clock of a cut primary, read up to the heal (with a blackhole, from its first
 * fault event over the whole cut): clients write again within the failover budget.
 */
function expectClientsBack(test: string, h: RunHistory, o: CutPrimaryOutcome): RecoveryClocks {
  const f = faultIn(h, o.faultId);
  const [c] = recoveryClocks({ ...h, faults: [f], endedAt: Math.min(h.endedAt, f.healedAt ?? h.endedAt) });
  expect(c?.clientMs, 'clients write again').not.toBeNull();
  measure('client clock (first good write after the last failed one)', seconds(c!.clientMs!), 's', test);
  expect(c!.clientMs!, 'client clock').toBeLessThanOrEqual(FAILOVER_BUDGET_MS);
  return c!;
}

/** What the samples and logs say about a cut primary; records the numbers, asserts the claims. */
async function judgeCutPrimary(test: string, h: RunHistory, o: CutPrimaryOutcome): Promise<void> {
  const f = faultIn(h, o.faultId);
  const promoted = otherWritableAt(h.samples, o.old, f.injectedAt);
  // The fence is judged over the cut: with a staggered heal, up to its first step.
  const fencedAt = stoppedWritableAt(h.samples, o.old, f.injectedAt, o.apart?.from ?? o.healedAt);
  // The rules go in one docker exec at a time (seconds on a busy machine): "cut" is the
  // start of the injection, as in the other clocks; "all rules in" is when the old
  // primary had lost its last peer.
  measure('partition injection took', seconds(o.cutDone - f.injectedAt), 's', test);
  if (promoted) {
    measure('cut to promotion (a standby writable)', seconds(promoted.at - f.injectedAt), 's', test);
    measure('all rules in to promotion', seconds(promoted.at - o.cutDone), 's', test);
  }
  if (fencedAt !== undefined) {
    measure('cut to fence (old primary no longer writable)', seconds(fencedAt - f.injectedAt), 's', test);
    measure('all rules in to fence', seconds(fencedAt - o.cutDone), 's', test);
  }
  if (promoted && fencedAt !== undefined) measure('fence before promotion (margin; negative: promoted first)', seconds(promoted.at - fencedAt), 's', test);
  measure('heal to rejoined (old primary streaming from the new one)', seconds(o.rejoinMs), 's', test);
  const rejoinedSample = standbyAgainAt(h.samples, o.old, o.healedAt);
  if (rejoinedSample !== undefined) measure('heal to old primary answering as a standby (sampled)', seconds(rejoinedSample - o.healedAt), 's', test);
  const ackedByOld = h.ops.filter((x) => x.kind === 'write' && x.outcome === 'ok' && x.node === o.old && x.completedAt > f.injectedAt);
  measure('writes the old primary acknowledged after the cut', ackedByOld.length, 'count', test);

  expect(promoted?.node, 'a standby is promoted').toBe(o.winner);
  expect(promoted!.at - f.injectedAt, 'cut to promotion').toBeLessThanOrEqual(FAILOVER_BUDGET_MS);
  expect(fencedAt, `${o.old} stops taking writes`).toBeDefined();
  expect(fencedAt!, `${o.old} answered writable for the last time before ${o.winner} first did`).toBeLessThanOrEqual(promoted!.at);
  // The host's path to the mapped port survives the partition: between the cut and the
  // fence the sampler still got answers from the old primary.
  const seen = answeredShare(h.samples, o.old, o.cutDone, fencedAt!);
  expect(seen.answered, `the sampler reached ${o.old} after the cut (${seen.answered}/${seen.total} answered)`).toBeGreaterThan(0);
  const fenceLog = await logLines(o.old, o.cutWall - 1000, /fence: /);
  console.info(`[${test}] ${o.old}'s fence log:\n  ${fenceLog.join('\n  ')}`);
  expect(fenceLog.some((l) => /no witness or standby visible/.test(l)), `${o.old} fenced itself (stopped PostgreSQL)`).toBe(true);
  if (o.apart) {
    measure('every link healed but the one to the new primary, for', seconds(o.apart.to - o.apart.from), 's', test);
    expect(
      writableSamples(h.samples, o.old, o.apart.from, o.apart.to).map((x) => `${seconds(x.at - o.apart!.from).toFixed(2)} s`),
      `${o.old} stayed fenced while it saw every peer but ${o.winner}`,
    ).toEqual([]);
  }
  expectNoOverlap(test, h);
  expectNoLostWrites(test, h);
}

describe(`quorum and split brain (${info.flavor}, ${ASYNC ? 'asynchronous' : 'synchronous'} replication)`, () => {
  it(`never promotes a standby cut off from everyone, for twice the ${CLAIMS.failoverBudgetSecs} s budget; it catches up after the heal`, { timeout: 300_000 }, async () => {
    const test = 'isolated standby';
    let primary!: NodeName;
    let cut!: NodeName;
    let faultId = '';
    let healedAt = 0;
    const r = await underLoad(info, async (t) => {
      primary = await t.primary();
      // The standby repmgr would most like to promote: if any promotes itself, this one.
      cut = (await standbys(t)).sort((a, b) => (node(b).priority ?? 0) - (node(a).priority ?? 0))[0]!;
      // Everyone, routers too: a host whose link died is gone for all. The routers losing
      // a standby costs reads, not the primary.
      const evs = await cutOff(t, cut, { routersToo: true }, `cut ${cut} (a standby) off from everyone`);
      faultId = evs[0]!.id;
      await sleep(ISOLATED_STANDBY_HOLD_MS);
      for (const e of evs) await t.nemesis.heal(e);
      healedAt = t.clock.now();
      const target = await currentLsn(t.info(), primary);
      await streamingFrom(t.info(), cut, primary, 60_000);
      measure('heal to streaming again', seconds(t.clock.now() - healedAt), 's', `${test}: ${cut}`);
      await eventually(async () => ((await replayedLsn(t.info(), cut)) >= target ? true : undefined), { timeoutMs: 60_000, intervalMs: 200, what: `${cut} replaying up to the primary's LSN at the heal` });
      measure('heal to caught up (replayed the primary LSN at the heal)', seconds(t.clock.now() - healedAt), 's', `${test}: ${cut}`);
    });
    const h = r.history;
    const f = faultIn(h, faultId);
    const heldMs = healedAt - f.injectedAt;
    measure('held cut off without promotion', seconds(heldMs), 's', `${test}: ${cut}`);
    measure('failed or unknown client writes while cut', clientWriteFailures(h, f.injectedAt, healedAt).length, 'count', `${test}: ${cut}`);

    expect(heldMs).toBeGreaterThanOrEqual(ISOLATED_STANDBY_HOLD_MS);
    expect(writableSamples(h.samples, cut, 0, h.endedAt), `${cut} was never writable`).toEqual([]);
    const seen = answeredShare(h.samples, cut, f.injectedAt, healedAt);
    measure('sampler answers from the cut-off node', seen.total ? seen.answered / seen.total : 0, 'ratio', `${test}: ${cut}`);
    expect(seen.answered / seen.total, `the sampler still reached ${cut} through its mapped port (${seen.answered}/${seen.total})`).toBeGreaterThan(0.9);
    expect(otherWritableAt(h.samples, primary, 0), 'no node but the primary was ever writable').toBeUndefined();
    expect(timelineSwitches(h.rows ?? []), 'no timeline switch in the rows').toEqual([]);
    expect(r.primaryAfter).toBe(primary);
    expectNoOverlap(test, h);
    expectNoLostWrites(test, h);
  });

  it('does not fail over while the witness is stopped, and the witness sees the whole cluster after it starts', { timeout: 180_000 }, async () => {
    const test = 'witness stopped';
    let primary!: NodeName;
    let faultId = '';
    const r = await underLoad(info, async (t) => {
      primary = await t.primary();
      const ev = await t.nemesis.inject({ fault: 'stop', target: { nodes: ['witness'] }, label: 'stop the witness' });
      expect(ev.status, ev.reason).toBe('injected');
      faultId = ev.id;
      await sleep(NO_FAILOVER_HOLD_MS);
      await t.nemesis.heal(ev);
      await t.nemesis.refresh();
      const started = t.clock.now();
      await waitFormed(t.info(), 60_000);
      measure('witness start to formed (its own repmgr view complete)', seconds(t.clock.now() - started), 's', test);
    });
    const h = r.history;
    const f = faultIn(h, faultId);
    measure('failed or unknown client writes', clientWriteFailures(h).length, 'count', test);
    expect(otherWritableAt(h.samples, primary, 0), 'no failover: no other node writable').toBeUndefined();
    expectStayedPrimary(test, h, primary, f.injectedAt, f.healedAt ?? h.endedAt);
    expect(timelineSwitches(h.rows ?? []), 'no timeline switch in the rows').toEqual([]);
    const at = (ms: number) => `${seconds(ms - f.injectedAt).toFixed(1)} s after the stop`;
    expect(
      clientWriteFailures(h).map((o) => `${o.id} via ${o.via ?? '?'} at ${at(o.invokedAt)} (healed at ${at(f.healedAt ?? h.endedAt)}): ${o.error ?? o.outcome}`),
      'no client write failed',
    ).toEqual([]);
    expect(r.primaryAfter).toBe(primary);
    const view = await repmgrView(info, 'witness');
    for (const n of repmgrNodes()) expect(view.find((row) => row.name === n.name)?.active, `the witness's view has ${n.name} active`).toBe(true);
    expectNoLostWrites(test, h);
  });

  it(`promotes a standby when the primary is cut off from standbys and witness (routers still reach it), clients write again within ${CLAIMS.failoverBudgetSecs} s, and never two are writable`, { timeout: 240_000 }, async () => {
    // The routers stay on both sides: clients keep reaching the old primary through them
    // until it fences itself, the case in which a split brain would take client writes.
    const test = 'primary cut off, routers on both sides';
    let o!: CutPrimaryOutcome;
    const r = await underLoad(info, async (t) => {
      o = await cutPrimary(t, { routersToo: false }, 'cut the primary off from standbys and witness');
    });
    expectClientsBack(test, r.history, o);
    await judgeCutPrimary(test, r.history, o);
    expect(r.primaryAfter).toBe(o.winner);
    expect(await upstreamOf(info, o.old), `${o.old} streams from ${o.winner} at the end`).toBe(privateHost(o.winner));
  });

  it(`fences before the promotion when the primary's links to standbys and witness refuse at once (routers still reach it), stays fenced while it sees all but the new primary, and never two are writable`, { timeout: 240_000 }, async () => {
    // A dropped link costs each side its connect timeouts, and those give the fence a head
    // start. A refusing one fails every check at once on both sides: the primary's fence
    // and the standbys' election start together, so only the promotion lead
    // (promotionLeadSecs) against the fence delay stands between the two. The heal brings
    // the link to the new primary back last (fence.sh once restarted as primary there).
    const test = 'primary cut off by refusing links, routers on both sides';
    let o!: CutPrimaryOutcome;
    const r = await underLoad(info, async (t) => {
      o = await cutPrimary(t, { routersToo: false, refuse: true, healWinnerLast: true }, 'cut the primary off from standbys and witness, refusing');
    });
    expectClientsBack(test, r.history, o);
    await judgeCutPrimary(test, r.history, o);
    expect(r.primaryAfter).toBe(o.winner);
    expect(await upstreamOf(info, o.old), `${o.old} streams from ${o.winner} at the end`).toBe(privateHost(o.winner));
  });

  it(`fails over within ${CLAIMS.failoverBudgetSecs} s when the primary is blackholed (DROP to and from everyone, repmgr #871)`, { timeout: 240_000 }, async () => {
    // repmgr #871: a primary whose network silently drops packets (no RST) was not
    // replaced. Here every peer, the routers too, loses it without an error.
    const test = 'primary blackholed';
    let o!: CutPrimaryOutcome;
    const r = await underLoad(info, async (t) => {
      o = await cutPrimary(t, { routersToo: true }, 'blackhole the primary');
    });
    const c = expectClientsBack(test, r.history, o);
    for (const rt of routers()) {
      const ms = c.routerMs[rt.name];
      if (ms != null) measure(`router clock (${rt.name} routes writes to it)`, seconds(ms), 's', test);
      expect(ms, `${rt.name} routes writes to the new primary`).not.toBeNull();
      expect(ms!, `${rt.name} router clock`).toBeLessThanOrEqual(FAILOVER_BUDGET_MS);
    }
    await judgeCutPrimary(test, r.history, o);
    expect(r.primaryAfter).toBe(o.winner);
    expect(await upstreamOf(info, o.old), `${o.old} streams from ${o.winner} at the end`).toBe(privateHost(o.winner));
  });

  it('promotes no standby while the witness still sees the primary (cut from the standbys only, repmgr #821)', { timeout: 180_000 }, async () => {
    // The primary still sees the witness, so our fence never fires: a promotion here
    // would be two writable primaries until the heal. Only the promote guard stands in the
    // way (images/postgres/promote.sh asks the witness whether it reaches the primary now).
    const test = 'primary cut from standbys only';
    let primary!: NodeName;
    let faultId = '';
    let cutWall = 0;
    let cutDone = 0;
    let healStarted = Infinity;
    const r = await underLoad(info, async (t) => {
      primary = await t.primary();
      cutWall = Date.now();
      const ev = await t.nemesis.inject({ fault: 'partition', target: { nodes: [primary], others: otherDataNodes(primary) }, label: `cut ${primary} (the primary) from the standbys only` });
      expect(ev.status, ev.reason).toBe('injected');
      faultId = ev.id;
      cutDone = t.clock.now();
      await sleep(NO_FAILOVER_HOLD_MS);
      // Synchronous mode: no standby gets the primary's WAL, so it acknowledges no write
      // until the heal (what the mode promises); clients write again only after it, so the
      // heal is the body's, not the trial's (which waits for writes to flow first).
      if (!ASYNC) {
        healStarted = t.clock.now();
        await t.nemesis.heal(ev);
      }
    });
    const h = r.history;
    const f = faultIn(h, faultId);
    const healedAt = f.healedAt ?? h.endedAt;
    const promoted = otherWritableAt(h.samples, primary, f.injectedAt, healedAt);
    measure('standby promoted while the witness saw the primary', promoted ? 1 : 0, 'count', test);
    // What repmgrd decided, and why, in every standby's own words.
    const evidence = await Promise.all(
      [...otherDataNodes(primary), 'witness' as const, primary].map(
        async (n) => `----- ${n}\n${(await logLines(n, cutWall - 1000, /still visible|can see the primary|visible nodes|qualified majority|promotion candidate|promot|election|cancel|degraded|fence:|step/i)).slice(0, 40).join('\n')}`,
      ),
    );
    if (promoted) {
      measure('cut to promotion (a standby writable)', seconds(promoted.at - f.injectedAt), 's', test);
      console.error(`[${test}] ${promoted.node} was promoted at ${seconds(promoted.at - f.injectedAt).toFixed(1)} s while ${primary} still saw the witness:\n${evidence.join('\n')}`);
    } else {
      console.info(`[${test}] no promotion; repmgrd's view:\n${evidence.join('\n')}`);
    }
    const ackedByOld = h.ops.filter((x) => x.kind === 'write' && x.outcome === 'ok' && x.node === primary && x.completedAt > f.injectedAt && x.completedAt <= healedAt);
    measure('writes the primary acknowledged during the cut', ackedByOld.length, 'count', test);
    // Invoked once every rule was in, acknowledged before the heal began: while no standby
    // can get the WAL, none in synchronous mode; asynchronous mode counts them.
    const ackedUnreplicated = h.ops.filter((x) => x.kind === 'write' && x.outcome === 'ok' && x.invokedAt >= cutDone && x.completedAt < Math.min(healStarted, healedAt));
    measure('writes acknowledged while no standby could get them', ackedUnreplicated.length, 'count', test);
    if (!ASYNC) {
      expect(ackedUnreplicated.map((x) => `${x.id} (key ${x.key}, ${x.node ?? '?'})`), 'synchronous mode: no write acknowledged while the primary is cut from every standby').toEqual([]);
      // Else the check above would hold for a cluster that took no write at all.
      expect(h.ops.some((x) => x.kind === 'write' && x.outcome === 'ok' && x.invokedAt >= healedAt), 'client writes succeed after the heal').toBe(true);
    }
    expectNoOverlap(test, h);
    expect(promoted, 'no standby promoted while the witness still saw the primary').toBeUndefined();
    // It still sees the witness: no fence.
    expectStayedPrimary(test, h, primary, f.injectedAt, healedAt);
    expect(timelineSwitches(h.rows ?? []), 'no timeline switch in the rows').toEqual([]);
    expect(r.primaryAfter).toBe(primary);
    expectNoLostWrites(test, h);
  });
});
