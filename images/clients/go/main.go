// pgx v4's pgxpool with the multi-host URL (pgconn takes libpq's host list,
// target_session_attrs and connect_timeout): one write and one read per round, each
// printed as a JSON line; the pool is re-created only after RECREATE_AFTER_MS of failures.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgx/v4/pgxpool"
)

const writeSQL = "INSERT INTO client_writes (driver, k) VALUES ($1, $2) RETURNING current_setting('cluster_name')"
const readSQL = "SELECT current_setting('cluster_name')"

func emit(m map[string]interface{}) {
	b, _ := json.Marshal(m)
	os.Stdout.Write(append(b, '\n'))
}

func nowMs() int64 { return time.Now().UnixMilli() }

func connString() string {
	var hosts []string
	for _, h := range strings.Split(os.Getenv("HOSTS"), ",") {
		hosts = append(hosts, h+":"+os.Getenv("PORT"))
	}
	// statement_cache_mode=describe: unnamed statements only. ProxySQL 3.0 runs a reused named
	// statement where the session's previous statement ran (a write after a read failed with 25006).
	// sslmode=disable: pgconn v1's default (prefer) makes each address two connects, TLS then
	// plain, so a silent address cost two dial timeouts; pgpool offers no TLS, ProxySQL an
	// unverified certificate, and Railway's private network is WireGuard-encrypted.
	return fmt.Sprintf("postgres://%s:%s@%s/%s?target_session_attrs=any&connect_timeout=%s&sslmode=disable&statement_cache_mode=describe&pool_max_conns=4&pool_min_conns=1",
		url.QueryEscape(os.Getenv("DBUSER")), url.QueryEscape(os.Getenv("PGPASSWORD")), strings.Join(hosts, ","), os.Getenv("DBNAME"), os.Getenv("CONNECT_TIMEOUT_SECS"))
}

func firstLine(err error) string {
	s := strings.SplitN(err.Error(), "\n", 2)[0]
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func className(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return "*pgconn.PgError"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "context.DeadlineExceeded"
	}
	return fmt.Sprintf("%T", err)
}

// skipUnresolvable looks a host up as pgconn does by default, but answers "no addresses" for
// a name that does not exist, so the connect goes on to the hosts that do: Debian's pgconn v1
// fails the whole connect on the first lookup error, and Docker (like Railway) drops a
// stopped service's name. Without it, a killed first router kept pgxpool from connecting
// through the second one until the first came back (31 s in one run).
func skipUnresolvable(ctx context.Context, host string) ([]string, error) {
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return []string{}, nil
	}
	return addrs, err
}

// runOp takes a connection from the pool, then runs one statement under the statement
// timeout. The connection is taken outside that timeout, as libpq, PgJDBC and node-postgres
// connect outside theirs: a new connection is bounded by connect_timeout per address, and a
// router killed a moment ago still resolves to its two dead addresses (2 s each), which left
// a statement that had to connect 1 s to run. The statement timeout is for a server that
// never answers (a paused primary behind the router).
func runOp(pool *pgxpool.Pool, op, driver string, key int64, statementTimeout time.Duration) (string, error) {
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		return "", err
	}
	defer conn.Release()
	ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
	defer cancel()
	var node string
	if op == "write" {
		err = conn.QueryRow(ctx, writeSQL, driver, key).Scan(&node)
	} else {
		err = conn.QueryRow(ctx, readSQL).Scan(&node)
	}
	return node, err
}

func sqlstate(err error) interface{} {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return nil
}

func main() {
	driver := os.Getenv("DRIVER")
	interval, _ := strconv.Atoi(os.Getenv("INTERVAL_MS"))
	recreateAfter, _ := strconv.ParseInt(os.Getenv("RECREATE_AFTER_MS"), 10, 64)
	timeoutMs, _ := strconv.Atoi(os.Getenv("STATEMENT_TIMEOUT_MS"))
	statementTimeout := time.Duration(timeoutMs) * time.Millisecond
	tcpMs, _ := strconv.Atoi(os.Getenv("TCP_CONNECT_TIMEOUT_MS"))
	tcpConnectTimeout := time.Duration(tcpMs) * time.Millisecond
	redacted := strings.Replace(connString(), url.QueryEscape(os.Getenv("PGPASSWORD")), "***", 1)
	emit(map[string]interface{}{"ev": "hello", "t": nowMs(), "driver": driver, "version": "pgx " + os.Getenv("PGX_VERSION") + " (Debian golang-github-jackc-pgx-v4-dev)", "pool": "pgxpool.ConnectConfig with a LookupFunc that skips a host that does not resolve, a dialer with a " + tcpConnectTimeout.String() + " timeout per TCP connect; Acquire, then a context timeout per statement " + statementTimeout.String() + "; " + redacted})
	open := func() (*pgxpool.Pool, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		config, err := pgxpool.ParseConfig(connString())
		if err != nil {
			return nil, err
		}
		config.ConnConfig.LookupFunc = skipUnresolvable
		// Each TCP connect bounded by TCP_CONNECT_TIMEOUT_MS: connect_timeout is spent per
		// address, and a killed router's name still resolves for a moment to two addresses
		// nobody answers on (4 s of the 5 s router-kill budget). KeepAlive as pgconn's default dialer.
		config.ConnConfig.DialFunc = (&net.Dialer{Timeout: tcpConnectTimeout, KeepAlive: 5 * time.Minute}).DialContext
		return pgxpool.ConnectConfig(ctx, config)
	}
	pool, err := open()
	var key int64
	var failingSince int64
	for {
		if pool == nil {
			t := nowMs()
			if pool, err = open(); err != nil {
				pool = nil
				emit(map[string]interface{}{"ev": "op", "op": "write", "key": nil, "t0": t, "t1": nowMs(), "ok": false, "cls": className(err), "sqlstate": sqlstate(err), "msg": firstLine(err)})
				if failingSince == 0 {
					failingSince = t
				}
				time.Sleep(time.Duration(interval) * time.Millisecond)
				continue
			}
		}
		for _, op := range []string{"write", "read"} {
			var k interface{}
			if op == "write" {
				key++
				k = key
			}
			t0 := nowMs()
			node, err := runOp(pool, op, driver, key, statementTimeout)
			t1 := nowMs()
			if err == nil {
				emit(map[string]interface{}{"ev": "op", "op": op, "key": k, "t0": t0, "t1": t1, "ok": true, "node": node})
				failingSince = 0
				continue
			}
			emit(map[string]interface{}{"ev": "op", "op": op, "key": k, "t0": t0, "t1": t1, "ok": false, "cls": className(err), "sqlstate": sqlstate(err), "msg": firstLine(err)})
			if failingSince == 0 {
				failingSince = t0
			}
			if t1-failingSince >= recreateAfter {
				emit(map[string]interface{}{"ev": "recreate", "t": t1, "reason": fmt.Sprintf("no success for %d ms", t1-failingSince)})
				pool.Close()
				pool = nil
				failingSince = 0
				break
			}
		}
		time.Sleep(time.Duration(interval) * time.Millisecond)
	}
}
