#!/usr/bin/env bash
# The fleet rehearsal with the ALB's own timing:   bench/fleet.sh <path-to-hrapp>
# Three instances on one throwaway PostgreSQL behind HAProxy (set up like the ALB and its target
# group), under a steady mixed load: a rolling replacement with the secret rotated meanwhile, a
# SIGKILL, a sign-out, a PostgreSQL restart. Prints the run, writes it to bench/RESULTS.md under
# "## Fleet rehearsal", and fails if any check failed. FLEET_PHASE_SECONDS (load before and
# after each event, 10), FLEET_DOWN_SECONDS (the database outage, 10).
set -euo pipefail
hrapp=$(realpath "${1:?usage: bench/fleet.sh <path-to-hrapp>}")
cd "$(dirname "$0")/.."
command -v haproxy >/dev/null || { echo "bench: haproxy is missing (make deps)" >&2; exit 1; }
source tests/secret-shape.sh
HRAPP_BIN=$hrapp HRAPP_DB=postgres exec tests/with-postgres.sh node bench/fleet.mjs
