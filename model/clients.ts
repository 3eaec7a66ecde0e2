// The client drivers the cluster's documentation shows applications, as data: how each is
// configured (pool included), and whether that configuration can work at all. The clients
// image (images/clients) runs each by name; the clients suite and its report read this.
import { CLAIMS } from './claims.ts';
import { privateHost, PROXY_PORT, routers } from './topology.ts';

export type DriverName = 'psycopg2' | 'psycopg3' | 'jdbc-hikari' | 'node-pg-hostlist' | 'go-pgxpool' | 'node-pg-documented';

export interface DriverSpec {
  name: DriverName;
  /** As a person names it: language, driver, pool. */
  title: string;
  /** The settings it runs with, as an application would write them. */
  settings: string;
  /**
   * false: this configuration can't connect (the driver reads the setting differently);
   * the suite proves that it doesn't and names `alternative`, the one that works.
   */
  works: boolean;
  alternative?: DriverName;
}

/** Both routers by their Railway names, as the clients are given them. */
const HOSTS = routers().map((r) => privateHost(r.name)).join(',');
const HOST_PORTS = routers().map((r) => `${privateHost(r.name)}:${PROXY_PORT}`).join(',');
const CT = CLAIMS.clientConnectTimeoutSecs;
/** The bound on one TCP connect, ms: CLAIMS.clientTcpConnectTimeoutMs says why. */
const TCP = CLAIMS.clientTcpConnectTimeoutMs;
/** Why each driver bounds its TCP connect apart from its whole connect. */
const TCP_WHY = `a killed router's name still resolves for a moment to its IPv4 and IPv6 addresses, where nothing answers, and connect_timeout is spent per address (4 s of the ${CLAIMS.routerKillBudgetSecs} s router-kill budget)`;
/** The clients' statement timeout, seconds: CLIENT_STATEMENT_TIMEOUT_MS below says why. */
const ST = 5;

/**
 * Why a driver that reuses named prepared statements by default is set to unnamed ones: the
 * routing suite's named-protocol case measures what ProxySQL 3.0 does with a reused one.
 */
const UNNAMED_WHY = "unnamed statements only: ProxySQL 3.0 runs a reused named statement where the session's previous statement ran, so the driver's default (named, reused) got 25006 on writes after reads";

export const DRIVERS: readonly DriverSpec[] = [
  {
    name: 'psycopg2',
    title: 'Python psycopg2 + ThreadedConnectionPool',
    settings: `ThreadedConnectionPool(1, 4, "host=${HOSTS} port=${routers().map(() => PROXY_PORT).join(',')} dbname=app user=app target_session_attrs=any connect_timeout=${CT} tcp_user_timeout=${TCP}"); tcp_user_timeout: ${TCP_WHY} (it also drops an established connection whose data goes unacknowledged that long); libpq has no client-side statement timeout: a watchdog thread shuts the socket down after ${ST} s`,
    works: true,
  },
  {
    name: 'psycopg3',
    title: 'Python psycopg 3 + psycopg_pool.ConnectionPool',
    settings: `ConnectionPool(<same conninfo>, min_size=1, max_size=4, timeout=5, check=ConnectionPool.check_connection); the same ${ST} s socket watchdog`,
    works: true,
  },
  {
    name: 'jdbc-hikari',
    title: 'Java PgJDBC + HikariCP',
    settings: `jdbc:postgresql://${HOST_PORTS}/app?targetServerType=any&connectTimeout=${Math.max(1, TCP / 1000)}&socketTimeout=${ST}&prepareThreshold=0; maximumPoolSize=4, minimumIdle=1, connectionTimeout=5000, validationTimeout=1000, initializationFailTimeout=-1; connectTimeout (seconds, the TCP connect only): ${TCP_WHY}; prepareThreshold=0: ${UNNAMED_WHY}; validationTimeout=1000: Hikari checks an idle connection before lending it, on the writer, and a check on a hung writer stalled 5 s (its default) each time`,
    works: true,
  },
  {
    name: 'go-pgxpool',
    title: 'Go pgx v4 pgxpool',
    settings: `postgres://app:…@${HOST_PORTS}/app?target_session_attrs=any&connect_timeout=${CT}&sslmode=disable&statement_cache_mode=describe&pool_max_conns=4&pool_min_conns=1; ConnConfig.DialFunc = (&net.Dialer{Timeout: ${TCP / 1000} s}).DialContext: ${TCP_WHY}; sslmode=disable: pgconn v1's default (prefer) makes each address two connects, TLS then plain (a silent router cost 4.1 s); pool.Acquire, then context.WithTimeout(${ST} s) for the statement (a connect is bounded by connect_timeout per address, not by the statement's timeout); statement_cache_mode=describe: ${UNNAMED_WHY}; ConnConfig.LookupFunc that answers no addresses for a name that does not resolve: pgconn v1 fails the whole connect when one host does not resolve (a stopped router's name is gone)`,
    works: true,
  },
  {
    name: 'node-pg-hostlist',
    title: 'Node node-postgres, one Pool per router, checkout in order',
    settings: `new Pool({ host, port: 5432, max: 4, connectionTimeoutMillis: ${CT * 1000}, query_timeout: ${ST * 1000} }) per router; pool.connect() tried in order; pool.on('error') and client.on('error') on every checked-out client`,
    works: true,
  },
  {
    name: 'node-pg-documented',
    title: "Node node-postgres Pool with host: 'a,b' (as documented)",
    settings: `new Pool({ host: '${HOSTS}', port: 5432, max: 4, connectionTimeoutMillis: ${CT * 1000} })`,
    works: false,
    alternative: 'node-pg-hostlist',
  },
];

