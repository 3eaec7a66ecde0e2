#!/bin/bash
# Fills the committed proxysql.cnf.template from the environment, refuses weak or missing
# secrets, then runs ProxySQL in the foreground as the container's main process.
#
# PGHA_RENDER_ONLY=1 stops after rendering (exit 0) so unit tests can check the refusal
# and the escaping without a ProxySQL binary; PGHA_TEMPLATE / PGHA_CONFIG_OUT move the
# input and output files for the same reason.
set -euo pipefail

template=${PGHA_TEMPLATE:-/etc/proxysql.cnf.template}
output=${PGHA_CONFIG_OUT:-/etc/proxysql.cnf}

die() {
  echo "proxysql entrypoint: $*" >&2
  exit 64
}

# The published defaults of the cluster this image replaces, plus ProxySQL's own.
# Kept equal to KNOWN_DEFAULT_PASSWORDS in fixtures/lint/config-lint.ts by a unit test.
known_defaults=('L0ngS3cur3P@ssw0rd' 'postgrespass' 'repmgrpass' 'admin' 'monitor')

check_secret() {
  local name=$1 value=$2 d
  [[ -n $value ]] || die "$name is missing or empty: set it to a strong secret"
  for d in "${known_defaults[@]}"; do
    [[ $value != "$d" ]] || die "$name is a published default password: set it to a strong secret"
  done
  [[ $value != *[[:cntrl:]]* ]] || die "$name contains a control character (newline, tab, ...): ProxySQL's config file cannot carry it"
}

# MONITOR_PASSWORD is repmgr's password (the monitor logs in as repmgr): accept either name.
monitor=${MONITOR_PASSWORD:-}
repmgr=${REPMGR_PASSWORD:-}
if [[ -n $monitor && -n $repmgr && $monitor != "$repmgr" ]]; then
  die "MONITOR_PASSWORD and REPMGR_PASSWORD differ: the monitor user is repmgr, set one of them"
fi
monitor=${monitor:-$repmgr}

app_password=${APP_PASSWORD:-}
admin_password=${PROXYSQL_ADMIN_PASSWORD:-}
check_secret APP_PASSWORD "$app_password"
check_secret 'MONITOR_PASSWORD (or REPMGR_PASSWORD)' "$monitor"
check_secret PROXYSQL_ADMIN_PASSWORD "$admin_password"

# admin_credentials is "user:password;user:password": these two would split it.
[[ $admin_password != *[:\;]* ]] || die "PROXYSQL_ADMIN_PASSWORD must not contain ':' or ';' (they separate admin_credentials)"
# ProxySQL 3.0's config loader has copied *_variables values into a double-quoted SQL
# string without escaping (lib/ProxySQL_Config.cpp, Read_Global_Variables_from_configfile):
# a '"' there would break the load, so refuse it rather than start half-configured.
[[ $monitor != *\"* ]] || die "MONITOR_PASSWORD (or REPMGR_PASSWORD) must not contain '\"' (ProxySQL's config loader cannot carry it)"
[[ $admin_password != *\"* ]] || die "PROXYSQL_ADMIN_PASSWORD must not contain '\"' (ProxySQL's config loader cannot carry it)"

app_user=${APP_USER:-app}
[[ $app_user =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "APP_USER must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)"
# Clients each router takes; over it ProxySQL answers SQLSTATE 53300. The default is
# ROUTER_FLAVORS.proxysql.defaultMaxClients in fixtures/router-flavors.ts (a unit test keeps them equal).
max_clients=${ROUTER_MAX_CLIENTS:-10000}
[[ $max_clients =~ ^[1-9][0-9]{0,6}$ ]] || die "ROUTER_MAX_CLIENTS must be a whole number from 1 to 9999999"
suffix=${POSTGRES_HOST_SUFFIX:-}
[[ $suffix =~ ^[A-Za-z0-9.-]*$ ]] || die "POSTGRES_HOST_SUFFIX may only hold letters, digits, '.' and '-'"

# A value inside a libconfig "..." string: backslash and double quote are escaped.
cfg_escape() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '%s' "$s"
}

# pgsql_users.password is spliced by the loader into a single-quoted SQL literal
# (INSERT ... VALUES ('%s', '%s', ...), unescaped): double each ' so it arrives intact.
sql_quote() {
  local s=$1
  printf '%s' "${s//\'/\'\'}"
}

declare -A values=(
  [POSTGRES_HOST_SUFFIX]=$suffix
  [ROUTER_MAX_CLIENTS]=$max_clients
  [APP_USER]=$app_user
  [APP_PASSWORD]=$(cfg_escape "$(sql_quote "$app_password")")
  [MONITOR_PASSWORD]=$(cfg_escape "$monitor")
  [PROXYSQL_ADMIN_PASSWORD]=$(cfg_escape "$admin_password")
)

[[ -r $template ]] || die "template $template is missing"
rest=$(<"$template")$'\n'

# One pass, left to right: a value that itself looks like ${NAME} is never expanded again,
# and bash's pattern replacement (where & is special in 5.2) is not used on values.
out=''
pattern='\$\{(POSTGRES_HOST_SUFFIX|ROUTER_MAX_CLIENTS|APP_USER|APP_PASSWORD|MONITOR_PASSWORD|PROXYSQL_ADMIN_PASSWORD)\}'
while [[ $rest =~ $pattern ]]; do
  match=${BASH_REMATCH[0]}
  out+=${rest%%"$match"*}
  out+=${values[${BASH_REMATCH[1]}]}
  rest=${rest#*"$match"}
done
out+=$rest

umask 077
printf '%s' "$out" >"$output"

if [[ ${PGHA_RENDER_ONLY:-} == 1 ]]; then
  exit 0
fi

# --initial: the config file wins over any proxysql.db left in the datadir by a previous start.
exec proxysql -f --idle-threads -c "$output" -D /var/lib/proxysql --initial "$@"
