# Sourced by the entrypoint. A node that was a primary when it went down, and finds no
# writable peer when it comes back, must not simply start writable: another node may have
# been promoted after it and be down too, holding newer data. It starts read-only (as a
# standby with no upstream, so peers can ask it where its WAL ends) and the node with the
# newest data, by timeline, then WAL position, then priority, is promoted once a majority
# of the repmgr nodes can be seen. The others rejoin it.

# "<timeline> <lsn as a number> <priority> <host>" for a running node, or nothing.
# A standby's timeline is the newest of its last checkpoint's and the one recovery must
# reach; its WAL position the furthest received or replayed.
position_sql="SELECT greatest((pg_control_checkpoint()).timeline_id, (pg_control_recovery()).min_recovery_end_timeline)
  || ' ' || (greatest(coalesce(pg_last_wal_replay_lsn(), '0/0'), coalesce(pg_last_wal_receive_lsn(), '0/0')) - '0/0')::bigint
  || ' ' || (SELECT priority FROM repmgr.nodes WHERE node_name = current_setting('cluster_name'))
  WHERE pg_is_in_recovery()"

PGHA_ELECTION_LOG_EVERY=10
PGHA_ELECTION_MIN_WAIT_SECS="${PGHA_ELECTION_MIN_WAIT_SECS:-0}"

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

elect_or_rejoin() {
  local total waited=0 best primary
  IFS=',' read -ra all <<< "$PEERS,$WITNESS_HOST"
  total=${#all[@]}
  log "was primary, and no peer is writable: starting read-only to elect the node with the newest data"
  touch "$PGDATA/standby.signal"
  start_pg
  while :; do
    primary=$(find_primary)
    if [ -n "$primary" ]; then
      log "election: $primary is primary now: rejoining it"
      rejoin_primary "$primary"
      return
    fi
    # PGHA_ELECTION_MIN_WAIT_SECS lets a failover the standbys began while this node was
    # down finish before it counts itself in. 0 by default: after a full stop the node
    # with the newest data should not wait while standbys' repmgrd elect an older one.
    if (( waited < PGHA_ELECTION_MIN_WAIT_SECS )); then
      :
    elif (( $(visible_count) * 2 > total )); then
      best=$(election_positions | sort -k1,1n -k2,2n -k3,3n | tail -n 1)
      if [ "${best##* }" = "$NODE_HOST" ]; then
        log "election: this node has the newest data (timeline/lsn/priority ${best% *}): promoting"
        as_pg pg_ctl -D "$PGDATA" -w -t 60 promote >/dev/null
        as_pg repmgr -f "$REPMGR_CONF" primary register -F
        return
      fi
      (( waited % PGHA_ELECTION_LOG_EVERY == 0 )) && log "election: ${best##* } has newer data; waiting for it to be promoted"
    else
      (( waited % PGHA_ELECTION_LOG_EVERY == 0 )) && log "election: fewer than a majority of the $total repmgr nodes answer; waiting"
    fi
    sleep 1
    waited=$((waited + 1))
  done
}
