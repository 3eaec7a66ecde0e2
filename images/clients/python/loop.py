"""The client loop every Python driver shares: one write and one read through the pool,
again and again, each printed as a JSON line. The pool is kept across errors; only after
RECREATE_AFTER_MS of nothing but failures does the application re-create it (and says so),
which is how the suite tells a pool that recovered by itself from one that had to be
replaced."""
import json
import os
import sys
import time

WRITE_SQL = "INSERT INTO client_writes (driver, k) VALUES (%s, %s) RETURNING current_setting('cluster_name')"
READ_SQL = "SELECT current_setting('cluster_name')"


def now_ms():
    return int(time.time() * 1000)


def emit(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def settings():
    hosts = os.environ["HOSTS"].split(",")
    port = os.environ["PORT"]
    return {
        "driver": os.environ["DRIVER"],
        # libpq's multi-host form, as the cluster's documentation gives it to applications.
        "dsn": "host={} port={} dbname={} user={} password={} target_session_attrs=any connect_timeout={}".format(
            ",".join(hosts), ",".join([port] * len(hosts)), os.environ["DBNAME"], os.environ["DBUSER"],
            os.environ["PGPASSWORD"], os.environ["CONNECT_TIMEOUT_SECS"]),
        "interval": int(os.environ["INTERVAL_MS"]) / 1000.0,
        "recreate_after": int(os.environ["RECREATE_AFTER_MS"]),
    }


def run(open_pool, close_pool, execute, sqlstate_of):
    """open_pool() -> pool; execute(pool, sql, params) -> first column of the first row."""
    s = settings()
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
                node = execute(pool, WRITE_SQL if op == "write" else READ_SQL, (driver, key) if op == "write" else None)
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
