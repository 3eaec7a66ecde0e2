// Client conformance: each driver the cluster's documentation shows, configured as shown
// (pool included), writes and reads through the routers from the cluster network while a
// router is killed, the primary is killed, and the primary is paused, one fault after the
// other on the shared cluster, all drivers at once. Per driver and fault: the outage on the
// client clock, the errors by class and SQLSTATE, whether the pool came back by itself, and
// the acknowledged writes missing on the new primary. The one documented setting a driver
// can't use (node-postgres' `host: 'a,b'`) runs too, and must be seen to fail.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appCredentials, connectNode } from '../cluster/clients.ts';
import { containerStatus, killNode, refreshEndpoints, startNode } from '../cluster/control.ts';
import { waitFormed } from '../cluster/boot.ts';
import { writableAmong, writablePrimary } from '../cluster/observe.ts';
import { saveLogs } from '../cluster/node-logs.ts';
import { eventually } from '../cluster/wait.ts';
import { driverStderr, routerHosts, silentHostEntries, startDriverClient, type DriverClient } from '../cluster/driver-clients.ts';
import { docker } from '../fixtures/docker.ts';
import { buildClientsImage } from '../fixtures/clients-image.ts';
import { CLAIMS, toMs } from '../model/claims.ts';
import { runDir } from '../model/paths.ts';
import { DRIVERS, workingDrivers, type ClientFault, type ClientRow, type DriverEvent, type DriverName, type DriverSpec } from '../model/clients.ts';
import { dataNodes, HOST_SUFFIX, type NodeName } from '../model/topology.ts';
import { record } from '../reports/run-report.ts';
import { appendClientRows } from '../reports/clients-table.ts';
import { acknowledgedKeys, faultOutcome, mustDo, opsOf, parseDriverLog, writingAgain } from './support/client-outage.ts';

