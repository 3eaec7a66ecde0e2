import { describe, expect, inject, it } from 'vitest';
import { observeFormation, serviceStatus } from '../cluster/observe.ts';
import { formationProblems } from '../cluster/formation.ts';
import { DATA_VOLUME, dataNodes, HOST_SUFFIX, node, privateHost, repmgrNodes, routers, TOPOLOGY } from '../model/topology.ts';
import { psqlIn } from '../cluster/libpq-client.ts';
import { docker, execIn } from '../fixtures/docker.ts';
import { appCredentials, endpointOf, queryOnce, repmgrCredentials } from '../cluster/clients.ts';

const info = inject('cluster');
// repmgr lists nodes by id: pg-1..pg-4, then the witness (99).
const byId = repmgrNodes().toSorted((a, b) => (a.id ?? 0) - (b.id ?? 0));

describe(`formation (${info.flavor})`, () => {
  it('forms around pg-1 as primary with pg-2..pg-4 streaming from it and the witness watching it', async () => {
    const o = await observeFormation(info);
    expect(formationProblems(o)).toEqual([]);
    expect(o.inRecovery).toEqual({ 'pg-1': false, 'pg-2': true, 'pg-3': true, 'pg-4': true });
    expect(o.streaming.toSorted()).toEqual(['pg-2', 'pg-3', 'pg-4']);
    const view = o.primaryView.map((r) => ({ name: r.name, id: r.id, role: r.role, upstream: r.upstream, priority: r.priority }));
    expect(view).toEqual([
      { name: 'pg-1', id: 1, role: 'primary', upstream: null, priority: 199 },
      { name: 'pg-2', id: 2, role: 'standby', upstream: 'pg-1', priority: 198 },
      { name: 'pg-3', id: 3, role: 'standby', upstream: 'pg-1', priority: 197 },
      { name: 'pg-4', id: 4, role: 'standby', upstream: 'pg-1', priority: 196 },
      { name: 'witness', id: 99, role: 'witness', upstream: 'pg-1', priority: 0 },
    ]);
  });

  it("keeps the witness's own copy of repmgr.nodes complete, naming the current primary", async () => {
    const o = await observeFormation(info);
    expect(o.witnessView.map((r) => r.name)).toEqual(byId.map((n) => n.name));
    expect(o.witnessView.filter((r) => r.role === 'primary' && r.active).map((r) => r.name)).toEqual(['pg-1']);
  });

  it('runs PostgreSQL and repmgrd on all five repmgr nodes, none paused', async () => {
    for (const from of ['pg-1', 'pg-3', 'witness'] as const) {
      const status = await serviceStatus(info, from);
      expect(status.map((s) => [s.name, s.postgresRunning, s.repmgrdRunning, s.repmgrdPaused])).toEqual(
        byId.map((n) => [n.name, true, true, false]),
      );
    }
  });

  it('names each PostgreSQL node by its cluster_name, so a statement can tell who served it', async () => {
    for (const n of dataNodes()) {
      const rows = await queryOnce<{ who: string }>(endpointOf(info, n.name), appCredentials(info), "SELECT current_setting('cluster_name') AS who");
      expect(rows[0]?.who).toBe(n.name);
    }
    expect(node('witness').id).toBe(99);
  });

  it.for(dataNodes().map((n) => n.name))("keeps %s's data where Railway would: PGDATA below a volume mount whose root holds a root-owned lost+found", async (name) => {
    const id = info.nodes[name]!.container;
    const mounts = (await docker.getContainer(id).inspect()).Mounts ?? [];
    expect(mounts.filter((m) => m.Destination === DATA_VOLUME.mountPath).map((m) => m.Type)).toEqual(['volume']);
    // What the server itself runs on, not what the environment says.
    const rows = await queryOnce<{ dir: string }>(endpointOf(info, name), repmgrCredentials(info), "SELECT current_setting('data_directory') AS dir");
    expect(rows[0]?.dir).toBe(DATA_VOLUME.pgdata);
    const root = await execIn(id, ['stat', '-c', '%n %U %a', `${DATA_VOLUME.mountPath}/lost+found`]);
    expect(root.stdout.trim(), root.stderr).toBe(`${DATA_VOLUME.mountPath}/lost+found root 700`);
  });

  it('lets the app user in through both proxies', async () => {
    for (const r of routers()) {
      const rows = await queryOnce<{ db: string; usr: string }>(endpointOf(info, r.name), appCredentials(info), 'SELECT current_database() AS db, current_user AS usr');
      expect(rows).toEqual([{ db: 'app', usr: 'app' }]);
    }
  });

  // What Railway gives a service: peers by `<service>.railway.internal` only, a random
  // hostname, a dual-stack network (legacy environments are IPv6-only). Each check reads
  // what the nodes do, not how they were configured.
  describe('on a Railway-shaped network', () => {
    const from = info.nodes['pg-2']!.container;

    it.for(TOPOLOGY.map((n) => n.name))(`resolves %s by its ${HOST_SUFFIX} name to its IPv6 address first, and not by its bare name`, async (name) => {
      const { ip, ip6 } = info.nodes[name]!;
      const full = await execIn(from, ['getent', 'ahostsv4', privateHost(name)]);
      expect(full.stdout.split('\n')[0]?.split(/\s+/)[0], full.stderr).toBe(ip);
      // ahosts lists in the order libpq will try: IPv6 first on this network.
      const order = await execIn(from, ['getent', 'ahosts', privateHost(name)]);
      expect(order.stdout.split('\n')[0]?.split(/\s+/)[0], order.stderr).toBe(ip6);
      const bare = await execIn(from, ['getent', 'hosts', node(name).service]);
      expect(bare.exitCode, `${node(name).service} resolved to ${bare.stdout.trim()}`).not.toBe(0);
    });

    it.for(TOPOLOGY.map((n) => n.name))('runs %s under a random hostname, not its service name', async (name) => {
      const c = await docker.getContainer(info.nodes[name]!.container).inspect();
      expect(c.Config.Hostname).not.toBe(node(name).service);
      expect(c.Config.Hostname).toMatch(/^[0-9a-f]{12}$/);
    });

    it(`registers every repmgr node by its ${HOST_SUFFIX} name`, async () => {
      const rows = await queryOnce<{ name: string; conninfo: string }>(endpointOf(info, 'pg-1'), repmgrCredentials(info), 'SELECT node_name AS name, conninfo FROM repmgr.nodes ORDER BY node_id');
      expect(rows.map((r) => [r.name, /host=(\S+)/.exec(r.conninfo)?.[1]])).toEqual(byId.map((n) => [n.name, privateHost(n.name)]));
    });

    it('streams to every standby over IPv6', async () => {
      const rows = await queryOnce<{ name: string; addr: string }>(
        endpointOf(info, 'pg-1'),
        repmgrCredentials(info),
        'SELECT application_name AS name, host(client_addr) AS addr FROM pg_stat_replication ORDER BY 1',
      );
      expect(rows.map((r) => [r.name, r.addr])).toEqual(['pg-2', 'pg-3', 'pg-4'].map((n) => [n, info.nodes[n as 'pg-2']!.ip6]));
    });

    it.for(routers().map((r) => r.name))('has %s reach the data nodes over IPv6 and take clients over IPv6', async (router) => {
      const r = info.nodes[router]!;
      // The backend that served the statement sees the router's own address.
      const served = await queryOnce<{ addr: string }>(endpointOf(info, router), appCredentials(info), 'SELECT host(inet_client_addr()) AS addr');
      expect(served[0]?.addr).toBe(r.ip6);
      // A client on the network that has only the router's IPv6 address.
      const v6 = await psqlIn(from, `host=${r.ip6} port=5432 user=app dbname=app connect_timeout=2`, info.secrets.app, 'SELECT 1');
      expect(v6.exitCode, v6.stderr).toBe(0);
      expect(v6.rows).toEqual(['1']);
    });
  });
});
