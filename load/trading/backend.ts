// The service's way to the database: a pool of sessions through the routers (each opened
// with the host-list client, so a dead router is skipped as libpq would skip it), and a
// deadline on every call. A session that failed or ran late is closed, never reused.
import type pg from 'pg';
import { appCredentials, connectFirst, closeClient } from '../../cluster/clients.ts';
import type { NodeName } from '../../model/topology.ts';
import { current, routerOrder, type ClusterSource, type NamedEndpoint } from '../workload/source.ts';
import { beforeDeadline } from './errors.ts';
import { createPool } from './sessions.ts';
import { placeOrder, readOrder, readPositions, type NewOrder, type Order, type Placed } from './store.ts';

export interface TradingBackend {
  placeOrder(o: NewOrder, deadlineMs: number): Promise<Placed | undefined>;
  readOrder(id: number, deadlineMs: number): Promise<{ order?: Order; node?: string }>;
  readPositions(account: string, deadlineMs: number): Promise<{ positions: { symbol: string; qty: number }[]; node?: string }>;
  close(): Promise<void>;
}

export interface ClusterBackendOptions {
  /** Sessions over both routers (default 8). */
  poolSize?: number;
  /** Per router connect timeout (default 800 ms), so two dead routers still fit a deadline. */
  connectTimeoutMs?: number;
}

interface Session {
  client: pg.Client;
  via: NodeName;
}

export function clusterBackend(source: ClusterSource, opts: ClusterBackendOptions = {}): TradingBackend {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 800;
  const pool = createPool<Session>({
    max: opts.poolSize ?? 8,
    open: async (i) => {
      const info = current(source);
      const c = await connectFirst(routerOrder(info, i), appCredentials(info), connectTimeoutMs);
      const s: Session = { client: c.client, via: (c.endpoint as NamedEndpoint).name };
      // A router that closed an idle session (pgpool does on every failover) must not
      // hand the next request a dead socket.
      c.client.once('end', () => pool.drop(s));
      return s;
    },
    close: (s) => closeClient(s.client),
  });

  const call = async <T>(deadlineMs: number, work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const started = performance.now();
    const lease = await pool.acquire(deadlineMs);
    try {
      const out = await beforeDeadline(work(lease.session.client), deadlineMs - (performance.now() - started));
      lease.release();
      return out;
    } catch (e) {
      lease.release(true);
      throw e;
    }
  };

  return {
    placeOrder: (o, ms) => call(ms, (c) => placeOrder(c, o)),
    readOrder: (id, ms) => call(ms, (c) => readOrder(c, id)),
    readPositions: (account, ms) => call(ms, (c) => readPositions(c, account)),
    close: () => pool.close(),
  };
}
