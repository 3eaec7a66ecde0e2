#!/usr/bin/env bash
# Keeps pgpool's view of its backends true to what they do, every second and whenever a
# backend turns primary:
# - A new primary is handed to pgpool as soon as a watcher sees it, by detaching pgpool's
#   primary when that answers nothing (retire): pgpool then fails over and finds the new
#   one at its first look, instead of its health check giving the old one up first and its
#   search polling once a second for repmgr's promotion.
# - A backend that answers nothing (killed; hung: docker pause, SIGSTOP, a link that drops
#   packets) is cut off from pgpool with a TCP reset rule for pgpool's own user, and
#   detached unless it is pgpool's primary (a retire or pgpool's health check detaches
#   that): new sessions then fail at once instead of waiting on it, or piling up on it
#   until the pool is used up ("too many clients"). The rule alone does not free a socket
#   that is already waiting for the node's answer: a paused node's kernel still acknowledges what was
#   sent, so no packet goes out to be reset, and the pgpool child (or its replication
#   check) would wait for as long as the node stays hung. Those sockets are aborted
#   (ss -K) when the rule goes in. The rule goes when the node answers again. Runs as
#   root (iptables, ss -K); its watchers connect as root too.
# - Backends' addresses: pgpool resolves them from /etc/hosts, because Docker's DNS failed
#   under load; a restarted backend may come back on another address (a full-cluster stop
#   and start shuffled them), so each address DNS gives is written there, every
#   second. A failed lookup keeps the entry: it is the DNS outage /etc/hosts is for.
# - A standby that pgpool's main node was moved off while pgpool still has it up (one of
#   pgpool's children could not connect to it; pgpool-log-tap reads pgpool's log line and
#   wakes this loop) is detached: until a failover sets the main node again, every new
#   session through pgpool fails.
# - A backend pgpool marked down that in fact serves is re-attached. auto_failback covers
#   standbys only; a primary marked down by mistake would otherwise stay out for good. A
#   writable node is attached only while pgpool has no primary that says it is one, and
#   only if it is the one writable node, so an unfenced old primary is never handed
#   traffic next to a new one.
. /usr/local/lib/pgha/pgpool-lib.sh
# shellcheck source=decide.sh
. /usr/local/lib/pgha/pgpool-decide.sh

# Rounds in a row (one a second) a backend may answer nothing before it is cut off: new
# sessions to it then fail at once. Before that, a session through pgpool to a killed primary
# waited out the client's whole connect timeout (2 s) while repmgr promoted.
HUNG_AFTER="${PGPOOL_HUNG_AFTER_ROUNDS:-2}"
declare -A missed

export PGPASSFILE=/var/lib/postgresql/.pgpass

# Each backend's role is watched by a psql of its own that asks every WATCH_SECS on one
# connection (\watch); a round reads the latest answers instead of probing. Rounds used to
# wait for their probes, and a dead node's took 2-3 s: the reconciler saw a new primary
# 6.9-9.0 s after a primary kill (bench, 2026-11-30), later than pgpool's own search did.
# A watcher that sees its node turn primary wakes the round at once. An answer older than
# STALE_US counts as none: a hung node's psql waits, it does not fail; read -t ends that
# wait (statement_timeout is the server's own, and a node frozen mid-query never answers:
# its kernel still acknowledges, so the connection never breaks).
WATCH_SECS=0.25
SILENT_SECS=2
STALE_US=$(( SILENT_SECS * 1000000 ))
ROLE_QUERY="SELECT current_setting('cluster_name') || ' ' || CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END"
RECONCILER_PID=$$
note_answer() { # $1 index, $2 role or -: "<µs since the epoch> <role>", replaced whole
  printf '%s %s\n' "${EPOCHREALTIME/./}" "$2" > "/tmp/pgha-role-$1.new" && mv -f "/tmp/pgha-role-$1.new" "/tmp/pgha-role-$1"
}
watch_role() { # $1 index, $2 host, $3 port; runs until the reconciler ends
  local fd pid line role last=-
  while :; do
    # Each node's cluster_name is its own name: probe_role drops an answer from another
    # node at this address (an /etc/hosts entry not yet refreshed after a restart).
    exec {fd}< <(exec psql -XAtq "host=$2 port=$3 user=repmgr dbname=repmgr connect_timeout=2 options='-c statement_timeout=2000'" \
      2>/dev/null <<< "$ROLE_QUERY \\watch $WATCH_SECS")
    pid=$!
    while IFS= read -r -t "$SILENT_SECS" -u "$fd" line; do
      role=$(probe_role "$2" "$line")
      # Another node at this address: connect again, by the name (refresh_hosts fixes it).
      [ -n "$role" ] || break
      note_answer "$1" "$role"
      [ "$role" != primary ] || [ "$last" = primary ] || kill -USR1 "$RECONCILER_PID" 2>/dev/null
      last=$role
    done
    kill "$pid" 2>/dev/null
    exec {fd}<&-
    note_answer "$1" -
    last=-
    sleep "$WATCH_SECS"
  done
}
# The backends are pgpool.conf's, fixed for the container's life: counted once, not asked
# of pgpool every round.
BACKENDS=$(grep -c '^backend_hostname[0-9]' /etc/pgpool2/pgpool.conf) || die "no backend in /etc/pgpool2/pgpool.conf"

