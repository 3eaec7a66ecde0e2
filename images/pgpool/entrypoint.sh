#!/usr/bin/env bash
# pgpool-II as a pure router in front of repmgr: renders its config from env, writes the
# credentials it needs, runs pgpool in the foreground and the reconciler beside it.
set -Eeuo pipefail
. /usr/local/lib/pgha/pgpool-lib.sh

KNOWN_DEFAULT_PASSWORDS=('L0ngS3cur3P@ssw0rd' 'postgrespass' 'repmgrpass')
require_password() {
  local name="$1" value="${!1-}" known
  [ -n "$value" ] || die "$name is missing or empty: pass a strong secret in the environment at run time"
  for known in "${KNOWN_DEFAULT_PASSWORDS[@]}"; do
    [ "$value" != "$known" ] || die "$name is a published default password ('$known'): choose a secret of your own"
  done
}
require_password APP_PASSWORD
require_password REPMGR_PASSWORD
APP_USER="${APP_USER:-app}"
export POSTGRES_HOST_SUFFIX="${POSTGRES_HOST_SUFFIX:-}"
# Clients each router takes (the same setting as ProxySQL's). pgpool holds them with one
# child each and keeps reserved_connections=1 child back to refuse the next with 53300.
# The default is ROUTER_FLAVORS.pgpool.defaultMaxClients in fixtures/router-flavors.ts.
max_clients="${ROUTER_MAX_CLIENTS:-63}"
[[ $max_clients =~ ^[1-9][0-9]{0,4}$ ]] || die "ROUTER_MAX_CLIENTS must be a whole number from 1 to 99999"
export PGPOOL_NUM_INIT_CHILDREN=$(( max_clients + 1 ))

conf=/etc/pgpool2
envsubst '${POSTGRES_HOST_SUFFIX} ${PGPOOL_NUM_INIT_CHILDREN}' < "$conf/pgpool.conf.template" > "$conf/pgpool.conf"

# pool_passwd: pgpool speaks scram-sha-256 to the backends on the client's behalf, so it
# needs the passwords. TEXT entries sit in a 0600 file of this container only; an AES key
# would have to sit beside them, which protects nothing more.
{
  printf '%s:TEXT%s\n' "$APP_USER" "$APP_PASSWORD"
  printf 'repmgr:TEXT%s\n' "$REPMGR_PASSWORD"
} > "$conf/pool_passwd"

# PCP (admin) is bound to loopback; its password is random and lives only in here.
pcp_password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
printf 'pcp:%s\n' "$(pg_md5 "$pcp_password")" > "$conf/pcp.conf"
printf 'localhost:9898:pcp:%s\n' "$pcp_password" > "$PCP_PASS_FILE"
printf '*:*:*:repmgr:%s\n' "$(printf '%s' "$REPMGR_PASSWORD" | sed 's/\\/\\\\/g; s/:/\\:/g')" > /var/lib/postgresql/.pgpass
chown postgres:postgres "$conf"/* "$PCP_PASS_FILE" /var/lib/postgresql/.pgpass
chmod 0600 "$conf/pool_passwd" "$conf/pcp.conf" "$PCP_PASS_FILE" /var/lib/postgresql/.pgpass

PGPOOL_PID=
RECONCILE_PID=
stopping=
shutdown() {
  stopping=yes
  log "stopping pgpool"
  [ -z "$RECONCILE_PID" ] || kill "$RECONCILE_PID" 2>/dev/null || true
  [ -z "$PGPOOL_PID" ] || kill -INT "$PGPOOL_PID" 2>/dev/null || true  # SIGINT: fast shutdown
  wait "$PGPOOL_PID" 2>/dev/null || true
  exit 0
}
trap shutdown TERM INT

gosu_cmd=(setpriv --reuid=postgres --regid=postgres --init-groups)
start_pgpool() {
  log "starting pgpool-II $(pgpool --version 2>&1 | awk '{print $3}') on port 5432"
  # A container started again after a kill keeps its file system, and a restarted pgpool
  # leaves its pid file: either would make this one refuse to start ("pid file found").
  # One pgpool per container.
  rm -f /var/run/pgpool/pgpool.pid /var/run/pgpool/.s.PGSQL.*
  # -D drops a stale pgpool_status: node states come from the health checks, not a file.
  # Its log goes through pgpool-log-tap, which tells the reconciler when pgpool moved its
  # main node off a standby it still has up (every new session fails until a failover).
  "${gosu_cmd[@]}" pgpool -n -D -f "$conf/pgpool.conf" -a "$conf/pool_hba.conf" -F "$conf/pcp.conf" 2> >(exec /usr/local/bin/pgpool-log-tap) &
  PGPOOL_PID=$!
}

start_pgpool
# As root: it installs iptables rules against hung backends.
env HOME=/var/lib/postgresql /usr/local/bin/pgpool-reconcile &
RECONCILE_PID=$!
# The reconciler stops pgpool when backend addresses moved: start it again, with -D.
# A child stuck on a dead backend's socket outlives its parent's shutdown and keeps the
# listening sockets: the new pgpool then could not bind 5432 and clients reached orphans
# whose shared memory was gone ("failed to lock semaphore"). None may survive the restart.
while :; do
  wait "$PGPOOL_PID" || true
  [ -z "$stopping" ] || exit 0
  log "pgpool exited; ending any child it left, then starting it again"
  pkill -KILL -u postgres -x pgpool 2>/dev/null || true
  for _ in $(seq 50); do pgrep -u postgres -x pgpool >/dev/null || break; sleep 0.1; done
  start_pgpool
done
