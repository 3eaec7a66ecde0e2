#!/usr/bin/env bash
# repmgrd's promote_command.
# - The wait keeps "the old primary fences itself before a standby is promoted" true by a
#   margin: an isolated primary stops after PGHA_FENCE_AFTER_SECS without peers
#   (fence.sh); repmgrd gets here right after its second failed check in a row (one
#   reconnect attempt, made at once), which for a primary that refuses at once can be
#   within a second of its going, so the whole fence delay and a look more are waited here.
#   `repmgr standby promote` then connects to the old primary before it promotes (its
#   search for a live primary), which against a hung one costs connect_timeout on each of
#   its name's addresses (2 s here): the wait counts that time, measured by a probe of the
#   same conninfo (while the probe still waits, what it has waited so far), so the
#   promotion itself still comes when the wait ends.
# - No promotion while the witness still sees the primary: the primary is then cut off
#   from the standbys only and still serves, and it would not fence (it sees the witness).
#   repmgr's primary_visibility_consensus does this too, but with 1 s monitoring its
#   "seen in the last 2 s" test also cancelled ordinary failovers, which repmgrd then does
#   not retry, and so did the witness's own last-seen counter (repmgr #821 is the split
#   brain without any of them).
set -Eeuo pipefail
. "${PGHA_LIB:-/usr/local/lib/pgha/lib.sh}"
# repmgrd does not pass its promote command's stdout on; its stderr reaches the node's log.
exec 1>&2
delay_ms=$(( ${PGHA_PROMOTE_DELAY_SECS:-3} * 1000 ))
question_ms=${PGHA_WITNESS_QUESTION_MS:-1500}
secs() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }
sleep_ms() { if (( $1 > 0 )); then sleep "$(secs "$1")"; fi; }

# Asked now, not from a counter: the witness's PostgreSQL tries the primary itself
# (dblink, created on the witness at its first boot). dblink in PostgreSQL 17 ignores
# connect_timeout (a paused primary held it 10 s and more, where psql gave up after 1 s),
# so the statement timeout bounds it; a live primary answers in milliseconds. No answer
# does not block the promotion: a dead witness must not stop a failover. Prints the
# answer, then how long it took.
ask_witness() {
  local asked alive
  asked=$(now_ms)
  alive=$(timeout "$(secs $(( question_ms + 1000 )))" psql -XAtq "host=$WITNESS_HOST port=$PG_PORT user=repmgr dbname=repmgr connect_timeout=1 options='-c statement_timeout=$question_ms'" -c "
    SELECT count(*) FROM repmgr.nodes n
     WHERE n.type = 'primary' AND n.active AND n.node_name <> '$NODE_NAME'
       AND (SELECT ok FROM dblink(n.conninfo, 'SELECT NOT pg_is_in_recovery()') AS t(ok boolean))" 2>/dev/null || true)
  echo "${alive:-nothing} $(( $(now_ms) - asked ))"
}

# probe_ms <conninfo>: how long a connect takes from here, with the conninfo repmgr's own
# search for a live primary uses first (`repmgr standby promote` refuses to promote while
# one answers): milliseconds for a node that is gone or refuses, connect_timeout on each of
# its name's addresses for one that hangs or whose packets vanish.
probe_ms() {
  local probed
  [ -n "$1" ] || { echo 0; return; }
  probed=$(now_ms)
  # psql, not pg_isready: pg_isready's own -t (3 s by default) overrides the conninfo's
  # connect_timeout.
  timeout "$(secs "$delay_ms")" psql -XAtq -d "$1" -c 'SELECT 1' >/dev/null 2>&1 || true
  echo $(( $(now_ms) - probed ))
}

guard() {
  log "promote: the witness answered '$1' in $2 ms"
  if [ "$(promote_guard_decision "$1")" = refuse ]; then
    log "promote: the witness reaches a writable primary right now: it is alive, not promoting"
    exit 1
  fi
}

started=$(now_ms)
log "promote: waiting up to $delay_ms ms so an isolated old primary has fenced itself; timing a connect to it and asking the witness meanwhile"
# Both at once: against a hung primary each costs its whole bound, and one after the other
# they came on top of each other.
witness_file=$(mktemp)
probe_file=$(mktemp)
trap 'rm -f "$witness_file" "$probe_file"' EXIT
ask_witness > "$witness_file" &
witness_pid=$!
old_primary=$(local_sql "SELECT conninfo FROM repmgr.nodes WHERE type = 'primary' AND active AND node_name <> '$NODE_NAME' LIMIT 1" repmgr 2>/dev/null) || old_primary=
probe_started=$(now_ms)
probe_ms "$old_primary" > "$probe_file" &
# What the probe has cost so far, or in all once it is done: repmgr's search will cost at
# least as much, so a probe still waiting on a hung primary counts while it waits.
probe_cost() { if [ -s "$probe_file" ]; then cat "$probe_file"; else echo $(( $(now_ms) - probe_started )); fi; }
wait "$witness_pid" || true
read -r alive answered_ms < "$witness_file" || true
guard "$alive" "$answered_ms"
while [ ! -s "$probe_file" ] && (( $(now_ms) < $(promote_exec_at_ms "$started" "$delay_ms" "$(probe_cost)") )); do sleep 0.05; done
probe_state=done; [ -s "$probe_file" ] || probe_state='so far, still waiting'
probed_ms=$(probe_cost)
credit_ms=$probed_ms
# The probe's time is the search's time only while the name leads where it led: a killed
# container's address goes silent about 0.1 s before its name stops resolving, and a probe
# that met the silence credited a search that then failed at once (a bench kill promoted
# away 2.0 s after it, inside the 3 s the fence is given).
old_host=$(conninfo_host "$old_primary")
if [ -n "$old_host" ] && [ -z "$(addresses_of "$old_host")" ]; then
  credit_ms=0
  probe_state="$probe_state; not counted: $old_host no longer resolves, so repmgr's search will not wait on it"
fi
rm -f "$witness_file" "$probe_file"
exec_at=$(promote_exec_at_ms "$started" "$delay_ms" "$credit_ms")
log "promote: a connect to the old primary took $probed_ms ms ($probe_state); repmgr's search costs as much again, so it starts $(( exec_at - started )) ms in"
# Where the wait has time left, the witness is asked again as late as its bound allows, so
# the answer the promotion goes on is no older than it must be.
if (( exec_at - question_ms > $(now_ms) )); then
  sleep_ms $(( exec_at - question_ms - $(now_ms) ))
  read -r alive answered_ms <<< "$(ask_witness)" || true
  guard "$alive" "$answered_ms"
fi
sleep_ms $(( exec_at - $(now_ms) ))
exec repmgr standby promote -f "$REPMGR_CONF"
