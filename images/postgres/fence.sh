#!/usr/bin/env bash
# Fencing, which repmgr does not do. A primary that sees neither the witness nor any
# standby for PGHA_FENCE_AFTER_SECS stops PostgreSQL: the other side may be promoting,
# and two writable primaries must never be. A primary that sees a peer primary on a
# newer timeline is stale (it was paused or cut off while a standby was promoted) and
# steps down at once. When peers are visible again a fenced node rejoins the current
# primary (pg_rewind where the timelines diverged), or, if every other data node answers
# as a standby (no failover happened after all), starts again as the primary it was. A
# standby the primary has not seen streaming for PGHA_DETACHED_STANDBY_SECS rejoins it,
# re-cloning if a rejoin can't attach it.
set -Euo pipefail
. "${PGHA_LIB:-/usr/local/lib/pgha/lib.sh}"

FENCE_AFTER_MS=$(( ${PGHA_FENCE_AFTER_SECS:-2} * 1000 ))
# Longer than the fence delay: a loaded machine oversleeps a little, never by seconds, and
# a hung primary is only replaced after several seconds (about 9 here), so a shorter
# freeze needs no stop.
FREEZE_AFTER_MS=$(( ${PGHA_FREEZE_AFTER_SECS:-4} * 1000 ))
# Far above a follow (2-6 s) or a switchover's re-pointing, so this never races repmgrd's
# own follow; it catches what repmgr leaves stuck, e.g. a standby that received a partial
# WAL page past the new timeline's fork: follow refuses, pg_rewind finds nothing to
# rewind, and the walreceiver never gets past "startup".
DETACHED_AFTER_MS=$(( ${PGHA_DETACHED_STANDBY_SECS:-30} * 1000 ))

local_is_primary() { [ "$(local_sql 'SELECT NOT pg_is_in_recovery()' 2>/dev/null)" = t ]; }

local_timeline() {
  local_sql "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int" 2>/dev/null
}

# pg_isready needs no login: "answers at all" is what visibility means here. All peers at
# once, so a dead link costs one timeout, not one per peer.
any_peer_visible() {
  local host pids=() 
  IFS=',' read -ra hosts <<< "$PEERS,${WITNESS_HOST}"
  for host in "${hosts[@]}"; do
    [ -n "$host" ] && [ "$host" != "$NODE_HOST" ] || continue
    pg_isready -q -h "$host" -p "$PG_PORT" -t 1 &
    pids+=($!)
  done
  local pid seen=1
  for pid in "${pids[@]}"; do
    local rc=0
    wait "$pid" || rc=$?
    [ "$rc" -le 1 ] && seen=0   # 0 accepting, 1 rejecting (starting up): both are alive
  done
  return "$seen"
}

# A peer primary on a newer timeline than ours, if any.
newer_primary() {
  local mine
  mine=$(local_timeline) || return 0
  [ -n "$mine" ] || return 0
  stale_primary_decision "$mine" < <(writable_primaries)
}

restart_repmgrd() { pkill -x repmgrd 2>/dev/null || true; }   # its supervisor loop starts it again

step_down_to() {
  local primary="$1"
  stop_pg
  rejoin_primary "$primary"
  restart_repmgrd
}

# Immediate: a fenced primary must stop committing at once, not finish a shutdown
# checkpoint first; pg_rewind and crash recovery handle the unclean stop.
fence_now() {
  log "fence: $1: stopping PostgreSQL"
  as_pg pg_ctl -D "$PGDATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fenced=true
}

# Called every few seconds on a running standby. A standby cut off from everyone finds no
# primary and is left alone: it catches up by itself after the heal.
check_standby_attached() {
  local primary streaming=no now
  primary=$(find_primary)
  if [ -z "$primary" ] || attached_to "$primary" || repmgr_busy; then streaming=yes; fi
  now=$(now_ms)
  case "$(detached_standby_decision "$streaming" "${detached_since:-$now}" "$now" "$DETACHED_AFTER_MS")" in
    streaming) detached_since=; return ;;
    wait) detached_since=${detached_since:-$now}; return 0 ;;
  esac
  detached_since=${detached_since:-$now}
  log "standby: $primary is primary and has not seen this node streaming for $(( (now - detached_since) / 1000 )) s: rejoining it"
  rejoin_primary "$primary"
  restart_repmgrd
  detached_since=
}

fenced=false
waiting_with=
armed=false
last_seen=
detached_since=
tick=0
while [ ! -e /run/pgha-stopping ]; do
  # A half-second sleep that took seconds means this node was frozen (docker pause,
  # SIGSTOP, a hung VM), long enough that a standby may have been promoted meanwhile.
  # Stop first, without a query that would give waking clients time to commit, and sort
  # it out after. Only the sleep is timed: slow work in the loop is not a freeze.
  before=$(now_ms)
  sleep 0.5
  frozen_ms=$(( $(now_ms) - before - 500 ))
  standby_signal=no; [ ! -f "$PGDATA/standby.signal" ] || standby_signal=yes
  if [ "$(freeze_decision "$fenced" "$frozen_ms" "$FREEZE_AFTER_MS" "$standby_signal")" = fence ] && pg_is_running; then
    fence_now "this node was frozen for $(( frozen_ms / 1000 )) s"
    continue
  fi
  if $fenced; then
    any_peer_visible || continue
    primary=$(find_primary)
    standbys=$(standby_peer_count)
    others=$(other_data_nodes | wc -l)
    case "$(fenced_recovery_decision "$primary" "$standbys" "$others")" in
      rejoin)
        log "fence: peers visible again; $primary is primary: rejoining it"
        rejoin_primary "$primary" ;;
      start-primary)
        log "fence: peers visible again, all $others other data nodes standbys: starting again as primary"
        start_pg ;;
      *)
        if [ "$standbys" != "${waiting_with:-}" ]; then
          log "fence: peers visible again, but only $standbys of $others other data nodes answer as standbys and none as primary: waiting for the rest"
          waiting_with=$standbys
        fi
        continue ;;
    esac
    restart_repmgrd
    fenced=false
    waiting_with=
    last_seen=
    continue
  fi
  if ! pg_is_running; then last_seen=; detached_since=; continue; fi
  if ! local_is_primary; then
    last_seen=
    tick=$(( (tick + 1) % 4 ))
    (( tick == 0 )) && check_standby_attached
    continue
  fi
  detached_since=
  if any_peer_visible; then
    last_seen=$(now_ms)
    armed=true
    stale_for=$(newer_primary)
    if [ -n "$stale_for" ]; then
      log "fence: $stale_for is primary on a newer timeline: this node is stale, stepping down"
      step_down_to "$stale_for"
    fi
    continue
  fi
  # A primary alone from the start (the first node of a first boot, waiting for the others)
  # is not cut off from anyone: the fence arms once a peer has been seen. Isolation counts
  # from the last time a peer answered, not from the first miss.
  now=$(now_ms)
  decision=$(isolation_decision "$armed" "${last_seen:-$now}" "$now" "$FENCE_AFTER_MS")
  [ "$decision" != unarmed ] || continue
  last_seen=${last_seen:-$now}
  if [ "$decision" = fence ]; then
    fence_now "no witness or standby visible for $(( (now - last_seen) / 1000 )) s"
  fi
done
