#!/usr/bin/env bash
# repmgrd's promote_command.
# - The wait keeps "the old primary fences itself before a standby is promoted" true by a
#   margin: an isolated primary stops after PGHA_FENCE_AFTER_SECS without peers
#   (fence.sh); repmgrd gets here after about monitor_interval + reconnect_attempts x
#   reconnect_interval of not seeing it.
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
delay_ms=$(( ${PGHA_PROMOTE_DELAY_SECS:-2} * 1000 ))
question_ms=${PGHA_WITNESS_QUESTION_MS:-1500}
secs() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }
sleep_ms() { if (( $1 > 0 )); then sleep "$(secs "$1")"; fi; }
started=$(now_ms)
log "promote: waiting $delay_ms ms so an isolated old primary has fenced itself; the witness is asked in the last $question_ms ms of it"
# The witness is asked during the wait, as late as its bound allows: a primary that does
# not answer (hung, or cut off from the witness too) costs the whole bound, which after the
# wait came on top of it (1.5 s more of every hung primary's failover). Its answer is in by
# the end of the wait (a dead witness's a second later at most: its connect_timeout).
sleep_ms "$(promote_question_lead_ms "$delay_ms" "$question_ms")"
# Asked now, not from a counter: the witness's PostgreSQL tries the primary itself
# (dblink, created on the witness at its first boot). dblink in PostgreSQL 17 ignores
# connect_timeout (a paused primary held it 10 s and more, where psql gave up after 1 s),
# so the statement timeout bounds it; a live primary answers in milliseconds. No answer
# does not block the promotion: a dead witness must not stop a failover.
asked=$(now_ms)
alive=$(timeout "$(secs $(( question_ms + 1000 )))" psql -XAtq "host=$WITNESS_HOST port=$PG_PORT user=repmgr dbname=repmgr connect_timeout=1 options='-c statement_timeout=$question_ms'" -c "
  SELECT count(*) FROM repmgr.nodes n
   WHERE n.type = 'primary' AND n.active AND n.node_name <> '$NODE_NAME'
     AND (SELECT ok FROM dblink(n.conninfo, 'SELECT NOT pg_is_in_recovery()') AS t(ok boolean))" 2>/dev/null || true)
log "promote: the witness answered '${alive:-nothing}' in $(( $(now_ms) - asked )) ms"
if [ "$(promote_guard_decision "$alive")" = refuse ]; then
  log "promote: the witness reaches a writable primary right now: it is alive, not promoting"
  exit 1
fi
sleep_ms $(( started + delay_ms - $(now_ms) ))
exec repmgr standby promote -f "$REPMGR_CONF"