const info = inject('cluster');
const SUITE = 'clients';
const ROUTER: NodeName = 'proxysql';
/** A driver is writing again once this many writes in a row succeeded after the fault. */
const WRITES_IN_A_ROW = 5;
/** From its container's start to writing: a JVM and a pool included. */
const START_WRITING_MS = 60_000;
/** A router name that does not resolve: what Docker's and Railway's DNS answer for a stopped service. */
const GONE_ROUTER_HOST = `stopped-router${HOST_SUFFIX}`;
/** A router name that resolves to an IPv4 and an IPv6 address where nothing answers: a killed router's, until its name goes. */
const SILENT_ROUTER_HOST = `killed-router${HOST_SUFFIX}`;
/** The first router a new connection has to get past before the second. */
type FirstHost = 'gone' | 'silent';
/** How long past its budget a fault is watched, so a slow driver is measured, not cut off. */
const OVERRUN_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`client drivers through both routers (${info.flavor})`, () => {
  const clients = new Map<DriverName, DriverClient>();
  const versions = new Map<DriverName, string>();
  /** Acknowledged writes already found missing, per driver: each fault reports only its own. */
  const lostBefore = new Map<DriverName, number>();
  let documentedRemoved = false;
  /** Each working driver's events with a first router it has to get past (see probeFirstHost). */
  const firstHost = new Map<FirstHost, Map<DriverName, DriverEvent[]>>();

  /** Polls `started` until each writes WRITES_IN_A_ROW in a row after `since`, or the deadline passes; returns their events. */
  async function untilWriting(started: readonly DriverClient[], since: number, deadline: number): Promise<Map<DriverName, DriverEvent[]>> {
    for (;;) {
      const events = new Map(await Promise.all(started.map(async (c) => [c.driver, parseDriverLog(await c.output()).events] as const)));
      if ([...events.values()].every((e) => writingAgain(e, since, WRITES_IN_A_ROW)) || Date.now() > deadline) return events;
      await sleep(500);
    }
  }

  /** A client's start (its hello, before the pool opens) to the end of its first good write, seconds. */
  function startToFirstWriteSecs(events: readonly DriverEvent[]): number {
    const hello = events.find((e) => e.ev === 'hello');
    const first = opsOf(events).find((e) => e.ok && e.op === 'write');
    if (!hello || !first) throw new Error(`no ${!hello ? 'hello' : 'good write'} in the client's record`);
    return (first.t1 - hello.t) / 1000;
  }

  const eventsOf = async (d: DriverName): Promise<DriverEvent[]> => parseDriverLog(await clients.get(d)!.output()).events;

  const allEvents = async (drivers: readonly DriverSpec[]) => new Map(await Promise.all(drivers.map(async (d) => [d.name, await eventsOf(d.name)] as const)));

  /** Every working driver writes again after `since`; returns when all do, or at the deadline. */
  const waitWriting = (since: number, deadline: number) => untilWriting(workingDrivers().map((d) => clients.get(d.name)!), since, deadline).then(() => {});

  /** Acknowledged writes of each driver that the current primary does not have. */
  async function missingOnPrimary(): Promise<Map<DriverName, { missing: number; acked: number }>> {
    const live = await refreshEndpoints(info);
    const primary = await writablePrimary(live);
    if (!primary) throw new Error('no single writable primary to count the writes on');
    const client = await connectNode(live, primary, appCredentials(info));
    try {
      const out = new Map<DriverName, { missing: number; acked: number }>();
      for (const d of workingDrivers()) {
        const acked = acknowledgedKeys(await eventsOf(d.name));
        const rows = await client.query<{ k: string }>('SELECT k FROM client_writes WHERE driver = $1', [d.name]);
        const present = new Set(rows.rows.map((r) => Number(r.k)));
        out.set(d.name, { missing: acked.filter((k) => !present.has(k)).length, acked: acked.length });
      }
      return out;
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** Every node's log since the fault, kept in the run's folder: the containers go at teardown. */
  const saveNodeLogs = (fault: ClientFault, since: number) =>
    saveLogs(info, Object.keys(info.nodes) as NodeName[], since, join(runDir(info.runId), `logs-clients-${fault.replaceAll(' ', '-')}`));

  /** Runs one fault with every driver writing, measures each, heals, and waits until all write again. */
  async function underFault(fault: ClientFault, budgetSecs: number, inject: () => Promise<void>, recovered: () => Promise<void>, heal: () => Promise<void>): Promise<ClientRow[]> {
    const faultAt = Date.now();
    let injectedAt = faultAt;
    let events: Map<DriverName, DriverEvent[]>;
    let until: number;
    let lost: Awaited<ReturnType<typeof missingOnPrimary>>;
    try {
      await inject();
      injectedAt = Date.now();
      // The database's side first (a new primary), so no write that raced the fault counts as recovery.
      await recovered();
      await waitWriting(faultAt, faultAt + toMs(budgetSecs) + OVERRUN_MS);
      until = Date.now();
      events = await allEvents(workingDrivers());
      // Counted before the heal: an unpaused old primary is writable until it fences itself.
      lost = await missingOnPrimary();
    } catch (e) {
      console.error(`${fault} failed: every node's log since the fault: ${await saveNodeLogs(fault, faultAt)}/`);
      throw e;
    } finally {
      // Healed whatever happened above: the next fault, and the next suite, need the cluster back.
      await heal();
    }
    // A client whose process died is not "slow": its row says so, with the runtime's last words.
    const died = new Map<DriverName, string>();
    for (const d of workingDrivers()) {
      const c = clients.get(d.name)!;
      if (!(await docker.getContainer(c.container).inspect()).State.Running) {
        const lines = (await driverStderr(c)).split('\n');
        died.set(d.name, (lines.find((l) => /^\s*[\w.]*(Error|Exception)\b.*:/.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? 'no stderr').trim());
      }
    }
    const rows = workingDrivers().map((d): ClientRow => {
      const o = faultOutcome(events.get(d.name)!, faultAt, until, injectedAt);
      const l = lost.get(d.name)!;
      const lostWrites = l.missing - (lostBefore.get(d.name) ?? 0);
      lostBefore.set(d.name, l.missing);
      const outageSecs = o.outageMs === null ? null : o.outageMs / 1000;
      const why = died.has(d.name) ? `the client process died: ${died.get(d.name)}` : outageSecs === null ? `not writing again within ${budgetSecs + OVERRUN_MS / 1000} s` : outageSecs > budgetSecs ? `outage ${outageSecs.toFixed(1)} s over the ${budgetSecs} s budget` : undefined;
      return {
        driver: d.name,
        title: d.title,
        version: versions.get(d.name)!,
        settings: d.settings,
        fault,
        budgetSecs,
        outageSecs,
        failedWrites: o.failedWrites,
        errors: o.errors,
        recovery: o.recovery,
        lostWrites,
        ackedWrites: l.acked,
        mustDo: mustDo(o),
        passed: why === undefined,
        ...(why ? { why } : {}),
      };
    });
    for (const r of rows) {
      record(info.runId, { suite: SUITE, name: `${r.fault}: outage (client clock)`, value: r.outageSecs ?? Number.NaN, unit: 's', subject: r.driver });
      record(info.runId, { suite: SUITE, name: `${r.fault}: failed writes`, value: r.failedWrites, unit: 'count', subject: r.driver });
      record(info.runId, { suite: SUITE, name: `${r.fault}: acknowledged writes lost`, value: r.lostWrites, unit: 'count', subject: r.driver });
    }
    appendClientRows(info.runId, rows);
    if (rows.some((r) => !r.passed)) console.error(`${fault}: a driver failed: every node's log since the fault: ${await saveNodeLogs(fault, faultAt)}/`);
    console.log(`[clients] ${fault}: ${rows.map((r) => `${r.driver} ${r.outageSecs === null ? 'not back' : `${r.outageSecs.toFixed(1)} s`} (${r.failedWrites} failed, ${r.recovery}, ${r.lostWrites} lost)`).join('; ')}`);
    await waitFormed(await refreshEndpoints(info), toMs(CLAIMS.reformTimeoutSecs));
    // The next fault starts from every driver writing, whatever the heal did to their sessions.
    const healedAt = Date.now();
    await waitWriting(healedAt, healedAt + toMs(CLAIMS.failoverBudgetSecs));
    return rows;
  }

  function expectRows(rows: readonly ClientRow[]): void {
    expect(rows.map((r) => r.driver).sort()).toEqual(workingDrivers().map((d) => d.name).sort());
    for (const r of rows) {
      expect(r.outageSecs, `${r.driver} (${r.version}): ${r.fault}: first good write after the last failed one`).not.toBeNull();
      expect(r.outageSecs!, `${r.driver} (${r.version}): ${r.fault}: outage (s)`).toBeLessThanOrEqual(r.budgetSecs!);
      if (info.synchronousMode !== 'off') expect(r.lostWrites, `${r.driver}: synchronous mode loses no acknowledged write`).toBe(0);
    }
  }

  /**
   * Waits for one writable data node other than `old`. `old` is not asked: paused, it held
   * each probe for its connect timeout, and since a round of probes ends with its slowest,
   * a promotion was seen up to 3.5 s late (measured: writable at 13.2 s, seen at 16.7 s).
   */
  const newPrimaryOtherThan = (old: NodeName, budgetMs: number) => () =>
    eventually(() => writableAmong(info, dataNodes().map((n) => n.name).filter((n) => n !== old)), { timeoutMs: budgetMs, intervalMs: 100, what: `a primary other than ${old}` }).then(() => {});

  /**
   * A killed router's name still resolves for a moment to its two addresses, where nothing
   * answers, and then is gone from DNS (Docker's and Railway's drop a stopped service's
   * name). Which of the two a client's next connect meets during the router-kill fault is a
   * race (measured on an idle machine: the name went 0.12-0.14 s after the addresses, three
   * kills); each is made certain here, every working driver started with such a first router
   * before the second.
   */
  async function probeFirstHost(image: string, kind: FirstHost): Promise<void> {
    const first = kind === 'gone' ? GONE_ROUTER_HOST : SILENT_ROUTER_HOST;
    const extraHosts = kind === 'silent' ? await silentHostEntries(info, SILENT_ROUTER_HOST) : undefined;
    const probes = await Promise.all(workingDrivers().map((d) => startDriverClient(info, image, d.name, { hosts: [first, ...routerHosts().slice(1)], tag: `first-host-${kind}`, extraHosts })));
    try {
      firstHost.set(kind, await untilWriting(probes, 0, Date.now() + START_WRITING_MS));
    } finally {
      await Promise.all(probes.map((p) => p.remove().catch(() => {})));
    }
  }

  beforeAll(async () => {
    const image = await buildClientsImage();
    const primary = await writablePrimary(info);
    if (!primary) throw new Error('no single writable primary to create the clients table on');
    const c = await connectNode(info, primary, appCredentials(info));
    try {
      await c.query('CREATE TABLE IF NOT EXISTS client_writes (driver text NOT NULL, k bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (driver, k))');
      // Every client's keys start at 1 (the probes' and the clients' below): each starts on an
      // empty table, or its first writes are refused as duplicates (23505). One probe after
      // the other: the silent case is timed, and five clients starting at once load the machine.
      for (const kind of ['gone', 'silent'] as const) {
        await probeFirstHost(image.ref, kind);
        await c.query('DELETE FROM client_writes');
      }
    } finally {
      await c.end();
    }
    for (const d of DRIVERS) clients.set(d.name, await startDriverClient(info, image.ref, d.name));
    // Each names its version first; a client that never does died (its stderr says why).
    await eventually(
      async () => {
        for (const d of DRIVERS) {
          const hello = (await eventsOf(d.name)).find((e) => e.ev === 'hello');
          if (!hello) {
            const status = (await docker.getContainer(clients.get(d.name)!.container).inspect()).State.Status;
            if (status !== 'running') throw new Error(`${d.name} client ${status}: ${await driverStderr(clients.get(d.name)!)}`);
            return undefined;
          }
          const packages = (await eventsOf(d.name)).find((e) => e.ev === 'packages');
          versions.set(d.name, `${hello.version}${packages ? `; Debian: ${packages.list}` : ''}`);
        }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'every client naming its driver version' },
    );
    const started = Date.now();
    await waitWriting(0, started + START_WRITING_MS);
  }, 900_000);

  afterAll(async () => {
    // Each driver's own record of every statement goes with the run's report.
    await Promise.all(
      [...clients.values()].map(async (c) => {
        if (c.driver !== 'node-pg-documented' || !documentedRemoved) writeFileSync(join(runDir(info.runId), `client-${c.driver}.jsonl`), await c.output().catch((e: Error) => `${e.message}\n`));
        await c.remove().catch(() => {});
      }),
    );
    // A failed test above must not leave a node killed or paused for the next suite.
    let touched = false;
    for (const n of Object.values(info.nodes)) {
      const c = docker.getContainer(n.container);
      const s = (await c.inspect()).State;
      if (s.Paused) await c.unpause();
      else if (!s.Running) await c.start();
      else continue;
      touched = true;
    }
    if (touched) await waitFormed(await refreshEndpoints(info), toMs(CLAIMS.reformTimeoutSecs));
  });

  it('runs every working driver writing through the routers before any fault', async () => {
    for (const d of workingDrivers()) {
      const events = await eventsOf(d.name);
      expect(writingAgain(events, 0, WRITES_IN_A_ROW), `${d.name} (${versions.get(d.name)}): ${WRITES_IN_A_ROW} writes in a row`).toBe(true);
      expect(events.some((e) => e.ev === 'crash'), `${d.name} crashed`).toBe(false);
    }
  });

  it(`connects every working driver through the second router when the first router's name does not resolve (${GONE_ROUTER_HOST}: a stopped service's name is gone)`, () => {
    const gone = firstHost.get('gone')!;
    expect([...gone.keys()].sort()).toEqual(workingDrivers().map((d) => d.name).sort());
    for (const [d, events] of gone) {
      const o = faultOutcome(events, 0, Date.now());
      record(info.runId, { suite: SUITE, name: 'first host does not resolve: failed writes before writing', value: o.failedWrites, unit: 'count', subject: d });
      expect(writingAgain(events, 0, WRITES_IN_A_ROW), `${d}: ${WRITES_IN_A_ROW} writes in a row within ${START_WRITING_MS / 1000} s with ${GONE_ROUTER_HOST} listed first (errors: ${JSON.stringify(o.errors)})`).toBe(true);
    }
  });

  it(`costs every working driver at most ${CLAIMS.routerKillBudgetSecs} s to get past a first router whose name resolves where nothing answers (${SILENT_ROUTER_HOST}: a killed router until its name goes; routerKillBudgetSecs)`, () => {
    const silent = firstHost.get('silent')!;
    const gone = firstHost.get('gone')!;
    expect([...silent.keys()].sort()).toEqual(workingDrivers().map((d) => d.name).sort());
    for (const [d, events] of silent) {
      const o = faultOutcome(events, 0, Date.now());
      expect(writingAgain(events, 0, WRITES_IN_A_ROW), `${d}: ${WRITES_IN_A_ROW} writes in a row within ${START_WRITING_MS / 1000} s with ${SILENT_ROUTER_HOST} listed first (errors: ${JSON.stringify(o.errors)})`).toBe(true);
      // What the silent router costs: the client's start (before its pool opens) to its first
      // good write, less the same with a first router that does not resolve, so a runtime's
      // own start (a JVM's: 1-3 s here) is not counted. Every new connection pays it while a
      // killed router's name still resolves.
      const silentSecs = startToFirstWriteSecs(events);
      const goneSecs = startToFirstWriteSecs(gone.get(d)!);
      record(info.runId, { suite: SUITE, name: 'first router silent: start to first write', value: silentSecs, unit: 's', subject: d });
      record(info.runId, { suite: SUITE, name: 'first router gone: start to first write', value: goneSecs, unit: 's', subject: d });
      record(info.runId, { suite: SUITE, name: 'first router silent: cost', value: silentSecs - goneSecs, unit: 's', subject: d });
      expect(silentSecs - goneSecs, `${d}: start to first write ${silentSecs} s with ${SILENT_ROUTER_HOST} (two silent addresses) listed first, ${goneSecs} s with ${GONE_ROUTER_HOST} (errors: ${JSON.stringify(o.errors)})`).toBeLessThanOrEqual(CLAIMS.routerKillBudgetSecs);
    }
  });

  it("reports node-postgres' documented Pool with host: 'proxysql,proxysql-2' as never connecting, and names the host-list pool that works", async () => {
    const d = DRIVERS.find((x) => !x.works)!;
    const events = await eventsOf(d.name);
    const ops = opsOf(events);
    const o = faultOutcome(events, 0, Date.now());
    const row: ClientRow = {
      driver: d.name,
      title: d.title,
      version: versions.get(d.name)!,
      settings: `${d.settings}; works instead: ${DRIVERS.find((x) => x.name === d.alternative)!.settings}`,
      fault: 'as documented',
      budgetSecs: null,
      outageSecs: null,
      failedWrites: o.failedWrites,
      errors: o.errors,
      recovery: 'never connected',
      lostWrites: 0,
      ackedWrites: ops.filter((x) => x.ok && x.op === 'write').length,
      mustDo: `use ${d.alternative} (one Pool per router, checkout in order), or pgha's connectFirst()`,
      passed: ops.length > 0 && ops.every((x) => !x.ok),
    };
    appendClientRows(info.runId, [row]);
    record(info.runId, { suite: SUITE, name: 'as documented: attempts, all failed', value: ops.length, unit: 'count', subject: d.name });
    expect(ops.length, 'attempts made').toBeGreaterThan(0);
    expect(ops.filter((x) => x.ok), 'a write or read that succeeded with the host list as one name').toEqual([]);
    // The whole list looked up as one name: a DNS failure, not a refusal by a router.
    expect(Object.keys(o.errors).every((k) => /ENOTFOUND|EAI_AGAIN/.test(k)), `errors: ${JSON.stringify(o.errors)}`).toBe(true);
    // It has said what it had to say; its retries would only take CPU from the measurements.
    writeFileSync(join(runDir(info.runId), `client-${d.name}.jsonl`), await clients.get(d.name)!.output());
    await clients.get(d.name)!.remove();
    documentedRemoved = true;
  });

  it(`keeps every driver writing within ${CLAIMS.routerKillBudgetSecs} s of ${ROUTER} being killed (routerKillBudgetSecs), and again after it is started`, async () => {
    expect(documentedRemoved).toBe(true);
    const rows = await underFault(
      'router kill',
      CLAIMS.routerKillBudgetSecs,
      () => killNode(info, ROUTER),
      async () => {
        expect(await containerStatus(info, ROUTER)).not.toBe('running');
      },
      () => startNode(info, ROUTER),
    );
    expectRows(rows);
  });

  it(`has every driver writing again within ${CLAIMS.failoverBudgetSecs} s of the primary being killed (failoverBudgetSecs), acknowledged writes counted on the new primary`, async () => {
    const old = (await writablePrimary(info))!;
    const rows = await underFault(
      'primary kill',
      CLAIMS.failoverBudgetSecs,
      () => killNode(info, old),
      newPrimaryOtherThan(old, toMs(CLAIMS.failoverBudgetSecs)),
      () => startNode(info, old),
    );
    expectRows(rows);
  });

  it(`has every driver writing again within ${CLAIMS.hungPrimaryBudgetSecs} s of the primary being paused (hungPrimaryBudgetSecs)`, async () => {
    const old = (await writablePrimary(info))!;
    const container = docker.getContainer(info.nodes[old]!.container);
    const rows = await underFault(
      'primary pause',
      CLAIMS.hungPrimaryBudgetSecs,
      () => container.pause(),
      newPrimaryOtherThan(old, toMs(CLAIMS.hungPrimaryBudgetSecs)),
      () => container.unpause(),
    );
    expectRows(rows);
  });
});
