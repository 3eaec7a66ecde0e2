# The postgres image's failover decisions, as pure functions. Sourced (by lib.sh), never run.
# Each takes its inputs as arguments (lists on stdin, one item a line) and answers with its
# exit status (a yes/no question) or a word on stdout; none reads a global, the clock, a
# file or the network, and none sleeps, so decide.test.ts can try every case. The scripts
# that call them (elect.sh, fence.sh, entrypoint.sh, promote.sh) do the I/O. See
# images/README.md for which actor asks which question, and when.

# elapsed_reached <since ms> <now ms> <bound ms>: whether a wait that began at `since` has
# lasted the bound.
elapsed_reached() { (( $2 - $1 >= $3 )); }

# ---- election ---------------------------------------------------------------------------

# newest_primary: stdin "<timeline> <host> <registered>" for each writable peer. Prints the
# host on the newest timeline, registered or not (a node that finds one must never start as
# a second primary), nothing for no input.
newest_primary() { sort -n -k1,1 | tail -n 1 | cut -d' ' -f2; }

# elect_candidate: stdin "<timeline> <lsn as a number> <priority> <host>", one line per data
# node that answered. Prints the line of the node to promote: the newest timeline, then the
# furthest WAL position, then the highest priority, as repmgr does (a full tie goes to the
# host name that sorts last). Prints an empty line for no input.
elect_candidate() { sort -k1,1n -k2,2n -k3,3n | tail -n 1; }

# quorum_ok <visible> <total>: whether more than half of the repmgr nodes (data nodes and
# the witness) answer. 3 of 5 is a majority, 2 of 4 is not.
quorum_ok() { (( $1 * 2 > $2 )); }

# election_may_count <answered> <data nodes> <waited s> <grace s>: whether the positions in
# hand may elect: every data node answered, or the grace period passed (after a full stop
# the nodes come back one by one, and the first majority may lack the newest data).
election_may_count() { (( $1 >= $2 || $3 >= $4 )); }

# election_outcome <elected line or empty> <this node's host>: promote (this node has the
# newest data), wait (another node has it; it is to be promoted) or none (no election yet).
election_outcome() {
  if [ -z "$1" ]; then echo none
  elif [ "${1##* }" = "$2" ]; then echo promote
  else echo wait; fi
}

# ---- boot and repmgrd's supervisor ------------------------------------------------------

# restart_decision <writable peer or empty> <standby.signal present: yes|no>: what a data
# node restarted with its data does. rejoin (a peer is primary: never a second one),
# start-standby (it was a standby), elect (it was a primary and no peer is writable: start
# read-only and elect the node with the newest data).
restart_decision() {
  if [ -n "$1" ]; then echo rejoin
  elif [ "$2" = yes ]; then echo start-standby
  else echo elect; fi
}

# repair_decision <writable peer or empty> <attached to it: yes|no>: what a standby does
# when its repmgrd exited. attached (just restart repmgrd), follow (the primary lives but
# does not stream to this node), elect (no writable peer: hold repmgrd's election).
repair_decision() {
  if [ -z "$1" ]; then echo elect
  elif [ "$2" = yes ]; then echo attached
  else echo follow; fi
}

# ---- synchronous replication --------------------------------------------------------

