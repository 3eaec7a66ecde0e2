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
delay="${PGHA_PROMOTE_DELAY_SECS:-2}"
log "promote: waiting ${delay} s so an isolated old primary has fenced itself"
sleep "$delay"
# Asked now, not from a counter: the witness's PostgreSQL tries the primary itself
# (dblink, created on the witness at its first boot). No answer from the witness at all
# does not block the promotion: a dead witness must not stop a failover.
# Bounded: dblink in PostgreSQL 17 ignores connect_timeout (measured here: a paused
# primary held it 10 s and more, where psql gave up after 1 s), so the statement timeout is
# what ends the wait; each second of it adds to a hung primary's failover. A live primary
# answers dblink in milliseconds. No answer within the bound does not block the promotion.
alive=$(timeout 2.5 psql -XAtq "host=$WITNESS_HOST port=$PG_PORT user=repmgr dbname=repmgr connect_timeout=1 options='-c statement_timeout=1500'" -c "
  SELECT count(*) FROM repmgr.nodes n
   WHERE n.type = 'primary' AND n.active AND n.node_name <> '$NODE_NAME'
     AND (SELECT ok FROM dblink(n.conninfo, 'SELECT NOT pg_is_in_recovery()') AS t(ok boolean))" 2>/dev/null || true)
if [ "$(promote_guard_decision "$alive")" = refuse ]; then
  log "promote: the witness reaches a writable primary right now: it is alive, not promoting"
  exit 1
fi
exec repmgr standby promote -f "$REPMGR_CONF"
