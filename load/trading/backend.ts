// The service's way to the database: a pool of sessions through the routers (each opened
// with the host-list client, so a dead router is skipped as libpq would skip it), and a
// deadline on every call. A session that failed or ran late is closed, never reused.
import type pg from 'pg';
import { appCredentials, connectFirst, closeClient } from '../../cluster/clients.ts';
import type { NodeName } from '../../model/topology.ts';
import { current, routerOrder, type ClusterSource, type NamedEndpoint } from '../workload/source.ts';
import { beforeDeadline } from './errors.ts';
import { createPool, type Lease } from './sessions.ts';
import { placeOrder, readOrder, readPositions, type NewOrder, type Order, type Placed } from './store.ts';

export interface TradingBackend {
  placeOrder(o: NewOrder, deadlineMs: number): Promise<Placed | undefined>;
  readOrder(id: number, deadlineMs: number): Promise<{ order?: Order; node?: string }>;
  readPositions(account: string, deadlineMs: number): Promise<{ positions: { symbol: string; qty: number }[]; node?: string }>;
  /**
   * Opens every session of the pool before the load starts, so the first requests do not
   * pay for (or fail on) the first sessions through the routers. A session that could not
   * open is tried again until `timeoutMs`: this is the service starting, not a request.
   * Rejects, saying why, if the pool is not full by then.
   */
  warm(timeoutMs: number): Promise<void>;
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
  const max = opts.poolSize ?? 8;
  const pool = createPool<Session>({
    max,
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
    warm: async (timeoutMs) => {
      const until = performance.now() + timeoutMs;
      const one = async (): Promise<Lease<Session>> => {
        let last = 'no attempt';
        while (performance.now() < until) {
          try {
            return await pool.acquire(Math.max(1, until - performance.now()));
          } catch (e) {
            last = (e as Error).message;
            // A router that refuses at once must not be hammered in a tight loop.
            await new Promise((r) => setTimeout(r, 250));
          }
        }
        throw new Error(`the trading service's pool did not open its ${max} sessions within ${timeoutMs / 1000} s: ${last}`);
      };
      const got = await Promise.allSettled(Array.from({ length: max }, one));
      for (const g of got) if (g.status === 'fulfilled') g.value.release();
      const failed = got.find((g) => g.status === 'rejected');
      if (failed) throw failed.reason;
    },
    close: () => pool.close(),
  };
}
