import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appCredentials, connectFirst, endpointOf, queryOnce } from '../cluster/clients.ts';
import { routerEndpoints, type Endpoint } from '../cluster/info.ts';
import { containerStatus, killNode, refreshEndpoints, startNode } from '../cluster/control.ts';
import { waitFormed } from '../cluster/boot.ts';
import { psqlIn } from '../cluster/libpq-client.ts';
import { recovery, startProbeLoop, type Attempt } from './support/probe-loop.ts';
import { eventually } from '../cluster/wait.ts';
import { dataNodes, privateHost, PROXY_PORT, routers, type NodeName } from '../model/topology.ts';
import { record } from '../reports/run-report.ts';
import { CLAIMS, toMs } from '../model/claims.ts';

const info = inject('cluster');
const SUITE = 'proxy-ha';
const KILLED: NodeName = 'proxysql';
/** Client-visible budget for moving to the other proxy: libpq's connect_timeout (2 s) plus slack. */
const RECONNECT_BUDGET_MS = toMs(CLAIMS.routerKillBudgetSecs);
/** What a client asks: the router's address as the serving PostgreSQL node sees its client. */
const WHO_CONNECTED = 'SELECT host(inet_client_addr()) AS addr';
/** libpq's own host-list failover, as an application on the cluster network would configure it. */
const MULTI_HOST = `host=${routers().map((r) => privateHost(r.name)).join(',')} port=${PROXY_PORT},${PROXY_PORT} user=app dbname=app target_session_attrs=any connect_timeout=2`;

describe(`proxy failover (${info.flavor})`, () => {
  const original = info.nodes[KILLED]!;
  const witness = info.nodes.witness!.container;
  /** Router name by its addresses on the cluster network, both families (re-read after a restart). */
  let routerByIp = new Map<string, string>();
  let restored = false;

  const readRouterIps = async () => {
    const live = await refreshEndpoints(info);
    routerByIp = new Map(routers().flatMap((r) => [live.nodes[r.name]!.ip, live.nodes[r.name]!.ip6].map((a) => [a, r.name])));
  };
  const routerOf = (addr: string | undefined) => routerByIp.get(addr ?? '') ?? `unknown address ${addr}`;

  const libpqAttempt = async (): Promise<string> => {
    const r = await psqlIn(witness, MULTI_HOST, info.secrets.app, WHO_CONNECTED);
    if (r.exitCode !== 0) throw new Error(r.stderr.trim() || `psql exited ${r.exitCode}`);
    return routerOf(r.rows[0]);
  };

  /** A Node client over both proxies: keeps its connection, reconnects (host list in order) after an error. */
  const nodeClient = () => {
    let conn: pg.Client | null = null;
    const attempt = async (): Promise<string> => {
      conn ??= (await connectFirst(routerEndpoints(info), appCredentials(info))).client;
      try {
        return routerOf((await conn.query<{ addr: string }>(WHO_CONNECTED)).rows[0]?.addr);
      } catch (e) {
        await conn.end().catch(() => {});
        conn = null;
        throw e;
      }
    };
    return { attempt, close: async () => conn?.end().catch(() => {}) };
  };

  beforeAll(async () => {
    await readRouterIps();
  });

  it(`keeps a libpq multi-host client and a host-list Node client working within ${RECONNECT_BUDGET_MS / 1000} s of ${KILLED} being killed`, async () => {
    const node = nodeClient();
    const loops = { 'libpq multi-host (psql)': startProbeLoop(libpqAttempt), 'node-postgres connectFirst': startProbeLoop(node.attempt, 20) };
    let histories: Record<string, Attempt[]> = {};
    let killAt = 0;
    let killedAt = 0;
    try {
      await Promise.all(Object.values(loops).map((l) => l.successesAfter(0, 3, 10_000)));
      killAt = performance.now();
      await killNode(info, KILLED);
      killedAt = performance.now();
      record(info.runId, { suite: SUITE, name: 'docker kill returned after', value: killedAt - killAt, unit: 'ms', subject: KILLED });
      await Promise.all(Object.values(loops).map((l) => l.successesAfter(killedAt, 5, 15_000)));
    } finally {
      histories = Object.fromEntries(await Promise.all(Object.entries(loops).map(async ([k, l]) => [k, await l.stop()] as const)));
      await node.close();
    }

    for (const [client, history] of Object.entries(histories)) {
      const before = history.filter((a) => a.endedAt < killAt);
      // Both clients list proxysql first: before the kill it is the one that serves them.
      expect(before.map((a) => a.servedBy ?? a.error), `${client} before the kill`).toEqual(before.map(() => KILLED));
      const r = recovery(history, killAt, killedAt);
      record(info.runId, { suite: SUITE, name: `reconnection after ${KILLED} kill`, value: r.reconnectMs ?? Number.NaN, unit: 'ms', subject: client });
      record(info.runId, { suite: SUITE, name: `failed attempts after ${KILLED} kill`, value: r.failuresAfterFault, unit: 'count', subject: client });
      expect(r.reconnectMs, `${client}: kill to first good query`).not.toBeNull();
      expect(r.reconnectMs!, `${client}: kill to first good query (ms)`).toBeLessThan(RECONNECT_BUDGET_MS);
      expect(new Set(r.servedAfterFault), `${client}: served after the kill by`).toEqual(new Set(['proxysql-2']));
      expect(r.failuresAfterRecovery, `${client}: failures once it had moved to proxysql-2`).toBe(0);
    }
  });

  it(`serves again through ${KILLED} after docker start, at the address it had`, async () => {
    const t0 = performance.now();
    await startNode(info, KILLED);
    const back = await eventually(
      async () => {
        const status = await containerStatus(info, KILLED);
        if (status !== 'running') throw new Error(`container ${status}`);
        const live = await refreshEndpoints(info);
        const rows = await queryOnce<{ node: string }>(endpointOf(live, KILLED), appCredentials(info), "SELECT current_setting('cluster_name') AS node");
        return rows[0]?.node;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `${KILLED} answering after docker start` },
    );
    record(info.runId, { suite: SUITE, name: `${KILLED} serving after docker start`, value: performance.now() - t0, unit: 'ms', subject: KILLED });
    expect(dataNodes().map((n) => n.name)).toContain(back);
    // Every other holder of ClusterInfo (the other suites, `pgha status`) still has the old address.
    expect(endpointOf(await refreshEndpoints(info), KILLED), `${KILLED}'s host endpoint after docker start`).toEqual<Endpoint>({ host: original.host, port: original.port });
    // libpq tries the host list in order, so the restarted first proxy takes the multi-host client back.
    await readRouterIps();
    expect(await libpqAttempt()).toBe(KILLED);
  });

  it('leaves the cluster formed again', async () => {
    await putBack();
    restored = true;
  });

  afterAll(async () => {
    // A failed test above must not leave the shared cluster broken for the next file.
    if (!restored) await putBack();
  });

  async function putBack(): Promise<void> {
    if ((await containerStatus(info, KILLED)) !== 'running') await startNode(info, KILLED);
    await waitFormed(info, 60_000);
  }
});
