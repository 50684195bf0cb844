#!/usr/bin/env bash
# PostgreSQL from Debian's packages, bound to 127.0.0.1, for the tests and for people.
#   deploy/local/postgres.sh up      install if needed, start, create the netcds role; prints export lines
#   deploy/local/postgres.sh down    stop the cluster
#   deploy/local/postgres.sh env     print export lines only (cluster already up)
set -euo pipefail
. "$(dirname "$0")/common.sh"

PORT="${NETCDS_POSTGRES_PORT:-5432}"

cluster() { pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1, $2}'; }

env_lines() {
  local password; password="$(local_secret postgres)"
  echo "export ConnectionStrings__Store='Host=127.0.0.1;Port=$PORT;Username=netcds;Password=$password;Database=netcds'"
  echo "export NETCDS_TEST_POSTGRES='Host=127.0.0.1;Port=$PORT;Username=netcds;Password=$password;Database=postgres'"
}

up() {
  apt_install postgresql
  read -r version name <<<"$(cluster)"
  if [ -z "${version:-}" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"; name=main
    as_root pg_createcluster "$version" "$name" >&2
  fi
  # Our settings in conf.d (included last by Debian's postgresql.conf), so the package's file stays untouched.
  as_root pg_conftool "$version" "$name" remove listen_addresses 2>/dev/null || true
  as_root mkdir -p "/etc/postgresql/$version/$name/conf.d"
  printf "listen_addresses = '127.0.0.1'\nport = %s\n" "$PORT" | as_root tee "/etc/postgresql/$version/$name/conf.d/netcds.conf" >/dev/null
  if ! pg_lsclusters --no-header | awk -v v="$version" -v n="$name" '$1==v && $2==n {print $4}' | grep -q online; then
    log "starting PostgreSQL $version/$name on 127.0.0.1:$PORT"
    without_inherited_fds as_root pg_ctlcluster "$version" "$name" start >&2
  fi
  wait_for "PostgreSQL" 30 pg_isready -h 127.0.0.1 -p "$PORT"
  local password; password="$(local_secret postgres)"
  as_root runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -q >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'netcds') THEN
    CREATE ROLE netcds LOGIN CREATEDB PASSWORD '$password';
  ELSE
    ALTER ROLE netcds LOGIN CREATEDB PASSWORD '$password';
  END IF;
END \$\$;
SQL
  as_root runuser -u postgres -- psql -p "$PORT" -tAc "SELECT 1 FROM pg_database WHERE datname='netcds'" | grep -q 1 \
    || as_root runuser -u postgres -- createdb -p "$PORT" -O netcds netcds >&2
  env_lines
}

down() {
  read -r version name <<<"$(cluster)"
  [ -n "${version:-}" ] && as_root pg_ctlcluster "$version" "$name" stop >&2 || true
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  env) env_lines ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
