import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, appCredentials, connectNode, endpointOf } from '../cluster/clients.ts';
import { roles } from '../cluster/observe.ts';
import { currentPrimary } from '../cluster/formation.ts';
import { currentLsn, waitReplayed } from '../cluster/replication.ts';
import { ROUTING_CASES, type Destination, type RoutingCase } from '../model/proxy-contract.ts';
import { expectedDestinations, PROTOCOLS, parameterised, queryOf, servedBy, statementFor, type Protocol, type Sent } from './support/routing-probe.ts';
import { ROUTER_FLAVORS } from '../model/router-flavors.ts';
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
/**
 * Sessions for the named protocol's spread, each reading twice (a parse, then a reuse). With
 * the spread per session, a standby's sessions are Binomial(200, 1/3): under 20% (40) is four
 * standard deviations below the mean, about 1 in 10^4 runs for any of the three.
 */
const NAMED_SPREAD_SESSIONS = 200;
const NAMED_READS_PER_SESSION = 2;
/** A statement that writes, run on a standby (cannot execute ... in a read-only transaction). */
const READ_ONLY_SQLSTATE = '25006';
/** Passes over the alternating read/write sequence per proxy and protocol. */
const INTERLEAVE_ROUNDS = 3;

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

  /** Where a statement ran: the node it names, or a standby where one refused a write (25006). */
  async function destinationRun(session: pg.Client, c: RoutingCase, protocol: Protocol): Promise<Destination> {
    let node: string;
    try {
      node = await servedBy(session, c, protocol);
    } catch (e) {
      if ((e as { code?: string }).code === READ_ONLY_SQLSTATE) return 'readers';
      throw e;
    }
    if (node === primary) return 'writer';
    if (standbys.includes(node as NodeName)) return 'readers';
    throw new Error(`${c.name} (${protocol}) ran on ${node}, not a data node`);
  }

  for (const protocol of PROTOCOLS) {
    it.for(ROUTING_CASES)(`runs "$name" on the $destination (${protocol} protocol)`, async (c) => {
      const served: string[] = [];
      for (let i = 0; i < RUNS[c.destination]; i++) served.push(await servedBy(client, c, protocol));
      const wrong = served.filter((n) => !where(c.destination).includes(n as NodeName));
      expect(wrong, `${info.flavor} ${router} sent "${c.name}" (${protocol}) to ${[...new Set(wrong)].join(', ')}; contract: ${c.destination} (${where(c.destination).join(', ')})`).toEqual([]);
    });
  }

  for (const protocol of PROTOCOLS) {
    // Each statement on its own text, whatever ran before it on the session: ProxySQL 3.0 runs
    // a reused named statement where the previous statement ran (the flavor table says which
    // router does what; clients through ProxySQL use unnamed statements, see model/clients.ts).
    const reused = protocol === 'named' ? ROUTER_FLAVORS[info.flavor].reusedNamedStatement : 'by-text';
    const title =
      reused === 'by-text'
        ? `routes each statement by its own text when reads and writes alternate on one session, ${INTERLEAVE_ROUNDS} rounds (${protocol} protocol)`
        : `runs a reused named statement where the session's previous statement ran, as ${info.flavor} does (a known router limitation, counted), ${INTERLEAVE_ROUNDS} rounds (${protocol} protocol)`;
    it(title, async () => {
      const read = ROUTING_CASES.find((c) => c.name === 'plain SELECT')!;
      const lock = ROUTING_CASES.find((c) => c.name === 'SELECT ... FOR UPDATE')!;
      const pairs = ROUTING_CASES.flatMap((c) => [c.destination === 'writer' ? read : lock, c]);
      const sequence = Array.from({ length: INTERLEAVE_ROUNDS }, () => pairs).flat();
      // A session of its own, so the first use of each named statement is this test's.
      const session = await connect(endpointOf(info, router), appCredentials(info));
      const used = new Set<string>();
      const sent: Sent[] = [];
      const ran: string[] = [];
      try {
        for (const c of sequence) {
          sent.push({ destination: c.destination, firstUse: !used.has(c.name) });
          used.add(c.name);
          ran.push(await destinationRun(session, c, protocol));
        }
      } finally {
        await session.end().catch(() => {});
      }
      const expected = expectedDestinations(sent, protocol, reused);
      const offContract = ran.filter((d, i) => d !== sequence[i]!.destination).length;
      record(info.runId, { suite: SUITE, name: `statements off their contract destination, reads and writes alternating (${protocol})`, value: offContract, unit: 'count', subject: router });
      const label = (d: string[]) => d.map((x, i) => `${i} ${sequence[i]!.name}: ${x}`);
      expect(label(ran), `${info.flavor} ${router} (${protocol}): where each statement ran (${offContract} of ${sequence.length} off the contract)`).toEqual(label(expected));
    });
  }

  for (const protocol of PROTOCOLS) {
    it(`runs DDL on the primary: CREATE TABLE ... AS SELECT records the node that created it (${protocol} protocol)`, async () => {
      const table = `pgha_routing_ddl_${router.replace('-', '_')}_${protocol}`;
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      const ddl = statementFor(`CREATE TABLE ${table} AS SELECT ${WHO} AS node`, protocol);
      await client.query(queryOf(ddl));
      // Read straight from the primary: only it can have run the CREATE.
      const rows = (await direct.query<{ node: string }>(`SELECT node FROM ${table}`)).rows;
      expect(rows, `${info.flavor} ${router}: who ran the CREATE TABLE AS (${protocol})`).toEqual([{ node: primary }]);
      await client.query(`DROP TABLE ${table}`);
    });
  }

  for (const protocol of PROTOCOLS) {
    // A named statement lives on the backend that parsed it, and pgpool runs it there for the
    // rest of the session: its spread is over sessions, so the named case opens many.
    const sessions = protocol === 'named' ? NAMED_SPREAD_SESSIONS : 1;
    const reads = protocol === 'named' ? NAMED_SPREAD_SESSIONS * NAMED_READS_PER_SESSION : SPREAD_READS;
    it(`spreads ${reads} plain SELECTs over all three standbys, each serving at least ${MIN_SHARE * 100}% (${protocol} protocol${sessions > 1 ? `, ${sessions} sessions` : ''})`, async () => {
      const plain = ROUTING_CASES.find((c) => c.name === 'plain SELECT')!;
      const served: string[] = [];
      if (sessions === 1) {
        for (let i = 0; i < reads; i++) served.push(await servedBy(client, plain, protocol));
      } else {
        for (let i = 0; i < sessions; i++) {
          const session = await connect(endpointOf(info, router), appCredentials(info));
          try {
            for (let j = 0; j < NAMED_READS_PER_SESSION; j++) served.push(await servedBy(session, plain, protocol));
          } finally {
            await session.end().catch(() => {});
          }
        }
      }
      const counts = tally(served, dataNodes().map((n) => n.name));
      for (const [n, count] of Object.entries(counts)) {
        record(info.runId, { suite: SUITE, name: `plain SELECT share (${protocol})`, value: (100 * count) / reads, unit: '%', subject: `${router}→${n}` });
      }
      expect(counts[primary], `${info.flavor} ${router}: reads served by the primary ${primary}`).toBe(0);
      for (const s of standbys) {
        expect(counts[s]! / reads, `${info.flavor} ${router}: share of reads on ${s} (${JSON.stringify(counts)})`).toBeGreaterThanOrEqual(MIN_SHARE);
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
            : queryOf(parameterised('INSERT INTO pgha_routing (node) VALUES (current_setting($1)) RETURNING id, node', ['cluster_name'], protocol)),
        );
        const { id, node } = ins.rows[0]!;
        expect(node, `${insert.name} inside the transaction`).toBe(primary);
        const reads: { node: string; seen: number }[] = [];
        for (let i = 0; i < 10; i++) {
          const r = await client.query<{ node: string; seen: number }>(
            protocol === 'simple'
              ? `SELECT ${WHO} AS node, count(*)::int AS seen FROM pgha_routing WHERE id = ${Number(id)}`
              : queryOf(parameterised('SELECT current_setting($1) AS node, count(*)::int AS seen FROM pgha_routing WHERE id = $2', ['cluster_name', id], protocol)),
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
