#!/bin/bash
# Starts one driver's client loop by name (DRIVER); every driver reads the same settings
# from the environment and prints one JSON line per event on stdout.
set -euo pipefail
: "${DRIVER:?set DRIVER}"
case "$DRIVER" in
  psycopg2) exec python3 -u /opt/clients/python/psycopg2_client.py ;;
  psycopg3) exec python3 -u /opt/clients/python/psycopg3_client.py ;;
  jdbc-hikari)
    exec java -Xmx96m -XX:+UseSerialGC \
      -cp /opt/clients/java:/usr/share/java/HikariCP.jar:/usr/share/java/postgresql.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar \
      Client ;;
  node-pg-documented) exec node /opt/clients/node/client.js documented ;;
  node-pg-hostlist) exec node /opt/clients/node/client.js hostlist ;;
  go-pgxpool) PGX_VERSION=$(cat /opt/clients/go/pgx-version) exec /opt/clients/go/pgx-client ;;
  *) echo "unknown DRIVER=$DRIVER" >&2; exit 2 ;;
esac
