# Sourced by the entrypoint. A node that was a primary when it went down, and finds no
# writable peer when it comes back, must not simply start writable: another node may have
# been promoted after it and be down too, holding newer data. It starts read-only (as a
# standby with no upstream, so peers can ask it where its WAL ends) and the node with the
# newest data, by timeline, then WAL position, then priority, is promoted once a majority
# of the repmgr nodes can be seen and either every data node answered or
# PGHA_ELECTION_GRACE_SECS passed: after a full stop the nodes come back one by one, and
# the first majority to answer may lack the node with the newest data. The others rejoin it.

# "<timeline> <lsn as a number> <priority> <host>" for a running node, or nothing.
# A standby's timeline is the newest of its last checkpoint's and the one recovery must
# reach; its WAL position the furthest received or replayed.
position_sql="SELECT greatest((pg_control_checkpoint()).timeline_id, (pg_control_recovery()).min_recovery_end_timeline)
  || ' ' || (greatest(coalesce(pg_last_wal_replay_lsn(), '0/0'), coalesce(pg_last_wal_receive_lsn(), '0/0')) - '0/0')::bigint
  || ' ' || (SELECT priority FROM repmgr.nodes WHERE node_name = current_setting('cluster_name'))
  WHERE pg_is_in_recovery()"

PGHA_ELECTION_LOG_EVERY=10
PGHA_ELECTION_MIN_WAIT_SECS="${PGHA_ELECTION_MIN_WAIT_SECS:-10}"
PGHA_ELECTION_GRACE_SECS="${PGHA_ELECTION_GRACE_SECS:-10}"

election_positions() {
  local host out
  IFS=',' read -ra hosts <<< "$PEERS"
  for host in "${hosts[@]}"; do
    if [ "$host" = "$NODE_HOST" ]; then out=$(local_sql "$position_sql" repmgr 2>/dev/null) || continue
    else out=$(peer_sql "$host" "$position_sql") || continue; fi
    [ -n "$out" ] && printf '%s %s\n' "$out" "$host"
  done
  return 0
}

# How many repmgr nodes (data nodes and the witness, this one included) answer at all.
visible_count() {
  local host n=0
  IFS=',' read -ra hosts <<< "$PEERS,$WITNESS_HOST"
  for host in "${hosts[@]}"; do
    [ -n "$host" ] || continue
    pg_isready -q -h "$host" -p "$PG_PORT" -t 1 && n=$((n + 1))
  done
  printf '%s' "$n"
}

# The one election, held by the boot-time election and by repmgrd's supervisor alike: the
# line "<timeline> <lsn> <priority> <host>" of the node to promote, once an election may be
# held (see the top), among the data nodes that answer. Prints nothing while it may not.
# $1: seconds this election has waited so far.
election_winner() {
  local waited="$1" total positions nodes
  IFS=',' read -ra all <<< "$PEERS,$WITNESS_HOST"
  total=${#all[@]}
  if ! quorum_ok "$(visible_count)" "$total"; then
    (( waited % PGHA_ELECTION_LOG_EVERY == 0 )) && log "election: fewer than a majority of the $total repmgr nodes answer; waiting" >&2
    return 0
  fi
  IFS=',' read -ra nodes <<< "$PEERS"
  positions=$(election_positions)
  if ! election_may_count "$(grep -c . <<< "$positions")" "${#nodes[@]}" "$waited" "$PGHA_ELECTION_GRACE_SECS"; then
    (( waited % PGHA_ELECTION_LOG_EVERY == 0 )) && log "election: not every data node answers yet; waiting up to ${PGHA_ELECTION_GRACE_SECS} s for the rest" >&2
    return 0
  fi
  elect_candidate <<< "$positions"
}

# The election loop, until a primary exists. $1 says what this node does with a primary
# that appears meanwhile, and how it promotes itself when elected:
# - rejoin (boot, a former primary): rejoin it; promote with pg_ctl and register as primary.
# - follow (repmgrd's supervisor, a standby): follow it; promote through repmgrd's promote
#   command (fence delay, witness guard), and go on electing if that refuses.
# $2: seconds to wait before this node counts itself in (see elect_or_rejoin).
run_election() {
  local how="$1" min_wait="$2" waited=0 primary best
  while [ ! -e /run/pgha-stopping ]; do
    primary=$(find_primary)
    if [ -n "$primary" ]; then
      if [ "$how" = rejoin ]; then
        log "election: $primary is primary now: rejoining it"
        rejoin_primary "$primary"
      else
        log "election: $primary is primary now: following it"
        follow_host "$primary" || true
      fi
      return 0
    fi
    if (( waited >= min_wait )); then
      best=$(election_winner "$waited")
      case "$(election_outcome "$best" "$NODE_HOST")" in
        promote)
          # Asked again just before acting: the election's queries take a while, and a
          # standby's repmgrd may have promoted meanwhile.
          [ -z "$(find_primary)" ] || continue
          log "election: this node has the newest data (timeline/lsn/priority ${best% *}): promoting"
          if [ "$how" = rejoin ]; then
            as_pg pg_ctl -D "$PGDATA" -w -t 60 promote >/dev/null
            as_pg repmgr -f "$REPMGR_CONF" primary register -F
            return 0
          fi
          as_pg /usr/local/bin/pgha-promote && return 0
          ;;
        wait)
          (( waited % PGHA_ELECTION_LOG_EVERY == 0 )) && log "election: ${best##* } has newer data; waiting for it to be promoted"
          ;;
      esac
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

