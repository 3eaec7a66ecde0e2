// node-postgres (pg) with its Pool. Two configurations:
//  documented: `host: 'a,b'`, the multi-host form the cluster documents for libpq. pg takes
//    no host list: the whole string is looked up as one name, so this pool never connects;
//    it runs so the suite measures that, never assumes it.
//  hostlist: what works: one Pool per router, and each checkout tries them in order, as
//    libpq does with target_session_attrs=any (pgha's own connectFirst() in cluster/clients.ts
//    does the same per client).
'use strict';
const pg = require('pg');
const mode = process.argv[2];
const env = process.env;
const hosts = env.HOSTS.split(',');
const driver = env.DRIVER;
const interval = Number(env.INTERVAL_MS);
const recreateAfter = Number(env.RECREATE_AFTER_MS);
const WRITE_SQL = "INSERT INTO client_writes (driver, k) VALUES ($1, $2) RETURNING current_setting('cluster_name') AS node";
const READ_SQL = "SELECT current_setting('cluster_name') AS node";

const emit = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const base = {
  port: Number(env.PORT),
  database: env.DBNAME,
  user: env.DBUSER,
  password: env.PGPASSWORD,
  connectionTimeoutMillis: Number(env.CONNECT_TIMEOUT_SECS) * 1000,
  // Client side: a statement the server never answers (a paused primary behind the router) fails.
  query_timeout: Number(env.STATEMENT_TIMEOUT_MS),
  max: 4,
};

function openPools() {
  const configs = mode === 'documented' ? [{ ...base, host: hosts.join(',') }] : hosts.map((host) => ({ ...base, host }));
  return configs.map((c) => {
    const p = new pg.Pool(c);
    // Without a listener, an idle client's error (its router killed) ends the process.
    p.on('error', () => {});
    return p;
  });
}

const listening = new WeakSet();

/** A client from the first pool whose router answers, in order. */
async function checkout(pools) {
  let last;
  for (const p of pools) {
    try {
      const client = await p.connect();
      // The pool listens for errors only while a client is idle: a checked-out client whose
      // connection drops between statements emits 'error' with no listener, which ended this
      // process when the primary was killed (pgpool dropped the session).
      if (!listening.has(client)) {
        client.on('error', () => {});
        listening.add(client);
      }
      return client;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

async function execute(pools, sql, params) {
  const client = await checkout(pools);
  try {
    const r = await client.query(sql, params);
    client.release();
    return r.rows[0].node;
  } catch (e) {
    // A client that failed is not given back for reuse.
    client.release(e);
    throw e;
  }
}

const classOf = (e) => (e && e.code && !/^[0-9A-Z]{5}$/.test(e.code) ? `${e.constructor.name}(${e.code})` : (e && e.constructor.name) || 'Error');
const sqlstateOf = (e) => (e && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null);
const firstLine = (e) => String((e && e.message) || e).split('\n')[0].slice(0, 200);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const version = require('pg/package.json').version;
  emit({
    ev: 'hello',
    t: Date.now(),
    driver,
    version: `pg ${version} (node ${process.versions.node})`,
    pool: mode === 'documented' ? `new Pool({ host: '${hosts.join(',')}', max: 4, connectionTimeoutMillis, query_timeout })` : `one Pool per router (${hosts.join(', ')}), checkout in order, query_timeout`,
  });
  let pools = openPools();
  let key = 0;
  let failingSince = null;
  for (;;) {
    for (const op of ['write', 'read']) {
      if (op === 'write') key += 1;
      const t0 = Date.now();
      try {
        const node = await execute(pools, op === 'write' ? WRITE_SQL : READ_SQL, op === 'write' ? [driver, key] : []);
        emit({ ev: 'op', op, key: op === 'write' ? key : null, t0, t1: Date.now(), ok: true, node });
        failingSince = null;
      } catch (e) {
        const t1 = Date.now();
        emit({ ev: 'op', op, key: op === 'write' ? key : null, t0, t1, ok: false, cls: classOf(e), sqlstate: sqlstateOf(e), msg: firstLine(e) });
        failingSince ??= t0;
        if (t1 - failingSince >= recreateAfter) {
          emit({ ev: 'recreate', t: t1, reason: `no success for ${t1 - failingSince} ms` });
          await Promise.all(pools.map((p) => p.end().catch(() => {})));
          pools = openPools();
          failingSince = null;
          break;
        }
      }
    }
    await sleep(interval);
  }
}

main().catch((e) => {
  emit({ ev: 'crash', msg: firstLine(e) });
  process.exit(1);
});
