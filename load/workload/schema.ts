// The table writers insert into. `timeline` and `committed_at` are evaluated by the server
// inside the INSERT, so a failover's client clock can be read back from the rows
// themselves (CloudNativePG's way): the harness's own retries can't fool it.
import { appCredentials, connectFirst, closeClient } from '../../cluster/clients.ts';
import { routerEndpoints, type ClusterInfo } from '../../cluster/info.ts';

export const WRITES_TABLE = 'pgha_writes';

export const CREATE_WRITES_SQL = `CREATE TABLE IF NOT EXISTS ${WRITES_TABLE} (
  id bigint PRIMARY KEY,
  writer int NOT NULL,
  timeline int NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  node text NOT NULL DEFAULT current_setting('cluster_name')
)`;

/** The server's current timeline: the first 8 hex digits of the current WAL file name. */
export const TIMELINE_EXPR = `('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int`;

export const INSERT_WRITE_SQL = `INSERT INTO ${WRITES_TABLE} (id, writer, timeline) VALUES ($1, $2, ${TIMELINE_EXPR}) RETURNING node, timeline`;

/** Creates the writes table (if missing) through the routers: DDL goes to the primary. */
export async function createWriteSchema(info: ClusterInfo): Promise<void> {
  const { client } = await connectFirst(routerEndpoints(info), appCredentials(info));
  try {
    await client.query(CREATE_WRITES_SQL);
  } finally {
    await closeClient(client);
  }
}