# A restarted container keeps its files: no answer from its last life may count.
rm -f /tmp/pgha-role-* /tmp/pgha-main-moved-*
# pgpool-log-tap wakes this process when pgpool moves its main node off a standby.
echo "$RECONCILER_PID" > /tmp/pgha-reconciler.pid
declare -A watching
watch_backends() { # backend indexes (of b_host, b_port): one watcher each, started once
  local i
  for i in "$@"; do
    [ -z "${watching[$i]:-}" ] || continue
    watch_role "$i" "${b_host[i]}" "${b_port[i]}" &
    watching[$i]=$!
  done
}
answer_of() { fresh_answer "${EPOCHREALTIME/./}" "$STALE_US" 2>/dev/null < "/tmp/pgha-role-$1" || echo -; }
woken=no
trap 'woken=yes' USR1
trap 'exit 0' TERM INT
trap 'kill $(jobs -p) 2>/dev/null' EXIT

rule() { # the iptables rule that resets pgpool's (uid postgres) connections to a node: tool, then its arguments
  local ip
  ip=$(getent hosts "$1" | awk '{print $1; exit}')
  [ -n "$ip" ] && printf '%s\n' "$(iptables_for "$ip")" OUTPUT -d "$ip" -p tcp --dport "$2" -m owner --uid-owner postgres -j REJECT --reject-with tcp-reset
}
# The rule is removed by the address it was put in with: the node's address may have
# changed since, and the old one may belong to another node by now.
declare -A cut_rule
cut_off() { # $1 node index, $2 host, $3 port
  local r ip left; mapfile -t r < <(rule "$2" "$3")
  [ ${#r[@]} -gt 0 ] || return 0
  "${r[0]}" -C "${r[@]:1}" 2>/dev/null || "${r[0]}" -I "${r[@]:1}"
  cut_rule[$1]="${r[*]}"
  # After the rule, so no new connection to the node can open between the two: abort every
  # established socket to it. A session waiting on one gets an error and ends; its client
  # connects again and pgpool no longer sends it to the node.
  ip=$(ss_address "${r[3]}")   # r: tool OUTPUT -d <address> ...
  ss -HtnK state established dst "$ip" dport = ":$3" > /dev/null 2>&1 || log "ss -K on connections to $ip:$3 failed"
  left=$(ss -Htn state established dst "$ip" dport = ":$3" 2>/dev/null | wc -l)
  [ "$left" = 0 ] || log "$left connection(s) to $ip:$3 could not be aborted: sessions on them wait for the node"
}
restore() { # $1 node index
  local r
  [ -n "${cut_rule[$1]:-}" ] || return 0
  read -ra r <<< "${cut_rule[$1]}"
  while "${r[0]}" -D "${r[@]:1}" 2>/dev/null; do :; done
  unset "cut_rule[$1]"
}

# /etc/hosts is bind-mounted by Docker: rewritten in place, never renamed over. Prints
# yes when an address moved.
refresh_hosts() {
  local host now was moved=no
  for host in "$@"; do
    now=$(getent -s dns hosts "$host" | awk '{print $1; exit}')
    was=$(getent -s files hosts "$host" | awk '{print $1; exit}')
    [ "$(hosts_entry_decision "$now" "$was")" = update ] || continue
    log "$host is at $now now (was ${was:-not in /etc/hosts}): updating /etc/hosts" >&2
    hosts_with_entry "$host" "$now" < /etc/hosts > /tmp/pgha-hosts
    cat /tmp/pgha-hosts > /etc/hosts
    moved=yes
  done
  printf '%s' "$moved"
}

# pgpool holds backend connections in every child, its health check and streaming
# replication check workers, and its primary in its main process. After a full-cluster
# restart moved every node's address (another node may hold a node's old one by now),
# children kept getting another server's answers ("kind does not match between main(0)
# slot[0]") and no app query passed for 120 s, in 2 of 7 runs; SIGUSR1 to the children and
# the /etc/hosts refresh alone did not cure it. A restart with -D (the entrypoint starts
# pgpool again when it exits) rebuilds all of it from the current addresses; it drops the
# sessions through this router, as a primary failover through pgpool does anyway.
restart_pending=no
restart_pgpool() {
  local pid
  pid=$(cat /var/run/pgpool/pgpool.pid 2>/dev/null) || return 0
  log "backend addresses moved: restarting pgpool so that no connection to an old address survives"
  kill -INT "$pid" 2>/dev/null || true   # fast shutdown; the entrypoint starts it again
}

# One round: pgpool's view of its backends (pcp_health_check_stats, read by field name),
# each backend's latest answer, then the actions reconcile_plan (pgpool-decide.sh) draws
# from the two, in order.
# b_* hold pgpool's view, indexed by backend number. A round starts every second, or at
# once when a watcher has seen a node turn primary.
while :; do
  if [ "$woken" = no ]; then sleep 1 & wait $!; fi
  woken=no
  info=$(for ((n = 0; n < BACKENDS; n++)); do pcp pcp_health_check_stats -n "$n" -v || exit 1; done 2>/dev/null) || continue
  b_host=(); b_port=(); b_status=(); b_status_name=(); b_role=()
  while read -r i h p st nm rl; do
    [ -n "$i" ] || continue
    b_host[i]=$h; b_port[i]=$p; b_status[i]=$st; b_status_name[i]=$nm; b_role[i]=$rl
  done < <(pcp_stats_rows <<< "$info")
  watch_backends "${!b_host[@]}"
  moved=$(refresh_hosts "${b_host[@]}")
  case "$(address_restart_decision "$moved" "$restart_pending")" in
    wait) restart_pending=yes; continue ;;
    restart) restart_pending=no; restart_pgpool; continue ;;
  esac
  # pgpool moved its main node off a standby and left it up (main_moved_node): no new
  # session passes until a failover sets the main node again, and detaching the node is one.
  # A note is taken by renaming it: one the tap writes after that waits for the next round.
  for i in "${!b_host[@]}"; do
    mv -f "/tmp/pgha-main-moved-$i" /tmp/pgha-main-moved.taken 2>/dev/null || continue
    if [ "$(main_moved_decision "${b_status_name[i]}" "${b_role[i]}")" = detach ]; then
      log "pgpool moved its main node off node $i (${b_host[i]}), a standby it still has ${b_status_name[i]}, after a refused connection: detaching node $i, so that pgpool sets its main node again"
      pcp pcp_detach_node -n "$i" >/dev/null 2>&1 || log "pcp_detach_node $i failed"
    fi
  done
  # pgpool's idea of the primary against what the backends say: after a hung primary woke
  # and rejoined as a standby, pgpool was seen to keep sending writes to it. Without
  # --switchover, pcp_promote_node only moves pgpool's primary; it promotes nothing.
  # A primary pgpool marked down must be re-attached when the node it promoted instead
  # turned out to be a standby (seen after a full-cluster restart shuffled addresses).
  plan=$(for i in "${!b_host[@]}"; do
    printf '%s %s %s %s %s %s\n' "$i" "${b_status[i]}" "${b_status_name[i]}" "${b_role[i]}" "$(answer_of "$i")" "${missed[$i]:-0}"
  done | reconcile_plan "$HUNG_AFTER")
  while read -r action i arg; do
    case "$action" in
      retire)
        log "node $arg is the one primary and pgpool's primary, node $i (${b_host[i]}), answers nothing: detaching node $i, so that pgpool fails over to node $arg now"
        pcp pcp_detach_node -n "$i" >/dev/null 2>&1 || log "pcp_detach_node $i failed"
        ;;
      promote)
        log "pgpool takes node $arg for the primary, node $i is: telling pgpool"
        pcp pcp_promote_node -n "$i" >/dev/null 2>&1 || log "pcp_promote_node $i failed"
        ;;
      missed) missed[$i]=$arg ;;
      cut)
        log "cutting node $i (${b_host[i]}) off from pgpool: no answer for ${missed[$i]:-?} rounds in a row"
        cut_off "$i" "${b_host[i]}" "${b_port[i]}"
        ;;
      detach) pcp pcp_detach_node -n "$i" >/dev/null 2>&1 || log "pcp_detach_node $i failed" ;;
      restore) log "node $i (${b_host[i]}) answers again"; restore "$i" ;;
      attach)
        log "re-attaching node $i (${b_host[i]}, $arg): it serves but pgpool marked it down"
        pcp pcp_attach_node -n "$i" >/dev/null 2>&1 || log "pcp_attach_node $i failed"
        ;;
    esac
  done <<< "$plan"
done
