// Rejoin and switchover, under a write load through both routers.
import { describe, expect, inject, it } from 'vitest';
import { underLoad } from '../chaos/trial.ts';
import { noLostWrites, singleWritablePrimary, timelineSwitches } from '../chaos/checkers/index.ts';
import { waitFormed } from '../cluster/boot.ts';
import { streamingStandbys, writablePrimary } from '../cluster/observe.ts';
import { switchover } from '../cluster/switchover.ts';
import { redeployNode, refreshEndpoints } from '../cluster/control.ts';
import { docker } from '../fixtures/docker.ts';
import { dataNodes, node, PRIMARY_HINT, type NodeName } from '../model/topology.ts';
import { record } from '../reports/run-report.ts';
import { CLAIMS, toMs } from '../model/claims.ts';

const info = inject('cluster');
const SUITE = 'rejoin';

describe(`rejoin and switchover (${info.flavor})`, () => {
  it(`brings a killed old primary back as a standby of the new primary within ${CLAIMS.rejoinBudgetSecs} s, never writable`, async () => {
    let old!: NodeName;
    let winner!: NodeName;
    let rejoinSeconds = 0;
    let restartAt = 0;
    const r = await underLoad(info, async (t) => {
      old = await t.primary();
      const ev = await t.nemesis.inject({ fault: 'kill', target: { nodes: [old] }, label: `kill ${old} (the primary)` });
      winner = await t.newPrimary(old);
      const restarted = performance.now();
      restartAt = t.clock.now();
      await t.nemesis.heal(ev);
      await waitFormed(t.info(), 90_000);
      rejoinSeconds = (performance.now() - restarted) / 1000;
    });
    record(info.runId, { suite: SUITE, name: 'old primary restarted to streaming standby (cluster formed)', value: rejoinSeconds, unit: 's', subject: old });
    expect(rejoinSeconds, 'restart to streaming standby (cluster formed), s').toBeLessThanOrEqual(CLAIMS.rejoinBudgetSecs);
    expect(await streamingStandbys(info, winner)).toContain(old);
    // The sampler watched the old primary come back: it was never writable again.
    const back = r.history.samples.filter((s) => s.node === old && s.at > restartAt);
    expect(back.some((s) => s.state === 'standby'), `${old} answered as a standby after its restart`).toBe(true);
    expect(back.filter((s) => s.state === 'writable')).toEqual([]);
    expect(singleWritablePrimary(r.history).status).toBe('pass');
  });

  it(`switches over to a chosen standby under load, writes stopped at most ${CLAIMS.switchoverOutageBudgetSecs} s, without losing an acknowledged write`, async () => {
    let from!: NodeName;
    let to!: NodeName;
    let outage = 0;
    const r = await underLoad(info, async (t) => {
      from = await t.primary();
      // The standby repmgr would pick on a tie, unless that is where the primary is now.
      to = dataNodes().map((n) => n.name).filter((n) => n !== from).sort((a, b) => (node(b).priority ?? 0) - (node(a).priority ?? 0))[0]!;
      const timing = await switchover(t.info(), from, to);
      outage = timing.writeOutageSeconds;
      record(info.runId, { suite: SUITE, name: 'switchover total (to formed)', value: timing.totalSeconds, unit: 's', subject: `${from} -> ${to}` });
    });
    record(info.runId, { suite: SUITE, name: 'switchover write outage (primary stopped to target writable)', value: outage, unit: 's', subject: `${from} -> ${to}` });
    expect(outage, 'switchover write outage, s').toBeLessThanOrEqual(CLAIMS.switchoverOutageBudgetSecs);
    expect(r.primaryAfter).toBe(to);
    const lost = noLostWrites(r.history);
    record(info.runId, { suite: SUITE, name: 'acknowledged writes lost in the switchover', value: lost.evidence.length, unit: 'count', subject: `${from} -> ${to}` });
    // A planned switchover waits for the target to replay everything: nothing may be lost,
    // whatever the replication mode.
    expect(lost.evidence, lost.summary).toEqual([]);
    expect(singleWritablePrimary(r.history).status).toBe('pass');
    const [sw] = timelineSwitches(r.history.rows ?? []);
    expect(sw).toBeDefined();
    record(info.runId, { suite: SUITE, name: 'switchover write gap between timelines (from the rows)', value: sw!.gapMs / 1000, unit: 's', subject: `${from} -> ${to}` });
    expect(await streamingStandbys(info, to)).toContain(from);
  });

  // Railway's redeploy, as the rollout upgrades: a new container on the same volume, with a
  // new id and hostname. Nothing here execs into a container: what the rollout relies on
  // must not need it.
  it(`redeploys a standby as Railway does (a new container on its volume): streaming again with its data within ${CLAIMS.rejoinBudgetSecs} s`, async () => {
    let standby!: NodeName;
    let before!: { id: string; hostname: string };
    let after!: { id: string; hostname: string };
    let seconds = 0;
    const r = await underLoad(info, async (t) => {
      const primary = await t.primary();
      standby = dataNodes().map((n) => n.name).filter((n) => n !== primary).at(-1)!;
      const was = await docker.getContainer(t.info().nodes[standby]!.container).inspect();
      before = { id: was.Id, hostname: was.Config.Hostname };
      const started = performance.now();
      after = await redeployNode(t.info(), standby);
      await waitFormed(await refreshEndpoints(t.info()), toMs(CLAIMS.rejoinBudgetSecs));
      seconds = (performance.now() - started) / 1000;
    });
    record(info.runId, { suite: SUITE, name: 'standby redeployed to streaming (cluster formed)', value: seconds, unit: 's', subject: standby });
    expect(after.id, 'a new container').not.toBe(before.id);
    expect(after.hostname, 'a new hostname').not.toBe(before.hostname);
    expect(seconds).toBeLessThanOrEqual(CLAIMS.rejoinBudgetSecs);
    expect(await streamingStandbys(info, r.primaryAfter)).toContain(standby);
    // Its data came back from the volume: it streams on the same timeline, no re-clone.
    expect(timelineSwitches(r.history.rows ?? [])).toEqual([]);
    expect(noLostWrites(r.history).evidence).toEqual([]);
    expect(singleWritablePrimary(r.history).status).toBe('pass');
  });

  it(`redeploys the primary as the rollout does (clean stop, a new container on its volume): clients write again within ${CLAIMS.failoverBudgetSecs} s, one primary at a time, nothing lost`, async () => {
    let old!: NodeName;
    let resumedSeconds = 0;
    const r = await underLoad(info, async (t) => {
      old = await t.primary();
      const started = performance.now();
      await redeployNode(t.info(), old);
      // Either a standby was promoted while the old container was gone, or the new one won
      // the election on its (newest, cleanly stopped) data: both are safe; the claims are
      // the clients' and the single primary.
      await t.writesResumed(toMs(CLAIMS.failoverBudgetSecs));
      resumedSeconds = (performance.now() - started) / 1000;
      await waitFormed(await refreshEndpoints(t.info()), toMs(CLAIMS.rejoinBudgetSecs));
    });
    record(info.runId, { suite: SUITE, name: 'primary redeployed: stop to client writes succeeding again', value: resumedSeconds, unit: 's', subject: `${old} -> ${r.primaryAfter}` });
    expect(resumedSeconds).toBeLessThanOrEqual(CLAIMS.failoverBudgetSecs);
    // A clean stop loses nothing, whatever the replication mode.
    expect(noLostWrites(r.history).evidence).toEqual([]);
    expect(singleWritablePrimary(r.history).status).toBe('pass');
    if (r.primaryAfter !== old) expect(await streamingStandbys(info, r.primaryAfter)).toContain(old);
  });

  it(`puts ${PRIMARY_HINT} back as primary, leaving the cluster as it booted`, async () => {
    const now = await writablePrimary(info);
    expect(now).toBeDefined();
    if (now !== PRIMARY_HINT) await switchover(info, now!, PRIMARY_HINT);
    expect(await writablePrimary(info)).toBe(PRIMARY_HINT);
  });
});
