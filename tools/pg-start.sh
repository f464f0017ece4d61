#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the cluster profile's tests: 127.0.0.1:${PGPORT:-55432}, database, user and
# password "ctb", data under ${PGDATA_DIR:-/tmp/ctb-pg}. Installs Debian's postgresql package if no server is
# installed. Prints the three CLOSE_DB_* exports. Stop it with: tools/pg-start.sh stop
set -euo pipefail
PORT=${PGPORT:-55432}
DATA=${PGDATA_DIR:-/tmp/ctb-pg}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$BIN" || ! -x "$BIN/postgres" ]]; then
  echo "installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
# the server refuses to run as root: run it as the postgres user (or as whoever we are, when not root)
as_pg() { if [[ $(id -u) == 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [[ "${1:-}" == "stop" ]]; then
  as_pg "$BIN/pg_ctl -D $DATA stop -m fast" >&2 || true
  exit 0
fi
if ! as_pg "$BIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  rm -rf "$DATA"
  mkdir -p "$DATA"
  [[ $(id -u) == 0 ]] && chown postgres "$DATA"
  as_pg "$BIN/initdb -D $DATA -U postgres -A trust --no-sync" >/dev/null
  as_pg "$BIN/pg_ctl -D $DATA -l $DATA/server.log -w -o '-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200' start" >&2
  as_pg "$BIN/psql -h 127.0.0.1 -p $PORT -U postgres -qc \"CREATE USER ctb PASSWORD 'ctb'\"" >&2
  as_pg "$BIN/psql -h 127.0.0.1 -p $PORT -U postgres -qc 'CREATE DATABASE ctb OWNER ctb'" >&2
fi
echo "export CLOSE_DB_URL=jdbc:postgresql://127.0.0.1:$PORT/ctb"
echo "export CLOSE_DB_USER=ctb"
echo "export CLOSE_DB_PASSWORD=ctb"
