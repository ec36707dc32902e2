#!/usr/bin/env bash
# Starts or stops a private, throw-away PostgreSQL cluster on a loopback port.
#   scripts/pg-cluster.sh start DIR PORT   -> prints the DATABASE_URL
#   scripts/pg-cluster.sh replica DIR PORT PRIMARY_PORT -> a streaming replica of that cluster; prints its URL
#   scripts/pg-cluster.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    port=${3:?port}
    mkdir -p "$dir"
    [ "$(id -u)" = "0" ] && chown postgres "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U liaison --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
    as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U liaison liaison
    echo "postgres://liaison@127.0.0.1:$port/liaison"
    ;;
  replica)
    # A streaming replica of the cluster on PRIMARY_PORT: a base backup with its standby settings
    # (-R), started read-only on PORT. Prints its DATABASE_URL.
    port=${3:?port}
    primary_port=${4:?primary port}
    mkdir -p "$dir"
    [ "$(id -u)" = "0" ] && chown postgres "$dir"
    as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U liaison -D "$dir/data" -R -X stream --checkpoint=fast >"$dir/basebackup.log" 2>&1
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c hot_standby=on -c fsync=off -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
    echo "postgres://liaison@127.0.0.1:$port/liaison"
    ;;
  stop)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
    ;;
esac