elect_or_rejoin() {
  log "was primary, and no peer is writable: starting read-only to elect the node with the newest data"
  touch "$PGDATA/standby.signal"
  start_pg
  # PGHA_ELECTION_MIN_WAIT_SECS lets a failover the standbys began while this node was
  # down finish before it counts itself in. With 0, a primary redeployed the way Railway
  # does (clean stop, a new container on the same volume 4 s later) found no writable peer,
  # won its own election on a tie of data and priority, and promoted itself while repmgrd
  # promoted pg-2: two writable primaries on the same timeline. repmgrd's failover took 7-8 s
  # from the stop there; 10 s from this node's boot covers it. After a full stop nobody
  # elects an older node meanwhile: the standbys' own elections wait for the newest data.
  run_election rejoin "$PGHA_ELECTION_MIN_WAIT_SECS"
}

# Follow the primary `host` now (repmgr's follow, pg_rewind or a fresh clone if that fails).
follow_host() {
  local host="$1" id
  wait_registered "$host" || return 1
  id=$(peer_sql "$host" "SELECT node_id FROM repmgr.nodes WHERE node_name = current_setting('cluster_name')")
  [ -n "$id" ] || { log "follow: $host has no repmgr node record"; return 1; }
  as_pg /usr/local/bin/pgha-follow "$id"
}

# repmgrd on a standby will not start while its upstream is down ("upstream node must be
# running before repmgrd can start"), and terminates when the primary it was told to follow
# dies in the middle of the follow: a second failover right after the first then left no
# repmgrd anywhere to elect a primary. Called by repmgrd's supervisor each time repmgrd
# exits: a standby attached to a live primary just restarts repmgrd; one whose primary is
# gone follows the new one, or elects the node with the newest data (timeline, WAL
# position, priority, as repmgr does) once a majority of the repmgr nodes answer, and
# promotes it through the same promote command repmgrd uses (fence delay, witness guard).
repair_upstream() {
  local primary attached=no
  pg_is_running && [ "$(local_sql 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] || return 0
  repmgr_busy && return 0
  primary=$(find_primary)
  [ -n "$primary" ] && attached_to "$primary" && attached=yes
  case "$(repair_decision "$primary" "$attached")" in
    attached) return 0 ;;
    follow)
      log "repmgrd exited while this standby is not attached to $primary (the primary): following it"
      follow_host "$primary" || true
      return 0
      ;;
  esac
  log "repmgrd exited and no peer is writable: electing the node with the newest data"
  run_election follow 0
}
