# The reconciler's decisions as they were inline in reconcile.sh at 6722da1, before
# reconcile_plan, with the I/O replaced by the action it took (one line each, in
# reconcile_plan's words). decide.test.ts checks the two agree. Same stdin and argument
# as reconcile_plan; the probes come from an array instead of /tmp/pgha-role-* files and
# pcp_node_info's short form is rebuilt from the rows, then read by column as it was.
inline_plan() {
  local HUNG_AFTER="$1" info='' i st nm rl pr ms believed has_primary actual host port status r
  local -a probe=()
  local -A missed=()
  while read -r i st nm rl pr ms; do
    info+="pg-$((i + 1)) 5432 $st 0.250000 $nm up $rl $rl 0 none none 2026-11-30 06:02:45"$'\n'
    probe[i]=${pr#-}; missed[$i]=$ms
  done
  info=${info%$'\n'}
  believed=$(awk '$7 == "primary" { print NR - 1; exit }' <<< "$info")
  has_primary=
  if [ -n "$believed" ] && [ "${probe[believed]}" = primary ] \
     && awk -v n="$((believed + 1))" 'NR == n && $5 != "down" { ok = 1 } END { exit !ok }' <<< "$info"; then
    has_primary=yes
  fi
  actual=$(for i in "${!probe[@]}"; do [ "${probe[i]}" = primary ] && echo "$i"; done)
  if [ -n "$actual" ] && [ "$(wc -w <<< "$actual")" = 1 ] && [ "$actual" != "$believed" ] \
     && awk -v n="$((actual + 1))" 'NR == n && $5 != "down" { ok = 1 } END { exit !ok }' <<< "$info"; then
    echo "promote $actual ${believed:-none}"
  fi
  i=0
  while read -r host port status _rest; do
    r=${probe[i]}
    if [ -z "$r" ]; then
      missed[$i]=$(( ${missed[$i]:-0} + 1 ))
      echo "missed $i ${missed[$i]}"
      if (( missed[$i] == HUNG_AFTER )); then
        echo "cut $i"
        [ "$status" = 3 ] || echo "detach $i"
      fi
    else
      (( ${missed[$i]:-0} >= HUNG_AFTER )) && echo "restore $i"
      missed[$i]=0
      echo "missed $i 0"
      if [ "$status" = 3 ] && { [ "$r" = standby ] || { [ "$r" = primary ] && [ -z "$has_primary" ] && [ "$actual" = "$i" ]; }; }; then
        echo "attach $i $r"
      fi
    fi
    i=$((i + 1))
  done <<< "$info"
  return 0
}
