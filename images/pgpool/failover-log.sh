#!/usr/bin/env bash
# pgpool's failover_command. repmgr promotes; pgpool only records that it saw a node go.
. /usr/local/lib/pgha/pgpool-lib.sh
log "pgpool detached node $1 ($2); old primary id $3, new main node $4 ($5)"
