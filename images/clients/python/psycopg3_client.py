"""psycopg 3 with psycopg_pool's ConnectionPool: the same multi-host conninfo."""
import psycopg
import psycopg_pool

import loop


def open_pool(dsn):
    # check: a connection is tested before it is handed out, so one the router or the
    # failover dropped is replaced instead of failing the application's statement.
    # timeout: how long getconn waits for a connection (the default is 30 s).
    return psycopg_pool.ConnectionPool(dsn, min_size=1, max_size=4, timeout=5,
                                       check=psycopg_pool.ConnectionPool.check_connection,
                                       kwargs={"autocommit": True}, open=True)


def execute(pool, sql, params, watchdog):
    with pool.connection() as conn:
        watchdog.use(conn)
        return conn.execute(sql, params).fetchone()[0]


def sqlstate(e):
    return getattr(e, "sqlstate", None)


loop.emit(ev="hello", t=loop.now_ms(), driver="psycopg3", version="psycopg {} (psycopg_pool {}, libpq {})".format(
    psycopg.__version__, psycopg_pool.__version__, psycopg.pq.version()),
    pool="ConnectionPool(min_size=1, max_size=4, timeout=5, check=check_connection); a watchdog shuts the socket after STATEMENT_TIMEOUT_MS")
loop.run(open_pool, lambda p: p.close(timeout=1), execute, sqlstate)
