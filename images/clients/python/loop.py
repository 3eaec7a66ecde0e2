"""The client loop every Python driver shares: one write and one read through the pool,
again and again, each printed as a JSON line. The pool is kept across errors; only after
RECREATE_AFTER_MS of nothing but failures does the application re-create it (and says so),
which is how the suite tells a pool that recovered by itself from one that had to be
replaced."""
import json
import os
import socket
import sys
import threading
import time

WRITE_SQL = "INSERT INTO client_writes (driver, k) VALUES (%s, %s) RETURNING current_setting('cluster_name')"
READ_SQL = "SELECT current_setting('cluster_name')"


def now_ms():
    return int(time.time() * 1000)


def emit(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class Watchdog:
    """libpq has no client-side statement timeout, and the server-side one can't fire on a
    server that hangs (a paused primary behind the router): after STATEMENT_TIMEOUT_MS the
    socket of the connection in use is shut down, which fails the statement and makes the
    pool drop the connection."""

    def __init__(self, timeout_s):
        self.timeout_s = timeout_s
        self.conn = None
        self.fired = False

    def use(self, conn):
        self.conn = conn

    def _fire(self):
        conn = self.conn
        if conn is None:
            return
        self.fired = True
        try:
            s = socket.socket(fileno=os.dup(conn.fileno()))
            try:
                s.shutdown(socket.SHUT_RDWR)
            finally:
                s.close()
        except OSError:
            pass

    def run(self, fn):
        self.conn = None
        self.fired = False
        timer = threading.Timer(self.timeout_s, self._fire)
        timer.daemon = True
        timer.start()
        try:
            return fn(self)
        except Exception as e:
            if self.fired:
                raise StatementTimeout("no answer within {} s: socket shut down ({})".format(self.timeout_s, str(e).strip().split("\n")[0]))
            raise
        finally:
            timer.cancel()


class StatementTimeout(Exception):
    pass


def settings():
    hosts = os.environ["HOSTS"].split(",")
    port = os.environ["PORT"]
    return {
        "driver": os.environ["DRIVER"],
        # libpq's multi-host form, as the cluster's documentation gives it to applications.
        # tcp_user_timeout bounds each TCP connect: connect_timeout is spent per address, and a
        # killed router's name still resolves for a moment to two addresses nobody answers on.
        "dsn": "host={} port={} dbname={} user={} password={} target_session_attrs=any connect_timeout={} tcp_user_timeout={}".format(
            ",".join(hosts), ",".join([port] * len(hosts)), os.environ["DBNAME"], os.environ["DBUSER"],
            os.environ["PGPASSWORD"], os.environ["CONNECT_TIMEOUT_SECS"], os.environ["TCP_CONNECT_TIMEOUT_MS"]),
        "interval": int(os.environ["INTERVAL_MS"]) / 1000.0,
        "recreate_after": int(os.environ["RECREATE_AFTER_MS"]),
        "statement_timeout": int(os.environ["STATEMENT_TIMEOUT_MS"]) / 1000.0,
    }


def run(open_pool, close_pool, execute, sqlstate_of):
    """open_pool() -> pool; execute(pool, sql, params, watchdog) -> first column of the first row."""
    s = settings()
    watchdog = Watchdog(s["statement_timeout"])
    driver = s["driver"]
    pool = None
    key = 0
    failing_since = None
    while True:
        if pool is None:
            try:
                pool = open_pool(s["dsn"])
            except Exception as e:  # a pool that can't open is a failed write: the app can't write
                t = now_ms()
                emit(ev="op", op="write", key=None, t0=t, t1=t, ok=False, cls=type(e).__name__,
                     sqlstate=sqlstate_of(e), msg=str(e).strip().split("\n")[0][:200])
                failing_since = failing_since or t
                time.sleep(s["interval"])
                continue
        for op in ("write", "read"):
            if op == "write":
                key += 1
            t0 = now_ms()
            try:
                sql, params = (WRITE_SQL, (driver, key)) if op == "write" else (READ_SQL, None)
                node = watchdog.run(lambda w: execute(pool, sql, params, w))
                emit(ev="op", op=op, key=key if op == "write" else None, t0=t0, t1=now_ms(), ok=True, node=node)
                failing_since = None
            except Exception as e:
                t1 = now_ms()
                emit(ev="op", op=op, key=key if op == "write" else None, t0=t0, t1=t1, ok=False, cls=type(e).__name__,
                     sqlstate=sqlstate_of(e), msg=str(e).strip().split("\n")[0][:200])
                failing_since = failing_since or t0
                if t1 - failing_since >= s["recreate_after"]:
                    emit(ev="recreate", t=t1, reason="no success for {} ms".format(t1 - failing_since))
                    try:
                        close_pool(pool)
                    except Exception:
                        pass
                    pool = None
                    failing_since = None
                    break
        time.sleep(s["interval"])
