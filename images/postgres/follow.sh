#!/usr/bin/env bash
# repmgrd's follow_command: follow the new primary (node id $1). `standby follow` refuses
# when this standby received WAL past the new timeline's fork point, often only a
# partial page from the dead primary (repmgr issue #604); the node is then stopped and
# rejoined with pg_rewind, which rewinds only what truly diverged, or, when even that
# leaves it unable to attach (pg_rewind finds nothing to rewind for a partial page past
# the fork, and the walreceiver then never starts streaming), re-cloned.
set -Eeuo pipefail
. /usr/local/lib/pgha/lib.sh
upstream_id="$1"

if repmgr -f "$REPMGR_CONF" standby follow --upstream-node-id="$upstream_id"; then
  exit 0
fi
conninfo=$(psql -XAtq -d repmgr -c "SELECT conninfo FROM repmgr.nodes WHERE node_id = $((upstream_id))")
[ -n "$conninfo" ] || { log "follow: no conninfo for node $upstream_id"; exit 1; }
host=$(sed -n "s/.*host=\([^ ]*\).*/\1/p" <<< "$conninfo")
[ -n "$host" ] || { log "follow: no host in node $upstream_id's conninfo"; exit 1; }
log "follow: standby follow refused; rejoining $host with pg_rewind (a fresh clone if that fails)"
rejoin_primary "$host"
