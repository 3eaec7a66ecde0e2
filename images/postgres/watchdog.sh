#!/usr/bin/env bash
# Ends repmgrd's connections to a peer that has left a request unanswered for
# PGHA_PEER_REPLY_TIMEOUT_SECS, looked at twice a second (stalled_requests in decide.sh says which and why). repmgrd
# then sees a broken connection, which it handles: it checks the peer afresh, and fails it
# over if it is gone. Without this, a repmgrd caught mid-query by a hung primary stayed
# silent; its siblings elected it (highest priority, same WAL) and waited for a promotion
# that never came (clients suite, CI at e9e982a).
set -Euo pipefail
. "${PGHA_LIB:-/usr/local/lib/pgha/lib.sh}"

REPLY_BOUND_MS=$(( ${PGHA_PEER_REPLY_TIMEOUT_SECS:-2} * 1000 ))

while [ ! -e /run/pgha-stopping ]; do
  # As repmgrd's user: root here lacks the capability to read another user's sockets' owners.
  as_pg ss -tnpiOH state established 2>/dev/null | stalled_requests repmgrd "$REPLY_BOUND_MS" |
    while read -r local peer ms; do
      log "watchdog: repmgrd's request to $peer unanswered for $ms ms: ending that connection"
      ss -K -tnH src "$local" dst "$peer" >/dev/null || log "watchdog: could not end $local -> $peer"
    done
  sleep 0.5
done
