#!/usr/bin/env bash
# repmgrd's follow_command: follow the new primary (node id $1). `standby follow` refuses
# when this standby received WAL past the new timeline's fork point, often only a
# partial page from the dead primary (repmgr issue #604); the node is then stopped and
# rejoined with pg_rewind, which rewinds only what truly diverged.
set -Eeuo pipefail
. /usr/local/lib/pgha/lib.sh
upstream_id="$1"

if repmgr -f "$REPMGR_CONF" standby follow --upstream-node-id="$upstream_id"; then
  exit 0
fi
conninfo=$(psql -XAtq -d repmgr -c "SELECT conninfo FROM repmgr.nodes WHERE node_id = $((upstream_id))")
[ -n "$conninfo" ] || { log "follow: no conninfo for node $upstream_id"; exit 1; }
log "follow: standby follow refused; rejoining node $upstream_id with pg_rewind"
pg_ctl -D "$PGDATA" -m fast -w -t 60 stop >/dev/null || true
repmgr -f "$REPMGR_CONF" node rejoin -d "$conninfo" --force-rewind --verbose
