#!/usr/bin/env bash
# Supervisor for one repmgr node (pg-1..pg-4 or the witness). PostgreSQL is not this
# process: repmgr restarts it during follow and rejoin, so it runs under pg_ctl and this
# script keeps repmgrd alive and stops both on SIGTERM.
set -Eeuo pipefail
# shellcheck source=lib.sh
. "${PGHA_LIB:-/usr/local/lib/pgha/lib.sh}"
# shellcheck source=elect.sh
. "$(dirname "${PGHA_LIB:-/usr/local/lib/pgha/lib.sh}")/elect.sh"

# ---- settings -------------------------------------------------------------------------
require_set NODE_NAME "the repmgr node name, e.g. pg-1"
require_set NODE_ID "the repmgr node id, e.g. 1 (the witness: 99)"
require_set PEERS "comma-separated host names of the data nodes, e.g. pg-1,pg-2,pg-3,pg-4"
[[ "$NODE_ID" =~ ^[0-9]+$ ]] || die "NODE_ID must be a whole number, got '$NODE_ID'"
require_password POSTGRES_PASSWORD
require_password REPMGR_PASSWORD
[ -z "${APP_PASSWORD-}" ] || require_password APP_PASSWORD

IS_WITNESS="${IS_WITNESS:-false}"
[ "$IS_WITNESS" = true ] || require_set PRIMARY_HINT "the node that initialises the cluster on first boot, e.g. pg-1"
PRIMARY_HINT="${PRIMARY_HINT:-}"
HOST_SUFFIX="${HOST_SUFFIX:-}"
NODE_HOST="${NODE_HOST:-$NODE_NAME$HOST_SUFFIX}"
PG_PORT="${PG_PORT:-5432}"
APP_USER="${APP_USER:-app}"
APP_DB="${APP_DB:-app}"
PG_MAX_CONNECTIONS="${PG_MAX_CONNECTIONS:-400}"
SYNCHRONOUS_MODE="${SYNCHRONOUS_MODE:-off}"
case "$SYNCHRONOUS_MODE" in off|any1) ;; *) die "SYNCHRONOUS_MODE must be off or any1, got '$SYNCHRONOUS_MODE'";; esac
PG_SHARED_BUFFERS="${PG_SHARED_BUFFERS:-128MB}"
# Measured here: with repmgr's defaults a killed primary was replaced after 51 s; these
# promote in about 4 s (the promote delay included). Each stays overridable.
REPMGR_MONITOR_INTERVAL_SECS="${REPMGR_MONITOR_INTERVAL_SECS:-1}"
REPMGR_RECONNECT_ATTEMPTS="${REPMGR_RECONNECT_ATTEMPTS:-1}"
REPMGR_RECONNECT_INTERVAL="${REPMGR_RECONNECT_INTERVAL:-1}"
REPMGR_CONNECT_TIMEOUT="${REPMGR_CONNECT_TIMEOUT:-1}"
# An established connection to a node whose network silently drops packets otherwise waits
# for TCP's own timeout (many minutes): a repmgrd blocked that way on the blackholed
# primary ran no election and logged nothing, and the others waited for it (repmgr #871).
# Keepalives bound an idle wait, tcp_user_timeout unacknowledged sends; both carry into
# repmgr.nodes and the walreceivers' primary_conninfo.
REPMGR_CONNINFO_EXTRA="${REPMGR_CONNINFO_EXTRA:-keepalives=1 keepalives_idle=2 keepalives_interval=1 keepalives_count=2 tcp_user_timeout=3000}"
# With the default 15 s the witness can miss a new primary's record and stay degraded.
REPMGR_WITNESS_SYNC_INTERVAL="${REPMGR_WITNESS_SYNC_INTERVAL:-2}"
# How long rejoin and follow wait for the node to attach before they count as failed. A
# rejoin that works attaches in 2-6 s here and the fallback is a fresh clone, so repmgr's
# 60 s only delays it; repmgrd monitors nothing while a follow waits, so a primary that
# dies during the follow (a second failover) is noticed only after this.
REPMGR_NODE_REJOIN_TIMEOUT="${REPMGR_NODE_REJOIN_TIMEOUT:-20}"
REPMGR_STANDBY_FOLLOW_TIMEOUT="${REPMGR_STANDBY_FOLLOW_TIMEOUT:-10}"
# How long a standby waits for the elected candidate to announce its promotion. When the
# promote guard refused (the witness still saw the primary, #821) no announcement comes, and
# with repmgr's 60 s the standbys were still waiting when the primary was killed for real a
# minute later, and did not elect anyone: candidate and followers both sat in that wait.
REPMGR_PRIMARY_NOTIFICATION_TIMEOUT="${REPMGR_PRIMARY_NOTIFICATION_TIMEOUT:-10}"
if [ "$IS_WITNESS" = true ]; then REPMGR_PRIORITY="${REPMGR_PRIORITY:-0}"; else REPMGR_PRIORITY="${REPMGR_PRIORITY:-$((200 - NODE_ID))}"; fi
WITNESS_HOST="${WITNESS_HOST:-witness$HOST_SUFFIX}"
export NODE_HOST PG_PORT REPMGR_CONNECT_TIMEOUT REPMGR_CONNINFO_EXTRA WITNESS_HOST
# Unit tests run the settings checks on the host, without PostgreSQL.
[ "${PGHA_CHECK_ONLY:-}" != 1 ] || { log "settings ok"; exit 0; }

