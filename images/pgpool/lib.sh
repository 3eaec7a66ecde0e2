# Shared helpers for the pgpool image's scripts. Sourced, never run.
log() { printf '[pgha %s %s] %s\n' "$(date -u +%H:%M:%S.%3N)" "${PROXY_NAME:-pgpool}" "$*"; }
die() { log "FATAL: $*" >&2; exit 64; }

PCP_PASS_FILE=/var/lib/postgresql/.pcppass
# Bounded as a whole: pgpool's worker for pcp_node_info asks every backend on an open
# connection, and one in flight when the primary froze never returned (39 s, until the
# unpause: CI at 531ee38), so that reconciler never cut the hung primary off. The reconciler
# reads pgpool's view from pcp_health_check_stats now, which asks no backend; the bound
# stays for whatever else may wait on pgpool.
pcp() { local cmd="$1"; shift; PCPPASSFILE="$PCP_PASS_FILE" timeout 3 "$cmd" -h localhost -p 9898 -U pcp -w "$@"; }
