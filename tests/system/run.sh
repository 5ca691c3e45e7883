#!/usr/bin/env bash
# Runs the system tests against a real hrapp binary, on SQLite and then on PostgreSQL 15:
#   tests/system/run.sh <path-to-hrapp>
# Installs what is missing (sqlite3, postgresql-15, the npm packages), starts one throwaway
# PostgreSQL cluster on a free loopback port and always stops it. Every app instance gets its
# own data folder and its own database. *.test.mjs run on both engines; *.pgtest.mjs need
# PostgreSQL (and stop and start the cluster), so they run alone, after the others.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <path-to-hrapp>" >&2
  exit 2
fi
hrapp=$(realpath "$1")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

pg_bin=/usr/lib/postgresql/15/bin
missing=()
command -v sqlite3 >/dev/null || missing+=(sqlite3)
[[ -x $pg_bin/initdb ]] || missing+=(postgresql-15)
if ((${#missing[@]})); then
  echo "system tests: installing ${missing[*]}" >&2
  apt-get -o DPkg::Lock::Timeout=600 update >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}" >&2
fi
if [[ ! -d node_modules/fast-check ]]; then
  npm ci --no-audit --no-fund >&2
fi

work=$(mktemp -d)
chmod 755 "$work" # the postgres user must reach its cluster folder inside
pg_data="$work/pg"
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if [[ -f $pg_data/postmaster.pid ]]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

mkdir "$pg_data"
if [[ $EUID -eq 0 ]]; then chown postgres: "$pg_data"; fi
as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust --no-sync >"$work/initdb.log"
pg_port=$(free_port)
pg_options="-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -w -l "$pg_data/server.log" -o "$pg_options" start >/dev/null
echo "system tests: PostgreSQL 15 on 127.0.0.1:$pg_port" >&2

mkdir "$work/tmp"
export HRAPP_BIN="$hrapp" HRAPP_TEST_TMP="$work/tmp"
export HRAPP_PG_BIN="$pg_bin" HRAPP_PG_DATA="$pg_data" HRAPP_PG_PORT="$pg_port" HRAPP_PG_OPTIONS="$pg_options"

node_test=(node --test --test-reporter=spec --test-timeout=180000)
status=0
for engine in sqlite postgres; do
  echo "system tests: engine $engine" >&2
  HRAPP_DB=$engine "${node_test[@]}" --test-concurrency=2 tests/system/*.test.mjs || status=1
done
echo "system tests: PostgreSQL faults and schema" >&2
HRAPP_DB=postgres "${node_test[@]}" --test-concurrency=1 tests/system/*.pgtest.mjs || status=1
exit $status