PGBIN=/usr/lib/postgresql/17/bin
PG_CTL="$PGBIN/pg_ctl -D $PGDATA"

# ---- configuration --------------------------------------------------------------------
write_repmgr_conf() {
  cat > "$REPMGR_CONF" <<EOF
node_id=$NODE_ID
node_name='$NODE_NAME'
conninfo='host=$NODE_HOST port=$PG_PORT user=repmgr dbname=repmgr connect_timeout=$REPMGR_CONNECT_TIMEOUT $REPMGR_CONNINFO_EXTRA'
data_directory='$PGDATA'
pg_bindir='$PGBIN'
replication_user='repmgr'
use_replication_slots=true
location='default'
priority=$REPMGR_PRIORITY
failover='automatic'
promote_command='/usr/local/bin/pgha-promote'
follow_command='/usr/local/bin/pgha-follow %n'
monitor_interval_secs=$REPMGR_MONITOR_INTERVAL_SECS
reconnect_attempts=$REPMGR_RECONNECT_ATTEMPTS
reconnect_interval=$REPMGR_RECONNECT_INTERVAL
witness_sync_interval=$REPMGR_WITNESS_SYNC_INTERVAL
node_rejoin_timeout=$REPMGR_NODE_REJOIN_TIMEOUT
standby_follow_timeout=$REPMGR_STANDBY_FOLLOW_TIMEOUT
primary_notification_timeout=$REPMGR_PRIMARY_NOTIFICATION_TIMEOUT
degraded_monitoring_timeout=-1
log_level='INFO'
log_status_interval=60
service_start_command='$PG_CTL -w -t 120 -l $PG_LOG start'
service_stop_command='$PG_CTL -m fast -w -t 60 stop'
service_restart_command='$PG_CTL -m fast -w -t 120 -l $PG_LOG restart'
service_reload_command='$PG_CTL reload'
EOF
  chown postgres:postgres "$REPMGR_CONF"
}

# Per-node settings live outside PGDATA: standby clone and pg_rewind copy PGDATA's
# config files from another node, and cluster_name must stay this node's own name.
write_node_conf() {
  cat > /etc/pgha/node.conf <<EOF
cluster_name = '$NODE_NAME'
port = $PG_PORT
EOF
  chown postgres:postgres /etc/pgha/node.conf
}

