import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, appCredentials, connectNode, endpointOf } from '../cluster/clients.ts';
import { roles } from '../cluster/observe.ts';
import { currentPrimary } from '../cluster/formation.ts';
import { currentLsn, waitReplayed } from '../cluster/replication.ts';
import { ROUTING_CASES, type RoutingCase } from '../model/proxy-contract.ts';
import { PROTOCOLS, servedBy, statementFor } from './support/routing-probe.ts';
import { tally } from '../model/stats.ts';
import { dataNodes, routers, type NodeName } from '../model/topology.ts';
import { record } from '../reports/run-report.ts';

const info = inject('cluster');
const SUITE = 'routing';
/** Runs of each case per proxy and protocol: enough that a balanced read would hit the primary if it could. */
const RUNS: Record<RoutingCase['destination'], number> = { writer: 5, readers: 30 };
/** Plain reads per proxy and protocol for the spread check; each standby must serve >= 20% of them. */
const SPREAD_READS = 300;
const MIN_SHARE = 0.2;

const WHO = "current_setting('cluster_name')";

let primary: NodeName;
let standbys: NodeName[];
let direct: pg.Client;

beforeAll(async () => {
  const p = currentPrimary({ inRecovery: await roles(info) });
  if (!p) throw new Error('no single writable node: the cluster is not formed');
  primary = p;
  standbys = dataNodes().map((n) => n.name).filter((n) => n !== primary);
  direct = await connectNode(info, primary);
  // Seed rows for the locking SELECTs and the UPDATE (id 1) and enough for every DELETE.
  await direct.query(`DROP TABLE IF EXISTS pgha_routing;
    CREATE TABLE pgha_routing (id serial PRIMARY KEY, node text NOT NULL);
    INSERT INTO pgha_routing (node) SELECT 'seed' FROM generate_series(1, 100)`);
  const lsn = await currentLsn(direct);
  for (const s of standbys) {
    const c = await connectNode(info, s);
    await waitReplayed(c, lsn).finally(() => c.end());
  }
});

afterAll(async () => {
  await direct?.end().catch(() => {});
});

describe.for(routers().map((r) => r.name))(`routing through %s (${info.flavor})`, (router) => {
  let client: pg.Client;

  beforeAll(async () => {
    client = await connect(endpointOf(info, router), appCredentials(info));
  });

  afterAll(async () => {
    await client?.end().catch(() => {});
  });

  const where = (d: RoutingCase['destination']) => (d === 'writer' ? [primary] : standbys);

  for (const protocol of PROTOCOLS) {
    it.for(ROUTING_CASES)(`runs "$name" on the $destination (${protocol} protocol)`, async (c) => {
      const served: string[] = [];
      for (let i = 0; i < RUNS[c.destination]; i++) served.push(await servedBy(client, c, protocol));
      const wrong = served.filter((n) => !where(c.destination).includes(n as NodeName));
      expect(wrong, `${info.flavor} ${router} sent "${c.name}" (${protocol}) to ${[...new Set(wrong)].join(', ')}; contract: ${c.destination} (${where(c.destination).join(', ')})`).toEqual([]);
    });
  }

  for (const protocol of PROTOCOLS) {
    it(`runs DDL on the primary: CREATE TABLE ... AS SELECT records the node that created it (${protocol} protocol)`, async () => {
      const table = `pgha_routing_ddl_${router.replace('-', '_')}_${protocol}`;
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      const ddl = statementFor(`CREATE TABLE ${table} AS SELECT ${WHO} AS node`, protocol);
      await client.query(ddl.values ? { text: ddl.text, values: ddl.values } : ddl.text);
      // Read straight from the primary: only it can have run the CREATE.
      const rows = (await direct.query<{ node: string }>(`SELECT node FROM ${table}`)).rows;
      expect(rows, `${info.flavor} ${router}: who ran the CREATE TABLE AS (${protocol})`).toEqual([{ node: primary }]);
      await client.query(`DROP TABLE ${table}`);
    });
  }

  for (const protocol of PROTOCOLS) {
    it(`spreads ${SPREAD_READS} plain SELECTs over all three standbys, each serving at least ${MIN_SHARE * 100}% (${protocol} protocol)`, async () => {
      const plain = ROUTING_CASES.find((c) => c.name === 'plain SELECT')!;
      const served: string[] = [];
      for (let i = 0; i < SPREAD_READS; i++) served.push(await servedBy(client, plain, protocol));
      const counts = tally(served, dataNodes().map((n) => n.name));
      for (const [n, count] of Object.entries(counts)) {
        record(info.runId, { suite: SUITE, name: `plain SELECT share (${protocol})`, value: (100 * count) / SPREAD_READS, unit: '%', subject: `${router}→${n}` });
      }
      expect(counts[primary], `${info.flavor} ${router}: reads served by the primary ${primary}`).toBe(0);
      for (const s of standbys) {
        expect(counts[s]! / SPREAD_READS, `${info.flavor} ${router}: share of reads on ${s} (${JSON.stringify(counts)})`).toBeGreaterThanOrEqual(MIN_SHARE);
      }
    });
  }

  for (const protocol of PROTOCOLS) {
    it(`keeps reads on the primary inside a transaction that has written (read-your-writes, ${protocol} protocol)`, async () => {
      const insert = ROUTING_CASES.find((c) => c.name === 'INSERT')!;
      await client.query('BEGIN');
      try {
        const ins = await client.query<{ id: number; node: string }>(
          protocol === 'simple'
            ? `INSERT INTO pgha_routing (node) VALUES (${WHO}) RETURNING id, node`
            : { text: 'INSERT INTO pgha_routing (node) VALUES (current_setting($1)) RETURNING id, node', values: ['cluster_name'] },
        );
        const { id, node } = ins.rows[0]!;
        expect(node, `${insert.name} inside the transaction`).toBe(primary);
        const reads: { node: string; seen: number }[] = [];
        for (let i = 0; i < 10; i++) {
          const r = await client.query<{ node: string; seen: number }>(
            protocol === 'simple'
              ? `SELECT ${WHO} AS node, count(*)::int AS seen FROM pgha_routing WHERE id = ${Number(id)}`
              : { text: 'SELECT current_setting($1) AS node, count(*)::int AS seen FROM pgha_routing WHERE id = $2', values: ['cluster_name', id] },
          );
          reads.push(r.rows[0]!);
        }
        // The uncommitted row is visible only where it was written: seen = 1 proves it.
        expect(reads, `${info.flavor} ${router}: reads after a write in the same transaction`).toEqual(Array(10).fill({ node: primary, seen: 1 }));
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }
});
