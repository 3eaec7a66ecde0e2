#!/usr/bin/env bash
# repmgrd's promote_command. The short wait keeps "the old primary fences itself before a
# standby is promoted" true by a margin: an isolated primary stops after
# PGHA_FENCE_AFTER_SECS without peers (fence.sh); repmgrd gets here after about
# monitor_interval + reconnect_attempts x reconnect_interval of not seeing it.
set -Eeuo pipefail
. "${PGHA_LIB:-/usr/local/lib/pgha/lib.sh}"
delay="${PGHA_PROMOTE_DELAY_SECS:-2}"
log "promote: waiting ${delay} s so an isolated old primary has fenced itself"
sleep "$delay"
exec repmgr standby promote -f "$REPMGR_CONF"
