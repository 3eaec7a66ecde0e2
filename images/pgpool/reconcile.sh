#!/usr/bin/env bash
# Re-attaches backends pgpool marked down that are in fact serving. auto_failback covers
# standbys only; a primary marked down by mistake would otherwise stay out for good, and
# clients would hang, then write to nobody. A writable node is attached only while pgpool
# has no primary, so an unfenced old primary is never handed traffic next to a new one.
. /usr/local/lib/pgha/pgpool-lib.sh

node_role() { # prints standby | primary, or nothing when the node does not answer
  psql -XAtq "host=$1 port=$2 user=repmgr dbname=repmgr connect_timeout=1" \
    -c "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END" 2>/dev/null
}

while sleep 1; do
  info=$(pcp pcp_node_info -a 2>/dev/null) || continue
  has_primary=$(awk '$5 == "up" && $7 == "primary" { print "yes" }' <<< "$info" | head -n1)
  i=0
  while read -r host port status _rest; do
    if [ "$status" = 3 ]; then
      role=$(node_role "$host" "$port")
      if [ "$role" = standby ] || { [ "$role" = primary ] && [ -z "$has_primary" ]; }; then
        log "re-attaching node $i ($host, $role): it serves but pgpool marked it down"
        pcp pcp_attach_node -n "$i" >/dev/null 2>&1 || log "pcp_attach_node $i failed"
      fi
    fi
    i=$((i + 1))
  done <<< "$info"
done
