#!/usr/bin/env bash
# Runs the system tests against a real hrapp binary, on SQLite and then on PostgreSQL 15:
#   tests/system/run.sh <path-to-hrapp>
# Installs what is missing (sqlite3, haproxy, the npm packages) and runs inside one throwaway PostgreSQL
# cluster (tests/with-postgres.sh). Every app instance gets its own data folder and its own
# database. *.test.mjs run on both engines; *.pgtest.mjs need
# PostgreSQL (and stop and start the cluster), so they run alone, after the others.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <path-to-hrapp>" >&2
  exit 2
fi
hrapp=$(realpath "$1")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

for tool in sqlite3 haproxy; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "$tool" >&2
done
# The modules of package-lock.json, installed again when the lock is newer than them.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund >&2
fi
# The fleet rehearsal gives its instances a database secret shaped like the deployed one.
source tests/secret-shape.sh
# One throwaway cluster for the whole run (tests/with-postgres.sh starts and always stops it).
if [[ -z ${HRAPP_PG_DATA:-} ]]; then exec tests/with-postgres.sh "$0" "$hrapp"; fi
export HRAPP_BIN="$hrapp"

node_test=(node --test --test-reporter=spec --test-timeout=180000)
status=0
for engine in sqlite postgres; do
  echo "system tests: engine $engine" >&2
  HRAPP_DB=$engine "${node_test[@]}" --test-concurrency=2 tests/system/*.test.mjs || status=1
done
echo "system tests: PostgreSQL faults and schema" >&2
HRAPP_DB=postgres "${node_test[@]}" --test-concurrency=1 tests/system/*.pgtest.mjs || status=1
exit $status
