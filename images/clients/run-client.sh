#!/bin/bash
# Starts one driver's client loop by name (DRIVER); every driver reads the same settings
# from the environment and prints one JSON line per event on stdout.
set -euo pipefail
: "${DRIVER:?set DRIVER}"
# The Debian packages each driver came from, as one JSON line: the drivers' own version
# strings do not always say (Debian's HikariCP jar names none; psycopg_pool says a dev tag).
packages() {
  local list
  list=$(dpkg-query -W -f='${Package} ${Version}\n' "$@" | paste -sd, | sed 's/,/, /g')
  printf '{"ev":"packages","list":"%s"}\n' "$list"
}
case "$DRIVER" in
  psycopg2) packages python3-psycopg2 libpq5; exec python3 -u /opt/clients/python/psycopg2_client.py ;;
  psycopg3) packages python3-psycopg python3-psycopg-pool libpq5; exec python3 -u /opt/clients/python/psycopg3_client.py ;;
  jdbc-hikari)
    packages libpostgresql-jdbc-java libhikaricp-java
    HIKARICP_VERSION=$(dpkg-query -W -f='${Version}' libhikaricp-java) exec java -Xmx96m -XX:+UseSerialGC \
      -cp /opt/clients/java:/usr/share/java/HikariCP.jar:/usr/share/java/postgresql.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar \
      Client ;;
  node-pg-documented) packages nodejs; exec node /opt/clients/node/client.js documented ;;
  node-pg-hostlist) packages nodejs; exec node /opt/clients/node/client.js hostlist ;;
  go-pgxpool) printf '{"ev":"packages","list":"golang-github-jackc-pgx-v4-dev %s (built in)"}\n' "$(cat /opt/clients/go/pgx-version)"; PGX_VERSION=$(cat /opt/clients/go/pgx-version) exec /opt/clients/go/pgx-client ;;
  *) echo "unknown DRIVER=$DRIVER" >&2; exit 2 ;;
esac
