# The pgpool reconciler's decisions, as pure functions. Sourced (by reconcile.sh), never run.
# Each takes its inputs as arguments or on stdin and prints its answer; none reads a global,
# a file or the network, and none sleeps, so decide.test.ts can try every case. reconcile.sh
# does the I/O (pcp, psql, iptables, /etc/hosts). See images/README.md.

# pcp_node_rows: stdin is `pcp_node_info -a -v` (pgpool 4.3 and later: "Name : value" lines,
# one block per backend, each starting with Hostname). Prints one line per backend, in
# pgpool's order: "<index> <host> <port> <status> <status name> <role>", fields read by
# name, so a column pgpool adds moves nothing (4.3 put two in the middle of the short form).
# status: 1 or 2 up, 3 down; status name: waiting, up, down...; role: pgpool's view of it.
# An empty field prints as "-".
pcp_node_rows() {
  awk '
    function field(k) { return (k in f && f[k] != "") ? f[k] : "-" }
    function flush() {
      if (n >= 0) print n, field("Hostname"), field("Port"), field("Status"), field("Status Name"), field("Role")
    }
    BEGIN { n = -1 }
    {
      i = index($0, ":"); if (i == 0) next
      k = substr($0, 1, i - 1); sub(/[ \t]+$/, "", k)
      v = substr($0, i + 1); sub(/^[ \t]+/, "", v); sub(/[ \t\r]+$/, "", v)
      if (k == "Hostname") { flush(); n++; split("", f) }
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

# reconcile_plan <probes missed before a node is cut off>: stdin, one line per backend in
# pgpool's order: "<index> <status> <status name> <role> <probe> <missed>": pgpool's view
# (pcp_node_rows), what the node itself answered (primary, standby, or - for no answer in
# time) and how many probes in a row it had missed before this one. Prints the actions, in
# the order to take them:
#   promote <index> <index pgpool takes for primary, or none>
#                       pgpool's primary moves to the one node that says it is primary, when
#                       pgpool does not take it for one and has not marked it down
#   missed <index> <count>   the node's new count of probes missed in a row
#   cut <index>         no answer to that many probes in a row: reset pgpool's connections
#   detach <index>      ... and detach it, unless pgpool marked it down already
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
  if [ -n "$sole" ] && [ "$sole" != "$believed" ] && [ "${nm[sole]}" != down ]; then
    echo "promote $sole ${believed:-none}"
  fi
  for idx in "${order[@]}"; do
    if [ "${pr[idx]}" = - ]; then
      echo "missed $idx $(( ms[idx] + 1 ))"
      if (( ms[idx] + 1 == hung )); then
        echo "cut $idx"
        [ "${st[idx]}" = 3 ] || echo "detach $idx"
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
