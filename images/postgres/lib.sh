# Shared helpers for the postgres image's entrypoint. Sourced, never run.
# shellcheck source=decide.sh
. "$(dirname "${BASH_SOURCE[0]}")/decide.sh"

REPMGR_CONF=/etc/pgha/repmgr.conf
PGHA_LOG_DIR=/var/log/pgha
PG_LOG="$PGHA_LOG_DIR/postgresql.log"

log() { printf '[pgha %s %s] %s\n' "$(date -u +%H:%M:%S.%3N)" "${NODE_NAME:-?}" "$*"; }
die() { log "FATAL: $*" >&2; exit 64; }
now_ms() { date +%s%3N; }

# repmgrd's follow command already runs as postgres, where gosu can't switch users.
as_pg() { if [ "$(id -u)" = 0 ]; then gosu postgres "$@"; else "$@"; fi; }

# Passwords: the published defaults of the cluster this repo models are public knowledge,
# so an image that accepted them would ship a known credential to production.
KNOWN_DEFAULT_PASSWORDS=('L0ngS3cur3P@ssw0rd' 'postgrespass' 'repmgrpass')

require_password() {
  local name="$1" value="${!1-}" known
  [ -n "$value" ] || die "$name is missing or empty: pass a strong secret in the environment at run time"
  for known in "${KNOWN_DEFAULT_PASSWORDS[@]}"; do
    [ "$value" != "$known" ] || die "$name is a published default password ('$known'): choose a secret of your own"
  done
}

require_set() {
  local name="$1"
  [ -n "${!name-}" ] || die "$name is missing: $2"
}

# .pgpass keeps passwords out of conninfo strings, process lists and logs.
pgpass_escape() { local s="${1//\\/\\\\}"; printf '%s' "${s//:/\\:}"; }

write_pgpass() {
  local f=/var/lib/postgresql/.pgpass
  {
    printf '*:*:*:repmgr:%s\n' "$(pgpass_escape "$REPMGR_PASSWORD")"
    printf '*:*:*:postgres:%s\n' "$(pgpass_escape "$POSTGRES_PASSWORD")"
  } > "$f"
  chown postgres:postgres "$f"
  chmod 0600 "$f"
}

pg_is_running() { as_pg pg_ctl -D "$PGDATA" status >/dev/null 2>&1; }

start_pg() {
  as_pg pg_ctl -D "$PGDATA" -w -t 120 -l "$PG_LOG" start >/dev/null
}

stop_pg() {
  pg_is_running || return 0
  as_pg pg_ctl -D "$PGDATA" -m fast -w -t 30 stop >/dev/null || true
}

# psql as repmgr against a peer; fails fast so a dead peer costs connect_timeout, no more.
# connect_timeout bounds the connecting only: a link cut while the query is in flight
# would leave psql waiting for TCP's retransmissions (minutes), and the fence loop with
# it. The keepalive and tcp_user_timeout settings repmgr's own conninfo has bound that.
peer_sql() {
  local host="$1" sql="$2"
  as_pg psql -XAtq -v ON_ERROR_STOP=1 \
    "host=$host port=$PG_PORT user=repmgr dbname=repmgr connect_timeout=$REPMGR_CONNECT_TIMEOUT ${REPMGR_CONNINFO_EXTRA:-}" \
    -c "$sql" 2>/dev/null
}

local_sql() { as_pg psql -XAtq -v ON_ERROR_STOP=1 -d "${2:-postgres}" -c "$1"; }

# addresses_of <host>: every address the name resolves to (IPv6 and IPv4), space-separated,
# as the peer column of `ss` shows them.
addresses_of() { getent ahosts "$1" | awk '{ print $1 }' | sort -u | tr '\n' ' '; }

# conninfo_host <conninfo>: the host a libpq conninfo string names.
conninfo_host() { sed -n 's/.*host=\([^ ]*\).*/\1/p' <<< "$1"; }

