# The pgpool reconciler's decisions, as pure functions. Sourced (by reconcile.sh), never run.
# Each takes its inputs as arguments or on stdin and prints its answer; none reads a global,
# a file or the network, and none sleeps, so decide.test.ts can try every case. reconcile.sh
# does the I/O (pcp, psql, iptables, /etc/hosts). See images/README.md.

# pcp_stats_rows: stdin is `pcp_health_check_stats -n N -v` for each backend, one after the
# other ("Name : value" lines, a block per backend starting with Node Id). Prints one line
# per backend: "<index> <host> <port> <status> <status name> <role>", fields read by name;
# status is pgpool's number for the name (1 waiting, 2 up, 3 down); role is pgpool's view.
# An empty or unknown field prints as "-". pgpool answers these from its shared memory;
# pcp_node_info also connects to every backend for its own answer, which took 0.5-1 s per
# dead node: a round read pgpool's view 2 s late while a killed primary was being replaced.
pcp_stats_rows() {
  awk '
    function field(k) { return (k in f && f[k] != "") ? f[k] : "-" }
    function flush() {
      if (n != "") {
        s = field("Status"); code = (s == "waiting") ? 1 : (s == "up") ? 2 : (s == "down") ? 3 : "-"
        print n, field("Host Name"), field("Port"), code, s, field("Role")
      }
    }
    BEGIN { n = "" }
    {
      i = index($0, ":"); if (i == 0) next
      k = substr($0, 1, i - 1); sub(/[ \t]+$/, "", k)
      v = substr($0, i + 1); sub(/^[ \t]+/, "", v); sub(/[ \t\r]+$/, "", v)
      if (k == "Node Id") { flush(); n = v; split("", f) }
      f[k] = v
    }
    END { flush() }'
}

# probe_role <host> <answer>: the answer is "<cluster_name> <primary|standby>" from the node
# at host's address. Prints the role only if the node that answered is the one asked for
# (its cluster_name is the host's first label): after a restart shuffled addresses, a stale
# /etc/hosts entry may point at another node. Nothing otherwise.
probe_role() {
  [ "${2%% *}" = "${1%%.*}" ] && printf '%s' "${2##* }"
  return 0
}

# hosts_entry_decision <address from DNS or empty> <address in /etc/hosts or empty>:
# update when DNS gives an address other than the file's, keep otherwise (a failed lookup
# keeps the entry: the DNS outage is what /etc/hosts is for).
hosts_entry_decision() {
  if [ -n "$1" ] && [ "$1" != "$2" ]; then echo update; else echo keep; fi
}

# hosts_with_entry <host> <address>: stdin is /etc/hosts; prints it with every line naming
# host removed and "<address>\t<host>" appended.
hosts_with_entry() {
  grep -vE "[[:space:]]$1([[:space:]]|\$)"
  printf '%s\t%s\n' "$2" "$1"
}

# iptables_for <address>: the iptables of the address's family. The cluster network is
# dual-stack and a backend's name resolves to IPv6 first; IPv4 iptables refuses an IPv6
# address, so a rule against a hung backend would never go in.
iptables_for() {
  case "$1" in *:*) echo ip6tables ;; *) echo iptables ;; esac
}

# ss_address <address>: the address as ss's filter takes it (an IPv6 one in brackets: ss
# reads a bare fd00:1::3 as a prefix and refuses it).
ss_address() {
  case "$1" in *:*) printf '[%s]\n' "$1" ;; *) printf '%s\n' "$1" ;; esac
}

# address_restart_decision <moved this round: yes|no> <a restart pending: yes|no>: after a
# backend's address moved, pgpool is restarted once the addresses have held still for a
# round (a full-cluster start moves them one node at a time, a second or so apart), so one
# restart covers every move. Prints restart, wait (a move is pending, or still going on)
# or none.
address_restart_decision() {
  if [ "$1" = yes ]; then echo wait
  elif [ "$2" = yes ]; then echo restart
  else echo none; fi
}

# fresh_answer <now, µs since the epoch> <oldest answer that still counts, µs>: stdin is a
# node watcher's last answer, "<when, µs since the epoch> <role or ->". Prints the role, or -
# when the answer is older than that (a hung node's watcher waits, it does not fail) or
# there is none.
fresh_answer() {
  local at role
  read -r at role || { echo -; return 0; }
  if [[ $at =~ ^[0-9]+$ ]] && [ -n "$role" ] && (( $1 - at <= $2 )); then echo "$role"; else echo -; fi
}

