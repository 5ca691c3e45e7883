#!/usr/bin/env bash
# Runs the AWS system tests against a real hrapp binary:
#   tests/aws/run.sh <path-to-hrapp>
# Installs what is missing (the npm packages), runs inside one throwaway PostgreSQL 15 cluster
# (tests/with-postgres.sh: the superuser without a password, every other role with its
# password, as on RDS). The fakes of S3, Secrets Manager and instance metadata are started by
# the tests themselves, on port 0.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <path-to-hrapp>" >&2
  exit 2
fi
hrapp=$(realpath "$1")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

if [[ ! -d node_modules/s3rver || ! -d node_modules/@smithy/signature-v4 ]]; then
  npm ci --no-audit --no-fund >&2
fi
source tests/secret-shape.sh
# One throwaway cluster for the whole run (tests/with-postgres.sh starts and always stops it).
if [[ -z ${HRAPP_PG_DATA:-} ]]; then exec tests/with-postgres.sh "$0" "$hrapp"; fi
export HRAPP_BIN="$hrapp" HRAPP_DB=postgres

node --test --test-reporter=spec --test-timeout=180000 --test-concurrency=2 tests/aws/
