#!/usr/bin/env bash
# Runs the AWS system tests against a real hrapp binary:
#   tests/aws/run.sh <path-to-hrapp>
# Installs what is missing (postgresql-15, the npm packages), starts one throwaway PostgreSQL 15
# cluster on a free loopback port and always stops it. The superuser connects without a
# password (the tests' own SQL); every other role must give its password, as on RDS, so a
# changed password really locks out whoever still uses the old one. The fakes of S3, Secrets
# Manager and instance metadata are started by the tests themselves, on port 0.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <path-to-hrapp>" >&2
  exit 2
fi
hrapp=$(realpath "$1")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

pg_bin=/usr/lib/postgresql/15/bin
if [[ ! -x $pg_bin/initdb ]]; then
  echo "aws tests: installing postgresql-15" >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y postgresql-15 >&2
fi
if [[ ! -d node_modules/s3rver || ! -d node_modules/@smithy/signature-v4 ]]; then
  npm ci --no-audit --no-fund >&2
fi

work=$(mktemp -d)
chmod 755 "$work" # the postgres user must reach its cluster folder inside
pg_data="$work/pg"
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
[[ $EUID -eq 0 ]] && chown postgres: "$pg_data"
as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust --no-sync >"$work/initdb.log"
cat >"$pg_data/pg_hba.conf" <<'EOF'
local all all                     trust
host  all postgres 127.0.0.1/32   trust
host  all all      127.0.0.1/32   scram-sha-256
EOF
pg_port=$(free_port)
pg_options="-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -w -l "$pg_data/server.log" -o "$pg_options" start >/dev/null
echo "aws tests: PostgreSQL 15 on 127.0.0.1:$pg_port" >&2

mkdir "$work/tmp"
export HRAPP_BIN="$hrapp" HRAPP_TEST_TMP="$work/tmp" HRAPP_DB=postgres
export HRAPP_PG_BIN="$pg_bin" HRAPP_PG_DATA="$pg_data" HRAPP_PG_PORT="$pg_port" HRAPP_PG_OPTIONS="$pg_options"

node --test --test-reporter=spec --test-timeout=180000 --test-concurrency=2 tests/aws/