# reconcile_plan <rounds missed before a node is cut off>: stdin, one line per backend in
# pgpool's order: "<index> <status> <status name> <role> <probe> <missed>": pgpool's view
# (pcp_stats_rows), what the node itself answered (primary, standby, or - for no answer in
# time) and how many rounds in a row it had missed before this one. Prints the actions, in
# the order to take them:
#   retire <index pgpool takes for primary> <index>
#                       the one node that says it is primary is not pgpool's, and pgpool's
#                       primary answers nothing (killed, hung, cut off): detach pgpool's, so
#                       that pgpool fails over now and finds the new one at its first look
#                       (promote would also mark every standby down)
#   promote <index> <index pgpool takes for primary, or none>
#                       otherwise pgpool's primary moves to the one node that says it is
#                       primary, when pgpool does not take it for one and has not marked it
#                       down; neither while pgpool's primary is marked down (pgpool's own
#                       failover is under way)
#   missed <index> <count>   the node's new count of rounds missed in a row
#   cut <index>         no answer for that many rounds in a row: reset pgpool's connections
#   detach <index>      ... and detach it, unless pgpool marked it down already or it is
#                       pgpool's primary (retire, or pgpool's health check, detaches that)
#   restore <index>     a node that was cut off answers again: remove the cut
#   attach <index> <role>   pgpool marked down a node that serves: a standby always; a
#                       primary only while pgpool has no primary that says it is one, and
#                       only if it is the one writable node (never a second writer)
reconcile_plan() {
  local hung="$1" idx status name role probe missed believed='' sole='' writable=0 has_primary=''
  local -a order=() st=() nm=() pr=() ms=()
  while read -r idx status name role probe missed; do
    [ -n "$idx" ] || continue
    order+=("$idx"); st[idx]=$status; nm[idx]=$name; pr[idx]=$probe; ms[idx]=${missed:-0}
    [ -n "$believed" ] || [ "$role" != primary ] || believed=$idx
    if [ "$probe" = primary ]; then writable=$((writable + 1)); sole=$idx; fi
  done
  (( writable == 1 )) || sole=''
  # pgpool "has a primary" only if the node it takes for one is up and says it is one.
  if [ -n "$believed" ] && [ "${pr[believed]}" = primary ] && [ "${nm[believed]}" != down ]; then
    has_primary=yes
  fi
  # pgpool takes a node marked down for its primary only while its own failover runs (the
  # search for the new primary, after which it takes that one, or none): a promote then
  # would be queued behind it and fail over a second time, dropping every session again
  # (seen right after a retire).
  if [ -n "$sole" ] && [ "$sole" != "$believed" ] && [ "${nm[sole]}" != down ] && { [ -z "$believed" ] || [ "${nm[believed]}" != down ]; }; then
    if [ -n "$believed" ] && [ "${pr[believed]}" = - ]; then
      echo "retire $believed $sole"
    else
      echo "promote $sole ${believed:-none}"
    fi
  fi
  for idx in "${order[@]}"; do
    if [ "${pr[idx]}" = - ]; then
      echo "missed $idx $(( ms[idx] + 1 ))"
      if (( ms[idx] + 1 == hung )); then
        echo "cut $idx"
        # pgpool's own primary is not detached for silence alone: that would start pgpool's
        # failover, and its once-a-second primary search, before repmgr promotes. A retire
        # detaches it once a successor answers; pgpool's health check if none comes.
        [ "${st[idx]}" = 3 ] || [ "$idx" = "$believed" ] || echo "detach $idx"
      fi
    else
      (( ms[idx] >= hung )) && echo "restore $idx"
      echo "missed $idx 0"
      if [ "${st[idx]}" = 3 ] && { [ "${pr[idx]}" = standby ] || { [ "${pr[idx]}" = primary ] && [ -z "$has_primary" ] && [ "$sole" = "$idx" ]; }; }; then
        echo "attach $idx ${pr[idx]}"
      fi
    fi
  done
  return 0
}

# main_moved_node <a line of pgpool's log>: the backend index in pgpool's "main node N is
# down. Update main node to M", nothing for any other line. A child that fails to connect to
# a standby pgpool counts as up (failover_on_backend_error off) marks it down in its own copy
# only, and if that standby is pgpool's main node (its first node up) moves the shared main
# node off it while pgpool still has it up: every session that reads the backends' statuses
# afresh then reads node N first where it expects the main node's answer, and fails ("kind
# does not match between main(0) slot[0]"), until a failover or failback sets the main node
# again. Seen in CI (ci23): both routers answered no new session for 3 minutes after a
# rejoined pg-1 refused one connection; reproduced with one refused connect.
main_moved_node() {
  [[ $1 =~ main\ node\ ([0-9]+)\ is\ down\.\ Update\ main\ node\ to\ [0-9-]+ ]] && printf '%s\n' "${BASH_REMATCH[1]}"
  return 0
}

# main_moved_decision <status name> <role>: pgpool moved its main node off a backend that it
# now shows as <status name>, <role>. Prints detach while pgpool still counts the node
# (up or waiting) and does not take it for its primary: a detach is a failover, which sets
# the main node from pgpool's statuses again; the node comes back by auto_failback or an
# attach once it answers. none otherwise: pgpool marked it down already, or a failover has
# made it the primary since, and either set the main node anew.
main_moved_decision() {
  if { [ "$1" = up ] || [ "$1" = waiting ]; } && [ "$2" != primary ]; then echo detach; else echo none; fi
}
