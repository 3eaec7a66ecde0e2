#!/usr/bin/env bash
# Keeps pgpool's view of its backends true to what they do, every second:
# - A backend that answers nothing (hung: docker pause, SIGSTOP, a link that drops
#   packets) is cut off from pgpool with a TCP reset rule for pgpool's own user, and
#   detached: new sessions then fail at once instead of piling up on it until the pool is
#   used up ("too many clients"). Sessions already waiting on its sockets stay stuck until
#   it resumes or dies (no packet comes to be reset), and so does pgpool's restart of its
#   children: a known limit of this flavor, measured by the failover suite. The rule goes
#   when the node answers again. Runs as root (iptables); probes as root too.
# - A backend pgpool marked down that in fact serves is re-attached. auto_failback covers
#   standbys only; a primary marked down by mistake would otherwise stay out for good. A
#   writable node is attached only while pgpool has no primary, so an unfenced old
#   primary is never handed traffic next to a new one.
. /usr/local/lib/pgha/pgpool-lib.sh

# Consecutive probes a backend may miss before it is detached (each waits 2 s at most).
HUNG_AFTER="${PGPOOL_HUNG_AFTER_PROBES:-2}"
declare -A missed

export PGPASSFILE=/var/lib/postgresql/.pgpass

node_role() { # prints standby | primary, or nothing when the node does not answer in time
  psql -XAtq "host=$1 port=$2 user=repmgr dbname=repmgr connect_timeout=2 options='-c statement_timeout=2000'" \
    -c "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END" 2>/dev/null
}

rule() { # the iptables rule that resets pgpool's (uid postgres) connections to a node
  local ip
  ip=$(getent hosts "$1" | awk '{print $1; exit}')
  [ -n "$ip" ] && printf '%s\n' OUTPUT -d "$ip" -p tcp --dport "$2" -m owner --uid-owner postgres -j REJECT --reject-with tcp-reset
}
cut_off() { local r; mapfile -t r < <(rule "$1" "$2"); [ ${#r[@]} -gt 0 ] && { iptables -C "${r[@]}" 2>/dev/null || iptables -I "${r[@]}"; }; }
restore() { local r; mapfile -t r < <(rule "$1" "$2"); [ ${#r[@]} -gt 0 ] && while iptables -D "${r[@]}" 2>/dev/null; do :; done; }

while sleep 1; do
  info=$(pcp pcp_node_info -a 2>/dev/null) || continue
  has_primary=$(awk '$5 == "up" && $7 == "primary" { print "yes" }' <<< "$info" | head -n1)
  # Probe every backend at once, so one hung node costs one timeout per round.
  i=0
  while read -r host port _rest; do
    node_role "$host" "$port" > "/tmp/pgha-role-$i" &
    i=$((i + 1))
  done <<< "$info"
  wait
  # pgpool's idea of the primary against what the backends say: after a hung primary woke
  # and rejoined as a standby, pgpool was seen to keep sending writes to it. Without
  # --switchover, pcp_promote_node only moves pgpool's primary; it promotes nothing.
  believed=$(awk '$7 == "primary" { print NR - 1; exit }' <<< "$info")
  actual=$(for f in /tmp/pgha-role-*; do [ "$(cat "$f")" = primary ] && basename "$f"; done | sed 's/pgha-role-//')
  if [ -n "$actual" ] && [ "$(wc -w <<< "$actual")" = 1 ] && [ "$actual" != "$believed" ] \
     && awk -v n="$((actual + 1))" 'NR == n && $5 != "down" { ok = 1 } END { exit !ok }' <<< "$info"; then
    log "pgpool takes node ${believed:-none} for the primary, node $actual is: telling pgpool"
    pcp pcp_promote_node -n "$actual" >/dev/null 2>&1 || log "pcp_promote_node $actual failed"
  fi
  i=0
  while read -r host port status _rest; do
    r=$(cat "/tmp/pgha-role-$i" 2>/dev/null)
    if [ -z "$r" ]; then
      missed[$i]=$(( ${missed[$i]:-0} + 1 ))
      if (( missed[$i] == HUNG_AFTER )); then
        log "cutting node $i ($host) off from pgpool: no answer to $HUNG_AFTER probes in a row"
        cut_off "$host" "$port"
        [ "$status" = 3 ] || pcp pcp_detach_node -n "$i" >/dev/null 2>&1 || log "pcp_detach_node $i failed"
      fi
    else
      (( ${missed[$i]:-0} >= HUNG_AFTER )) && { log "node $i ($host) answers again"; restore "$host" "$port"; }
      missed[$i]=0
      if [ "$status" = 3 ] && { [ "$r" = standby ] || { [ "$r" = primary ] && [ -z "$has_primary" ]; }; }; then
        log "re-attaching node $i ($host, $r): it serves but pgpool marked it down"
        pcp pcp_attach_node -n "$i" >/dev/null 2>&1 || log "pcp_attach_node $i failed"
      fi
    fi
    i=$((i + 1))
  done <<< "$info"
done