# Shared settings live in PGDATA so standby clone carries them to every node.
write_cluster_conf() {
  cat > "$PGDATA/pgha.conf" <<EOF
listen_addresses = '*'
max_connections = $PG_MAX_CONNECTIONS
shared_buffers = '$PG_SHARED_BUFFERS'
password_encryption = 'scram-sha-256'
wal_level = 'replica'
wal_log_hints = on
max_wal_senders = 16
max_replication_slots = 16
wal_keep_size = '512MB'
hot_standby = on
hot_standby_feedback = on
shared_preload_libraries = 'repmgr'
log_line_prefix = '%m [%p] %q%u@%d '
include_if_exists = '/etc/pgha/node.conf'
EOF
  # Synchronous mode: a commit returns only once one standby has it, so a failover
  # loses no acknowledged write (at the cost of latency, and of writes while no standby is
  # up). From the first start on, not once a standby streams: no window in which an
  # acknowledged write lives on one node only. Standby clone copies this file, so a
  # promoted standby requires ANY 1 of the others again; what it must not wait for is in
  # create_roles.
  local names
  names=$(synchronous_names "$SYNCHRONOUS_MODE" "$IS_WITNESS" "$HOST_SUFFIX" <<< "${PEERS//,/$'\n'}")
  [ -z "$names" ] || echo "synchronous_standby_names = '$names'" >> "$PGDATA/pgha.conf"
  # Every network login needs scram-sha-256, over IPv4 and IPv6 (Railway's private
  # network is IPv6). Only the local postgres OS user gets in without a password.
  cat > "$PGDATA/pg_hba.conf" <<EOF
local   all          postgres                    peer
local   all          all                         scram-sha-256
host    replication  repmgr     0.0.0.0/0        scram-sha-256
host    replication  repmgr     ::/0             scram-sha-256
host    all          all        0.0.0.0/0        scram-sha-256
host    all          all        ::/0             scram-sha-256
EOF
  grep -q "^include_if_exists = 'pgha.conf'" "$PGDATA/postgresql.conf" ||
    echo "include_if_exists = 'pgha.conf'" >> "$PGDATA/postgresql.conf"
  chown postgres:postgres "$PGDATA/pgha.conf" "$PGDATA/pg_hba.conf"
}

init_instance() {
  as_pg initdb -D "$PGDATA" -E UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  write_cluster_conf
}

# Roles and databases, with passwords passed as psql variables on stdin so they never
# appear on a command line or in a log.
# In synchronous mode the first primary has no standby yet: these bootstrap commits, made
# before any application data exists, commit locally (BOOTSTRAP_PGOPTIONS), or they would
# wait for a standby that clones from them. repmgr's own commits do so always (the role's
# setting, replicated with the catalog): its registrations on a first primary (its own,
# the witness's, made before pg-2 boots), and on a new primary its promotion's record and
# the followers' records, written before any follower streams from it (each would wait for
# the others: no failover). What they write is repmgr's metadata, which repmgr rewrites
# on every promotion and registration; the application's commits (the app role, postgres)
# still wait for ANY 1 standby.
BOOTSTRAP_PGOPTIONS='-c synchronous_commit=local'
create_roles() {
  PGOPTIONS="$BOOTSTRAP_PGOPTIONS" as_pg psql -XAtq -v ON_ERROR_STOP=1 -d postgres \
    -v pgpw="$POSTGRES_PASSWORD" -v rpw="$REPMGR_PASSWORD" <<'SQL'
ALTER ROLE postgres PASSWORD :'pgpw';
CREATE ROLE repmgr LOGIN SUPERUSER REPLICATION PASSWORD :'rpw';
ALTER ROLE repmgr SET synchronous_commit = 'local';
CREATE DATABASE repmgr OWNER repmgr;
SQL
}

create_app() {
  [ -n "${APP_PASSWORD-}" ] || return 0
  PGOPTIONS="$BOOTSTRAP_PGOPTIONS" as_pg psql -XAtq -v ON_ERROR_STOP=1 -d postgres \
    -v apw="$APP_PASSWORD" -v au="$APP_USER" -v adb="$APP_DB" <<'SQL'
CREATE ROLE :"au" LOGIN PASSWORD :'apw';
CREATE DATABASE :"adb" OWNER :"au";
SQL
}

# ---- first boot -----------------------------------------------------------------------
init_primary() {
  log "initialising the cluster as its first primary"
  init_instance
  start_pg
  create_roles
  create_app
  as_pg repmgr -f "$REPMGR_CONF" primary register -F
}

init_witness() {
  log "initialising the witness instance"
  init_instance
  start_pg
  create_roles
  # promote.sh asks the witness whether it reaches the primary right now.
  local_sql 'CREATE EXTENSION IF NOT EXISTS dblink' repmgr >/dev/null
  register_witness
}

