#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL 15 cluster on a free loopback port, and always
# stops the cluster after:   tests/with-postgres.sh <command...>
# The command sees HRAPP_TEST_POSTGRES_URL (superuser, database "postgres"), for tests that
# stop and start the cluster HRAPP_PG_BIN, HRAPP_PG_DATA, HRAPP_PG_PORT, HRAPP_PG_OPTIONS, and
# HRAPP_TEST_TMP, a scratch folder removed with the cluster.
# HRAPP_PG_TLS=1 also serves TLS with a certificate for "localhost" from a test CA: the command
# sees HRAPP_TEST_PG_CA (that CA) and HRAPP_TEST_PG_OTHER_CA (a CA that signed nothing).
set -euo pipefail
(($#)) || { echo "usage: $0 <command...>" >&2; exit 2; }

pg_bin=/usr/lib/postgresql/15/bin
if [[ ! -x $pg_bin/initdb ]]; then
  echo "with-postgres: installing postgresql-15" >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y postgresql-15 >&2
fi

work=$(mktemp -d)
chmod 755 "$work"  # the postgres user must reach its cluster folder inside
pg_data="$work/pg"
as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  if [[ -f $pg_data/postmaster.pid ]]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

mkdir "$pg_data"
if [[ $EUID -eq 0 ]]; then chown postgres: "$pg_data"; fi
# UTF-8, as RDS makes its databases (with the C locale initdb would make SQL_ASCII ones).
as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$work/initdb.log"
# The superuser connects without a password (the tests' own SQL); every other role must give
# its password, as on RDS, so a changed password really locks out whoever still uses the old one.
cat >"$pg_data/pg_hba.conf" <<'HBA'
local all all                     trust
host  all postgres 127.0.0.1/32   trust
host  all all      127.0.0.1/32   scram-sha-256
HBA
pg_port=$(free_port)
pg_options="-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
if [[ ${HRAPP_PG_TLS:-} == 1 ]]; then
  tls="$work/tls"
  mkdir "$tls"
  new_key() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" -keyout "$tls/$1.key" "${@:3}"; }
  new_key ca 'hrapp test CA' -x509 -days 2 -out "$tls/ca.pem" 2>/dev/null
  new_key other-ca 'another test CA' -x509 -days 2 -out "$tls/other-ca.pem" 2>/dev/null
  new_key server localhost -out "$tls/server.csr" 2>/dev/null
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -set_serial 1 -days 2 \
    -extfile <(printf 'subjectAltName=DNS:localhost\n') -out "$tls/server.pem" 2>/dev/null
  chmod 600 "$tls/server.key"
  if [[ $EUID -eq 0 ]]; then chown -R postgres: "$tls"; fi
  pg_options+=" -c ssl=on -c ssl_cert_file=$tls/server.pem -c ssl_key_file=$tls/server.key"
  export HRAPP_TEST_PG_CA="$tls/ca.pem" HRAPP_TEST_PG_OTHER_CA="$tls/other-ca.pem"
fi
as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -w -l "$pg_data/server.log" -o "$pg_options" start >/dev/null
echo "with-postgres: PostgreSQL 15 on 127.0.0.1:$pg_port" >&2

mkdir "$work/tmp"
export HRAPP_TEST_TMP="$work/tmp"
export HRAPP_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
export HRAPP_PG_BIN="$pg_bin" HRAPP_PG_DATA="$pg_data" HRAPP_PG_PORT="$pg_port" HRAPP_PG_OPTIONS="$pg_options"
"$@"