# Prints "<timeline> <host> <registered>" for each peer (other than this node) that is
# writable; registered is t once repmgr's metadata names it primary (the promote command
# writes that a moment after the promotion itself). More than one line is a split brain
# that fencing must resolve.
writable_primaries() {
  local host i=0 dir
  dir=$(mktemp -d)
  IFS=',' read -ra hosts <<< "$PEERS"
  # All peers at once: a dead or cut-off peer costs one connect_timeout, not one each.
  for host in "${hosts[@]}"; do
    [ "$host" != "$NODE_HOST" ] || continue
    ( out=$(peer_sql "$host" "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int || ' ' ||
          CASE WHEN EXISTS (SELECT 1 FROM repmgr.nodes WHERE type = 'primary' AND active
                            AND node_name = current_setting('cluster_name')) THEN 't' ELSE 'f' END
        WHERE NOT pg_is_in_recovery()") && [ -n "$out" ] && printf '%s %s\n' "${out%% *}" "$host ${out##* }" > "$dir/$i" ) &
    i=$((i + 1))
  done
  wait
  cat "$dir"/* 2>/dev/null
  rm -rf "$dir"
  return 0
}

# The writable peer on the newest timeline, if any, registered or not: a node that finds
# one must never start as a second primary.
find_primary() { writable_primaries | newest_primary; }

# The other data nodes (from PEERS, one per line).
other_data_nodes() {
  local host hosts
  IFS=',' read -ra hosts <<< "$PEERS"
  for host in "${hosts[@]}"; do
    [ -n "$host" ] && [ "$host" != "$NODE_HOST" ] && printf '%s\n' "$host"
  done
  return 0
}

# How many other data nodes answer, right now, as standbys. All at once, as above.
standby_peer_count() {
  local host i=0 dir
  dir=$(mktemp -d)
  while read -r host; do
    ( [ "$(peer_sql "$host" 'SELECT pg_is_in_recovery()')" = t ] && touch "$dir/$i" ) &
    i=$((i + 1))
  done < <(other_data_nodes)
  wait
  find "$dir" -type f | wc -l
  rm -rf "$dir"
}

# Whether the primary `host` has this node in pg_stat_replication, streaming (or catching up:
# a rejoined node far behind is attached, not stuck).
attached_to() {
  [ "$(peer_sql "$1" "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$NODE_NAME' AND state IN ('streaming', 'catchup')")" = 1 ]
}

# A repmgr action on this node (follow, rejoin, clone) is under way: not ours to judge.
repmgr_busy() { pgrep -f 'repmgr .*(standby (follow|clone)|node rejoin)' >/dev/null; }

# Waits (up to 60 s) until repmgr's metadata on the primary names it primary: rejoin and
# clone read that metadata, and refuse a primary it does not name yet.
wait_registered() {
  local host="$1" i
  for i in $(seq 1 120); do
    writable_primaries | grep -q " $host t$" && return 0
    sleep 0.5
  done
  log "$host is writable but not registered as primary after 60 s"
  return 1
}

wait_for_primary() {
  local host waited=0
  while :; do
    host=$(find_primary)
    if [ -n "$host" ]; then printf '%s' "$host"; return 0; fi
    (( waited % 10 == 0 )) && log "waiting for a primary among $PEERS (${waited}s)" >&2
    sleep 1
    waited=$((waited + 1))
  done
}

# Clone this (stopped, or empty) node from the primary, start it and register it.
clone_from() {
  local primary="$1"
  log "cloning from $primary"
  stop_pg
  wait_registered "$primary" || true
  find "$PGDATA" -mindepth 1 -delete
  as_pg repmgr -f "$REPMGR_CONF" -h "$primary" -p "$PG_PORT" -U repmgr -d repmgr \
    standby clone --fast-checkpoint -F
  start_pg
  as_pg repmgr -f "$REPMGR_CONF" standby register -F --wait-sync=60
}

# Bring this stopped node back as a standby of the primary: pg_rewind where the
# timelines diverged, a fresh clone if even that fails.
rejoin_primary() {
  local primary="$1"
  stop_pg
  wait_registered "$primary" || true
  if as_pg repmgr -f "$REPMGR_CONF" node rejoin \
      -d "host=$primary port=$PG_PORT user=repmgr dbname=repmgr connect_timeout=$REPMGR_CONNECT_TIMEOUT" \
      --force-rewind --verbose; then
    return 0
  fi
  log "rejoin of $primary failed: re-cloning from it"
  clone_from "$primary"
}
