import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectNode, repmgrCredentials } from '../cluster/clients.ts';
import { roles } from '../cluster/observe.ts';
import { currentPrimary } from '../cluster/formation.ts';
import { currentLsn, visibilityLag, waitReplayed } from '../cluster/replication.ts';
import { refusal } from './support/pg-error.ts';
import { percentile } from '../model/stats.ts';
import { dataNodes, node, type NodeName } from '../model/topology.ts';
import { record } from '../reports/run-report.ts';

const info = inject('cluster');
const SUITE = 'replication';
/** Writes whose write-to-visible lag is measured on every standby. */
const LAG_WRITES = 300;
/** The multi-megabyte transaction: rows of 1 KiB of incompressible hex each. */
const BIG_ROWS = 8000;

describe(`replication (${info.flavor})`, () => {
  let primaryName: NodeName;
  let primary: pg.Client;
  const standbys = new Map<NodeName, pg.Client>();

  beforeAll(async () => {
    const p = currentPrimary({ inRecovery: await roles(info) });
    if (!p) throw new Error('no single writable node: the cluster is not formed');
    primaryName = p;
    primary = await connectNode(info, primaryName);
    for (const n of dataNodes().filter((n) => n.name !== primaryName)) standbys.set(n.name, await connectNode(info, n.name));
    await primary.query(`DROP TABLE IF EXISTS pgha_repl_rows, pgha_repl_big, pgha_repl_lag; DROP SEQUENCE IF EXISTS pgha_repl_seq`);
  });

  afterAll(async () => {
    await Promise.all([primary, ...standbys.values()].map((c) => c?.end().catch(() => {})));
  });

  /** The same question asked of the primary and of each standby once it has replayed the primary's WAL. */
  async function askEverywhere<R extends pg.QueryResultRow>(sql: string): Promise<{ primary: R[]; standbys: Map<NodeName, R[]> }> {
    const onPrimary = (await primary.query<R>(sql)).rows;
    const lsn = await currentLsn(primary);
    const onStandbys = new Map<NodeName, R[]>();
    for (const [name, s] of standbys) {
      await waitReplayed(s, lsn);
      onStandbys.set(name, (await s.query<R>(sql)).rows);
    }
    return { primary: onPrimary, standbys: onStandbys };
  }

  it('shows rows, DDL and a sequence committed on the primary on all three standbys', async () => {
    expect(standbys.size).toBe(3);
    await primary.query(`
      CREATE SEQUENCE pgha_repl_seq;
      CREATE TABLE pgha_repl_rows (id bigint PRIMARY KEY DEFAULT nextval('pgha_repl_seq'), note text NOT NULL);
      CREATE INDEX pgha_repl_rows_note ON pgha_repl_rows (note);
      INSERT INTO pgha_repl_rows (note) SELECT 'row ' || g FROM generate_series(1, 500) g;
      ALTER TABLE pgha_repl_rows ADD COLUMN tag text NOT NULL DEFAULT 'added later';`);

    const shape = await askEverywhere<{ columns: string; indexes: string }>(`SELECT
      (SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'pgha_repl_rows') AS columns,
      (SELECT string_agg(indexname, ', ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'pgha_repl_rows') AS indexes`);
    expect(shape.primary).toEqual([{ columns: 'id bigint, note text, tag text', indexes: 'pgha_repl_rows_note, pgha_repl_rows_pkey' }]);
    for (const [, rows] of shape.standbys) expect(rows).toEqual(shape.primary);

    const content = await askEverywhere<{ n: number; max_id: string; digest: string }>(
      `SELECT count(*)::int AS n, max(id)::text AS max_id, md5(string_agg(id || ':' || note || ':' || tag, ',' ORDER BY id)) AS digest FROM pgha_repl_rows`,
    );
    expect(content.primary[0]).toMatchObject({ n: 500, max_id: '500' });
    for (const [, rows] of content.standbys) expect(rows).toEqual(content.primary);

    // A standby's sequence shows the last value WAL-logged for it, which runs up to 32
    // ahead of the primary's: what matters after a promotion is that it is never behind
    // a value already handed out.
    const seq = await askEverywhere<{ last_value: string }>('SELECT last_value::text FROM pgha_repl_seq');
    expect(Number(seq.primary[0]!.last_value)).toBe(500);
    for (const [name, rows] of seq.standbys) {
      expect(Number(rows[0]!.last_value), `${name}'s pgha_repl_seq`).toBeGreaterThanOrEqual(500);
    }
  });

  it('shows a multi-megabyte transaction whole on all three standbys', async () => {
    await primary.query('CREATE TABLE pgha_repl_big (id int PRIMARY KEY, payload text NOT NULL)');
    const before = await currentLsn(primary);
    await primary.query('BEGIN');
    await primary.query(
      `INSERT INTO pgha_repl_big SELECT g, (SELECT string_agg(md5(random()::text || g || i), '') FROM generate_series(1, 32) i) FROM generate_series(1, $1::int) g`,
      [BIG_ROWS],
    );
    await primary.query('COMMIT');
    const after = await currentLsn(primary);
    const walBytes = Number((await primary.query<{ b: string }>('SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS b', [after, before])).rows[0]!.b);
    expect(walBytes, 'WAL written by the transaction').toBeGreaterThan(4 * 1024 * 1024);
    record(info.runId, { suite: SUITE, name: 'big transaction WAL', value: walBytes, unit: 'bytes', subject: primaryName });

    await Promise.all(
      [...standbys].map(async ([name, s]) => {
        const ms = await waitReplayed(s, after, 30_000);
        record(info.runId, { suite: SUITE, name: 'big transaction commit to replayed', value: ms, unit: 'ms', subject: name });
      }),
    );
    const sql = `SELECT count(*)::int AS n, sum(length(payload))::text AS bytes, md5(string_agg(md5(payload), '' ORDER BY id)) AS digest FROM pgha_repl_big`;
    const onPrimary = (await primary.query(sql)).rows;
    expect(onPrimary[0]).toMatchObject({ n: BIG_ROWS, bytes: String(BIG_ROWS * 1024) });
    for (const [name, s] of standbys) expect((await s.query(sql)).rows, name).toEqual(onPrimary);
  });

  it(`measures write-to-visible lag on each standby over ${LAG_WRITES} writes`, async () => {
    await primary.query('CREATE TABLE pgha_repl_lag (id int PRIMARY KEY)');
    const created = await currentLsn(primary);
    for (const s of standbys.values()) await waitReplayed(s, created);

    const samples = await visibilityLag(primary, standbys, 'pgha_repl_lag', LAG_WRITES);
    for (const [name, ms] of samples) {
      expect(ms, `${name} saw every write`).toHaveLength(LAG_WRITES);
      const p50 = percentile(ms, 50);
      const p99 = percentile(ms, 99);
      record(info.runId, { suite: SUITE, name: 'write-to-visible lag p50', value: p50, unit: 'ms', subject: name });
      record(info.runId, { suite: SUITE, name: 'write-to-visible lag p99', value: p99, unit: 'ms', subject: name });
      record(info.runId, { suite: SUITE, name: 'write-to-visible lag max', value: Math.max(...ms), unit: 'ms', subject: name });
      // Streaming on one host: a standby a whole second behind would be a broken stream,
      // not a slow network.
      expect(p99, `${name} p99 lag`).toBeLessThan(1000);
    }
  });

  it('refuses a write sent straight to a standby with SQLSTATE 25006', async () => {
    for (const [name, s] of standbys) {
      for (const sql of [
        "INSERT INTO pgha_repl_rows (note) VALUES ('to a standby')",
        'CREATE TABLE pgha_repl_nope (id int)',
        "SELECT nextval('pgha_repl_seq')",
      ]) {
        const r = await refusal(s.query(sql));
        expect(r.code, `${name}: ${sql} (${r.message})`).toBe('25006');
      }
    }
  });

  it('keeps one active physical replication slot per standby on the primary, and no inactive slot anywhere', async () => {
    const slots = await askRepmgr(primaryName, `SELECT s.slot_name, s.slot_type, s.active, r.application_name
      FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid ORDER BY s.slot_name`);
    // repmgr names a standby's slot after its node id.
    const expected = [...standbys.keys()].toSorted().map((name) => ({
      slot_name: `repmgr_slot_${node(name).id}`,
      slot_type: 'physical',
      active: true,
      application_name: name,
    }));
    expect(slots).toEqual(expected);
    for (const name of standbys.keys()) {
      const inactive = await askRepmgr(name, 'SELECT slot_name FROM pg_replication_slots WHERE NOT active');
      expect(inactive, `inactive slots on ${name}`).toEqual([]);
    }
  });

  async function askRepmgr(name: NodeName, sql: string): Promise<pg.QueryResultRow[]> {
    const c = await connectNode(info, name, repmgrCredentials(info));
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end().catch(() => {});
    }
  }
});
