"""psycopg2 with its ThreadedConnectionPool, configured as the cluster documents it."""
import psycopg2
import psycopg2.extensions
import psycopg2.pool

import loop


def open_pool(dsn):
    return psycopg2.pool.ThreadedConnectionPool(1, 4, dsn)


def execute(pool, sql, params, watchdog):
    conn = pool.getconn()
    watchdog.use(conn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()[0]
    finally:
        # The pool drops a connection whose server is gone (closed, or status unknown).
        pool.putconn(conn)


loop.emit(ev="hello", t=loop.now_ms(), driver="psycopg2", version="psycopg2 {} (libpq {})".format(
    psycopg2.__version__.split(" ")[0], psycopg2.extensions.libpq_version()),
    pool="ThreadedConnectionPool(minconn=1, maxconn=4, dsn); a watchdog shuts the socket after STATEMENT_TIMEOUT_MS")
loop.run(open_pool, lambda p: p.closeall(), execute, lambda e: getattr(e, "pgcode", None))
