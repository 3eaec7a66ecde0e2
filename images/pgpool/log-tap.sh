#!/usr/bin/env bash
# pgpool's stderr, passed on to the container's log line for line. A line that says pgpool
# moved its main node off a standby it still has up (main_moved_node, pgpool-decide.sh) is
# noted for the reconciler, which is woken at once: until it detaches that node, every new
# session through this router fails.
# shellcheck source=decide.sh
. /usr/local/lib/pgha/pgpool-decide.sh
# It ends when pgpool's last process closes the pipe, not on the container's stop signal
# (tini sends it to the whole group): pgpool logs its shutdown into this pipe.
trap '' TERM INT HUP
while IFS= read -r line || [ -n "$line" ]; do
  printf '%s\n' "$line" >&2
  case "$line" in
    *"Update main node to"*)
      node=$(main_moved_node "$line")
      [ -n "$node" ] || continue
      printf '%s\n' "${EPOCHREALTIME/./}" > "/tmp/pgha-main-moved-$node.new" && mv -f "/tmp/pgha-main-moved-$node.new" "/tmp/pgha-main-moved-$node"
      kill -USR1 "$(cat /tmp/pgha-reconciler.pid 2>/dev/null)" 2>/dev/null || true
      ;;
  esac
done
