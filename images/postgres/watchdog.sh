#!/usr/bin/env bash
# Ends repmgrd's connection to its upstream (the primary it monitors) when a request on it
# has gone unanswered for PGHA_PEER_REPLY_TIMEOUT_SECS, looked at twice a second
# (stalled_requests in decide.sh says which and why). repmgrd then sees a broken
# connection, which it handles: it checks the upstream afresh, and fails it over if it is
# gone. Without this, a repmgrd caught mid-query by a hung primary stayed silent; its
# siblings elected it (highest priority, same WAL) and waited for a promotion that never
# came (clients suite, CI at e9e982a). Only the upstream: a sibling slow to answer during
# an election must be waited for, or a less advanced standby could win.
set -Euo pipefail
. "${PGHA_LIB:-/usr/local/lib/pgha/lib.sh}"

REPLY_BOUND_MS=$(( ${PGHA_PEER_REPLY_TIMEOUT_SECS:-1} * 1000 ))

# The addresses of the node this node's record names as its upstream; nothing for none.
upstream_addresses() {
  local conninfo host
  conninfo=$(local_sql "SELECT u.conninfo FROM repmgr.nodes n JOIN repmgr.nodes u ON u.node_id = n.upstream_node_id WHERE n.node_id = $NODE_ID" repmgr 2>/dev/null) || return 0
  host=$(conninfo_host "$conninfo")
  [ -n "$host" ] || return 0
  addresses_of "$host"
}

while [ ! -e /run/pgha-stopping ]; do
  # As repmgrd's user: root here lacks the capability to read another user's sockets' owners.
  sockets=$(as_pg ss -tnpiOH state established 2>/dev/null) || sockets=
  # Nearly every round finds no repmgrd request unanswered to anyone: only then is the
  # upstream worth a query and a name lookup (twice a second on every node otherwise).
  if [ -n "$(stalled_requests repmgrd "$REPLY_BOUND_MS" '*' <<< "$sockets")" ]; then
    read -ra peers <<< "$(upstream_addresses)"
    if [ "${#peers[@]}" -gt 0 ]; then
      stalled_requests repmgrd "$REPLY_BOUND_MS" "${peers[@]}" <<< "$sockets" |
        while read -r local peer ms; do
          log "watchdog: repmgrd's request to its upstream $peer unanswered for $ms ms: ending that connection"
          ss -K -tnH src "$local" dst "$peer" >/dev/null || log "watchdog: could not end $local -> $peer"
        done
    fi
  fi
  sleep 0.5
done