register_witness() {
  local primary
  primary=$(wait_for_primary)
  wait_registered "$primary" || true
  log "registering as witness of $primary"
  as_pg repmgr -f "$REPMGR_CONF" -h "$primary" -p "$PG_PORT" -U repmgr -d repmgr witness register -F
}

# ---- restart with existing data --------------------------------------------------------
# Never come back as a second writable primary: if a peer is primary, rejoin it.
restart_data_node() {
  local primary standby_signal=no
  primary=$(find_primary)
  [ ! -f "$PGDATA/standby.signal" ] || standby_signal=yes
  case "$(restart_decision "$primary" "$standby_signal")" in
    start-standby)
      log "no writable peer: starting as the standby this node was"
      start_pg
      ;;
    elect) elect_or_rejoin ;;
    rejoin)
      log "current primary is $primary: rejoining it"
      rejoin_primary "$primary"
      ;;
  esac
}

# ---- supervision ----------------------------------------------------------------------
REPMGRD_LOOP_PID=
FENCE_PID=
WATCHDOG_PID=
TAIL_PID=

shutdown() {
  log "stopping: repmgrd, then PostgreSQL (fast)"
  touch /run/pgha-stopping
  [ -z "$FENCE_PID" ] || kill "$FENCE_PID" 2>/dev/null || true
  [ -z "$WATCHDOG_PID" ] || kill "$WATCHDOG_PID" 2>/dev/null || true
  [ -z "$REPMGRD_LOOP_PID" ] || kill "$REPMGRD_LOOP_PID" 2>/dev/null || true
  pkill -x repmgrd 2>/dev/null || true
  stop_pg
  [ -z "$TAIL_PID" ] || kill "$TAIL_PID" 2>/dev/null || true
  exit 0
}
trap shutdown TERM INT

# repmgrd must come back if it dies (or is killed by a test): a restart loop.
# A pid file left by a killed repmgrd (or a killed container) may name a live process by
# now, and repmgrd then refuses to start: this loop is the only repmgrd supervisor here.
REPMGRD_PID_FILE=/run/pgha/repmgrd.pid
run_repmgrd() {
  while [ ! -e /run/pgha-stopping ]; do
    rm -f "$REPMGRD_PID_FILE"
    as_pg repmgrd -f "$REPMGR_CONF" --daemonize=false --pid-file="$REPMGRD_PID_FILE" || true
    [ -e /run/pgha-stopping ] && break
    log "repmgrd exited; restarting it in 1 s"
    sleep 1
    [ "$IS_WITNESS" = true ] || repair_upstream
  done
}

main() {
  rm -f /run/pgha-stopping
  # On a volume (Railway's, or the suites' of the same shape) PGDATA is a subdirectory of
  # the mount, whose root holds lost+found: initdb refuses a non-empty directory.
  mkdir -p "$PGHA_LOG_DIR" /var/run/postgresql /run/pgha "$PGDATA"
  chown postgres:postgres "$PGHA_LOG_DIR" /var/run/postgresql /run/pgha "$PGDATA"
  chmod 0700 "$PGDATA"
  touch "$PG_LOG" && chown postgres:postgres "$PG_LOG"
  tail -F -n 0 "$PG_LOG" 2>/dev/null &
  TAIL_PID=$!

  write_pgpass
  write_node_conf
  write_repmgr_conf

  if [ -s "$PGDATA/PG_VERSION" ]; then
    if [ "$IS_WITNESS" = true ]; then start_pg; register_witness; else restart_data_node; fi
  elif [ "$IS_WITNESS" = true ]; then
    init_witness
  elif [ "$NODE_NAME" = "$PRIMARY_HINT" ] && [ -z "$(find_primary)" ]; then
    init_primary
  else
    clone_from "$(wait_for_primary)"
  fi

  log "node ready; starting repmgrd"
  run_repmgrd &
  REPMGRD_LOOP_PID=$!
  /usr/local/bin/pgha-watchdog &
  WATCHDOG_PID=$!
  if [ "$IS_WITNESS" != true ]; then
    /usr/local/bin/pgha-fence &
    FENCE_PID=$!
  fi
  while :; do
    sleep 3600 &
    wait $! || true
  done
}

main "$@"
