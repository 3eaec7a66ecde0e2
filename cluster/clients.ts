// Clients of the cluster: straight to a node, through one proxy, or through the proxy pair
// with a host list. node-postgres has no multi-host connection strings (libpq's
// `host=a,b`), so `connectFirst` tries each endpoint in order, as libpq would with
// target_session_attrs=any.
import pg from 'pg';
import { APP_DATABASE, APP_USER, type NodeName } from '../model/topology.ts';
import type { ClusterInfo, Endpoint } from './info.ts';

export interface Credentials {
  user: string;
  password: string;
  database: string;
}

export const appCredentials = (info: ClusterInfo): Credentials => ({ user: APP_USER, password: info.secrets.app, database: APP_DATABASE });
export const repmgrCredentials = (info: ClusterInfo): Credentials => ({ user: 'repmgr', password: info.secrets.repmgr, database: 'repmgr' });

export async function connect(endpoint: Endpoint, creds: Credentials, timeoutMs = 2000): Promise<pg.Client> {
  const client = new pg.Client({
    host: endpoint.host,
    port: endpoint.port,
    ...creds,
    connectionTimeoutMillis: timeoutMs,
    // Our own code never waits on a silent socket longer than this.
    query_timeout: 30_000,
  });
  // A connection that dies later (node killed) must not crash the process.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * Ends a session, but never waits on it for more than `timeoutMs`: end() waits for the
 * server to close its side, and a server that went silent (paused, blackholed) never
 * does, which hung a whole test run. The socket is then dropped.
 */
export async function closeClient(client: pg.Client, timeoutMs = 1000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = client.end().then(
    () => 'ended' as const,
    () => 'ended' as const,
  );
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const how = await Promise.race([ended, timedOut]);
  clearTimeout(timer);
  if (how === 'timeout') (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

export const endpointOf = (info: ClusterInfo, node: NodeName): Endpoint => {
  const n = info.nodes[node];
  if (!n) throw new Error(`no such node in this cluster: ${node}`);
  return { host: n.host, port: n.port };
};

export function connectNode(info: ClusterInfo, node: NodeName, creds = appCredentials(info)): Promise<pg.Client> {
  return connect(endpointOf(info, node), creds);
}

export interface HostListConnection {
  client: pg.Client;
  endpoint: Endpoint;
  /** Endpoints tried before one answered, with why each failed. */
  failures: { endpoint: Endpoint; error: string }[];
}

/** Connects to the first endpoint that answers, in order. */
export async function connectFirst(endpoints: readonly Endpoint[], creds: Credentials, timeoutMs = 2000): Promise<HostListConnection> {
  const failures: HostListConnection['failures'] = [];
  for (const endpoint of endpoints) {
    try {
      return { client: await connect(endpoint, creds, timeoutMs), endpoint, failures };
    } catch (e) {
      failures.push({ endpoint, error: (e as Error).message });
    }
  }
  throw new Error(`no endpoint answered: ${failures.map((f) => `${f.endpoint.host}:${f.endpoint.port} (${f.error})`).join('; ')}`);
}

/** Runs one statement on a fresh connection and closes it. */
export async function queryOnce<R extends pg.QueryResultRow = pg.QueryResultRow>(
  endpoint: Endpoint,
  creds: Credentials,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = await connect(endpoint, creds);
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await closeClient(client);
  }
}