# synchronous_names <mode: off|any1> <witness: true|false> <host suffix>: stdin the data
# nodes' host names, one a line. Prints the synchronous_standby_names value a node's
# PostgreSQL runs with: empty (asynchronous, and always on the witness, which has no
# standby: its own commits, the roles and repmgr's copy of the metadata, would wait for
# ever), or ANY 1 of the data nodes' names, quoted (a bare pg-1 is no identifier:
# PostgreSQL refused to start on it) and without the host suffix (a standby's
# application_name is its cluster_name, the bare node name). A primary's own name in the
# list never counts: it streams to nobody but its standbys.
# Reads all of stdin whatever the mode: returning unread killed the writer of a pipe into
# it with SIGPIPE, and under pipefail the witness's entrypoint with it (exit 141, 1 boot in 2).
synchronous_names() {
  local host names=()
  while read -r host; do
    [ -n "$host" ] || continue
    [ -z "$3" ] || host="${host%"$3"}"
    names+=("\"$host\"")
  done
  [ "$1" = any1 ] && [ "$2" != true ] && (( ${#names[@]} )) || return 0
  local IFS=,
  printf 'ANY 1 (%s)' "${names[*]}"
}

# ---- fencing ----------------------------------------------------------------------------

# freeze_decision <fenced: true|false> <ms overslept> <freeze bound ms> <standby.signal
# present: yes|no>: fence when a running primary's half-second sleep took longer than the
# bound (docker pause, SIGSTOP: a standby may have been promoted meanwhile), else stay.
freeze_decision() {
  if [ "$1" != true ] && (( $2 > $3 )) && [ "$4" != yes ]; then echo fence; else echo stay; fi
}

# isolation_decision <armed: true|false> <last seen ms> <now ms> <fence delay ms>: what a
# primary that sees neither the witness nor any standby does. unarmed (no peer was ever
# seen: the first node of a first boot is alone, not cut off), fence (alone for the fence
# delay, counted from the last answer) or wait.
isolation_decision() {
  if [ "$1" != true ]; then echo unarmed
  elif elapsed_reached "$2" "$3" "$4"; then echo fence
  else echo wait; fi
}

# stale_primary_decision <this node's timeline>: stdin "<timeline> <host> <registered>" for
# each writable peer. Prints the host of the first peer on a newer timeline (this primary is
# stale: it steps down and rejoins that one), nothing when there is none.
stale_primary_decision() {
  local mine="$1" tl host _registered
  [ -n "$mine" ] || return 0
  while read -r tl host _registered; do
    [ -n "$host" ] && [ "$tl" -gt "$mine" ] && { printf '%s' "$host"; return 0; }
  done
  return 0
}

# fenced_recovery_decision <writable peer or empty> <other data nodes answering as standbys>
# <other data nodes>: what a fenced node does once peers answer again. rejoin (a failover
# happened: another node is primary now), start-primary (every other data node answers, as
# a standby: none happened, it starts again as the primary it was) or wait. Links come
# back one at a time: a fenced primary that saw the witness and a standby but not yet the
# primary a failover had made took itself for the only one and was writable beside it for
# 0.6 s (CI at 6c78b4f, the refusing cut). A data node that stays silent is waited for;
# if it is gone for good, the standbys promote one of themselves, which this node then
# rejoins.
fenced_recovery_decision() {
  if [ -n "$1" ]; then echo rejoin
  elif [ "$2" -ge "$3" ]; then echo start-primary
  else echo wait; fi
}

# detached_standby_decision <streaming: yes|no> <detached since ms> <now ms> <bound ms>:
# what a running standby does. streaming (attached to the primary, or no primary to attach
# to, or repmgr busy with it: clear the timer), wait, or rejoin (the primary has not seen it
# streaming for the bound).
detached_standby_decision() {
  if [ "$1" = yes ]; then echo streaming
  elif elapsed_reached "$2" "$3" "$4"; then echo rejoin
  else echo wait; fi
}

# ---- promote guard ----------------------------------------------------------------------

# promote_guard_decision <witness's answer>: refuse while the witness reaches a writable
# primary right now (a count of 1 or more); promote otherwise: 0, no answer, an error or a
# timeout (a dead witness must not stop a failover).
promote_guard_decision() { if [[ "$1" =~ ^[1-9] ]]; then echo refuse; else echo promote; fi; }

# promote_exec_at_ms <started ms> <promote delay ms> <probe ms>: when the promote command
# hands over to `repmgr standby promote`. Its search for a live primary connects to the old
# primary first and costs what the probe of it cost, so it starts that much before the end
# of the delay and the promotion lands at the end; never before the promote command began.
promote_exec_at_ms() { echo $(( $1 + $2 - ($3 < $2 ? $3 : $2) )); }

# ---- repmgrd's requests -----------------------------------------------------------------

# stalled_requests <daemon> <bound ms> <peer address>...: stdin `ss -tnpiOH state established`
# (one socket a line, as the daemon's own user so each line names its process). Prints
# "<local> <peer> <ms>" for each socket of <daemon> to one of the peer addresses (`*`: to any
# peer) whose last data out has gone unanswered (sent after the last data in, nothing
# unread) for at least the bound. A frozen peer's kernel still acknowledges packets, so
# neither keepalives nor tcp_user_timeout end such a wait, and libpq bounds only the
# connect: a repmgrd whose query to the primary was in flight when the primary hung waited
# for it forever, elected by its siblings and never promoting.
stalled_requests() {
  local daemon="$1" bound="$2"
  shift 2
  awk -v daemon="\"$daemon\"" -v bound="$bound" -v peers="$*" '
    BEGIN { n = split(peers, list, " "); for (i = 1; i <= n; i++) watched[list[i]] = 1 }
    function host(a) { sub(/:[0-9]+$/, "", a); gsub(/[][]/, "", a); return a }
    index($0, "users:((" daemon ",") && (("*" in watched) || (host($4) in watched)) {
      snd = ""; rcv = ""
      for (i = 5; i <= NF; i++) {
        if ($i ~ /^lastsnd:/) snd = substr($i, 9) + 0
        else if ($i ~ /^lastrcv:/) rcv = substr($i, 9) + 0
      }
      if ($1 == 0 && snd != "" && rcv != "" && rcv > snd && snd >= bound) print $3, $4, snd
    }'
}
