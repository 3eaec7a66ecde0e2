// Reading a refused connection: the bench must say whether a proxy at its limit refused
// cleanly (SQLSTATE 53300, at once) or failed some other way (a hang, a reset).

export type ConnectFailureKind = 'limit' | 'timeout' | 'refused' | 'reset' | 'auth' | 'other';

export interface ConnectFailure {
  kind: ConnectFailureKind;
  code?: string;
  message: string;
}

/** A refusal slower than this is a client that waited in a queue, not a clean limit. */
export const CLEAN_REFUSAL_MS = 1000;

export function classifyConnectFailure(e: unknown): ConnectFailure {
  const err = (e ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = String(err.message ?? e);
  const base = { ...(code ? { code } : {}), message };
  // 53300 too_many_connections; pgpool and PostgreSQL word it the same way.
  if (code === '53300' || /too many clients|too many connections|remaining connection slots/i.test(message)) return { kind: 'limit', ...base };
  if (code === '28P01' || code === '28000') return { kind: 'auth', ...base };
  if (code === 'ECONNREFUSED') return { kind: 'refused', ...base };
  if (code === 'ECONNRESET' || code === 'EPIPE' || /terminated unexpectedly|Connection terminated(?! due to connection timeout)/i.test(message)) return { kind: 'reset', ...base };
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) return { kind: 'timeout', ...base };
  return { kind: 'other', ...base };
}

export function isCleanLimit(f: ConnectFailure, afterMs: number): boolean {
  return f.kind === 'limit' && afterMs < CLEAN_REFUSAL_MS;
}

export interface PgpoolCapacity {
  numInitChildren: number;
  reservedConnections: number;
  /** Client connections one pgpool takes before it refuses: children minus the reserve. */
  clients: number;
}

/** From a rendered pgpool.conf; undefined when it doesn't set both. */
export function pgpoolCapacity(conf: string): PgpoolCapacity | undefined {
  const setting = (key: string) => {
    const m = new RegExp(`^\\s*${key}\\s*=\\s*'?(\\d+)'?`, 'm').exec(conf);
    return m ? Number(m[1]) : undefined;
  };
  const numInitChildren = setting('num_init_children');
  const reservedConnections = setting('reserved_connections');
  if (numInitChildren === undefined || reservedConnections === undefined) return undefined;
  return { numInitChildren, reservedConnections, clients: numInitChildren - reservedConnections };
}

export interface BoundsInput {
  flavor: string;
  claimedPerProxy: number;
  proxies: number;
  capacity?: PgpoolCapacity;
  maxConnections?: number;
  /** Client backends on the primary before any connection was held. */
  idleBackends?: number;
  held: { proxy: string; held: number; rssBytes?: number; processes?: number; primaryBackends?: number }[];
  routerNofile?: number;
  benchNofile?: number;
}

const MiB = 2 ** 20;

/** What bounds the connections one proxy holds here, as sentences for the report. */
export function connectionBounds(b: BoundsInput): string[] {
  const out: string[] = [];
  const most = Math.max(0, ...b.held.map((h) => h.held));
  if (b.capacity) {
    out.push(
      `pgpool is process-per-connection: each client takes one of num_init_children=${b.capacity.numInitChildren} child processes, ` +
        `reserved_connections=${b.capacity.reservedConnections} keeps ${b.capacity.reservedConnections} back to refuse with SQLSTATE 53300, ` +
        `so one proxy holds ${b.capacity.clients} clients (measured: ${b.held.map((h) => `${h.proxy} ${h.held}`).join(', ')}). This, not the machine, is the bound here.`,
    );
  }
  if (b.maxConnections !== undefined) {
    const h = b.held.find((x) => x.primaryBackends !== undefined);
    const added = h && b.idleBackends !== undefined ? h.primaryBackends! - b.idleBackends : undefined;
    const took = added !== undefined ? `holding ${h!.held} clients through ${h!.proxy} took ${added} more client backends on the primary (${b.idleBackends} before). ` : '';
    if (b.flavor === 'pgpool') {
      const ceiling = Math.floor((b.maxConnections - 3 - (b.idleBackends ?? 0)) / b.proxies);
      out.push(
        `PostgreSQL max_connections=${b.maxConnections} on every node: ${took}` +
          `pgpool keeps a backend connection per child on every node (children keep them cached), so ${b.proxies} proxies x num_init_children must stay under it: num_init_children could rise to about ${ceiling} before PostgreSQL, not pgpool, refuses first.`,
      );
    } else {
      out.push(`PostgreSQL max_connections=${b.maxConnections} on every node: ${took}ProxySQL multiplexes its clients over a backend pool of its own size, so the clients it holds do not come out of PostgreSQL's connections.`);
    }
  }
  const mem = b.held.find((x) => x.rssBytes !== undefined && x.processes);
  if (mem && b.flavor === 'pgpool') {
    const per = mem.rssBytes! / mem.processes!;
    const atClaim = (per * b.claimedPerProxy) / 2 ** 30;
    out.push(
      `memory: ${mem.proxy}'s pgpool processes had ${(mem.rssBytes! / MiB).toFixed(0)} MiB resident holding ${mem.held} clients (${mem.processes} processes, ~${(per / MiB).toFixed(1)} MiB each; RSS counts shared pages, so this overstates). ` +
        `${b.claimedPerProxy} clients per proxy would be ${b.claimedPerProxy} processes (~${atClaim.toFixed(0)} GiB by that measure) and ${b.proxies * b.claimedPerProxy} backends on every PostgreSQL node: out of reach for a process-per-connection router. ` +
        'The modelled figure needs a multiplexing router (ProxySQL: threads, many client connections over a small backend pool).',
    );
  } else if (mem) {
    out.push(`memory: ${mem.proxy}'s ${b.flavor} had ${(mem.rssBytes! / MiB).toFixed(0)} MiB resident holding ${mem.held} clients (${mem.processes} process(es); ~${((mem.rssBytes! / Math.max(1, mem.held)) / 1024).toFixed(0)} KiB per client at most).`);
  }
  if (b.routerNofile !== undefined || b.benchNofile !== undefined) {
    out.push(`file descriptors: router container nofile ${b.routerNofile ?? '?'}, bench client nofile ${b.benchNofile ?? '?'}: not the bound at ${most} connections.`);
  }
  if (b.flavor === 'pgpool') {
    out.push(
      'the capacity is ROUTER_MAX_CLIENTS (default in model/router-flavors.ts); `--router-max-clients N` sets it for a run, and raises ' +
        "PostgreSQL's max_connections to cover proxies x num_init_children + repmgr + reserve (startCluster's routerEnv and nodeEnv).",
    );
  }
  return out;
}