export const workingDrivers = (): DriverSpec[] => DRIVERS.filter((d) => d.works);

/** The clients' loop: one write and one read, then this pause. */
export const CLIENT_INTERVAL_MS = 100;
/**
 * An application keeps its pool across errors and re-creates it only after this long of
 * nothing but failures: longer than the router-kill budget, so a pool that recovers on its
 * own within the budgets is never replaced behind its back.
 */
export const POOL_RECREATE_AFTER_MS = 10_000;
/**
 * Each client gives up on a statement after this long, client side, and drops the
 * connection (the workload's write timeout in chaos/trial.ts is the same). Without it a
 * paused primary behind pgpool held every driver's statement past 35 s with no error
 * (measured: all five drivers, run 20261130-090855-d76fd1); a server-side
 * statement_timeout can't fire on a server that is frozen.
 */
export const CLIENT_STATEMENT_TIMEOUT_MS = ST * 1000;

/** One line a client in the image prints. */
export type DriverEvent =
  | { ev: 'hello'; /** When the client started, before its pool opened (ms). */ t: number; driver: string; version: string; pool: string }
  | { ev: 'op'; op: 'write' | 'read'; key: number | null; t0: number; t1: number; ok: boolean; node?: string; cls?: string; sqlstate?: string | null; msg?: string }
  | { ev: 'recreate'; t: number; reason: string }
  | { ev: 'packages'; list: string }
  | { ev: 'crash'; msg: string };

export type DriverOp = Extract<DriverEvent, { ev: 'op' }>;

export type ClientFault = 'as documented' | 'router kill' | 'primary kill' | 'primary pause';

export type PoolRecovery = 'by itself' | 'pool re-created' | 'not back' | 'never connected';

/** One driver under one fault, as the report's table shows it. */
export interface ClientRow {
  driver: DriverName;
  title: string;
  /** The driver's own word on its version (and libpq's, the pool's, the runtime's). */
  version: string;
  settings: string;
  fault: ClientFault;
  /** The claim's budget for this fault, seconds; null where none applies. */
  budgetSecs: number | null;
  /** Fault to the first good write after the last failed one, seconds; null: none. */
  outageSecs: number | null;
  failedWrites: number;
  /** Failed statements by exception class and SQLSTATE (`OperationalError 57P01`). */
  errors: Record<string, number>;
  recovery: PoolRecovery;
  /** Acknowledged writes missing on the new primary. */
  lostWrites: number;
  ackedWrites: number;
  /** What an application must do, read from the errors and the recovery. */
  mustDo: string;
  passed: boolean;
  /** Why it failed, when it did. */
  why?: string;
}
