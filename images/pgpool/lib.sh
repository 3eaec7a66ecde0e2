# Shared helpers for the pgpool image's scripts. Sourced, never run.
log() { printf '[pgha %s %s] %s\n' "$(date -u +%H:%M:%S.%3N)" "${PROXY_NAME:-pgpool}" "$*"; }
die() { log "FATAL: $*" >&2; exit 64; }

PCP_PASS_FILE=/var/lib/postgresql/.pcppass
pcp() { local cmd="$1"; shift; PCPPASSFILE="$PCP_PASS_FILE" "$cmd" -h localhost -p 9898 -U pcp -w "$@"; }
