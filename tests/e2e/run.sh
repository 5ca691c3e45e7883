#!/usr/bin/env bash
# Runs the browser tests against a real hrapp binary:
#   tests/e2e/run.sh <path-to-hrapp> [command ...]
# Installs Debian's Chromium if it is missing, starts the app on a throwaway data directory,
# runs the command (default: node --test tests/e2e/) with HRAPP_URL set (and HRAPP_BIN, for
# tests that start apps of their own), and always stops the app.
# The screenshots use the same harness: tests/e2e/run.sh build/release/hrapp node tests/e2e/screenshots.mjs
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 <path-to-hrapp> [command ...]" >&2
  exit 2
fi
hrapp=$(realpath "$1")
shift
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "e2e: installing Debian's chromium" >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y chromium >&2
fi
# The modules of package-lock.json, installed again when the lock is newer than them.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund >&2
fi

work=$(mktemp -d)
app_pid=""
# shellcheck disable=SC2317  # reached through the EXIT trap
stop_app() {
  if [[ -n "$app_pid" ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill -TERM "$app_pid"
    # SIGTERM drains open connections; give it 10 s before forcing the matter.
    for _ in $(seq 1 100); do
      kill -0 "$app_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_app EXIT

# Open sign-up, as the seed had it and lab mode sets it: the tests of the directory sign up
# freely. Tests of invitations, roles and two-factor sign-in start apps of their own from
# HRAPP_BIN (lib/harness.mjs, startApp).
REGISTRATION=open BCRYPT_COST=4 DATA_DIR="$work/data" "$hrapp" serve --port 0 --web-dir "$repo/web" >"$work/app.log" 2>&1 &
app_pid=$!

port=""
for _ in $(seq 1 300); do
  port=$(grep -m1 '"msg":"listening"' "$work/app.log" | grep -o '"port":[0-9]*' | cut -d: -f2 || true)
  [[ -n "$port" ]] && break
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "e2e: hrapp exited before listening; its log:" >&2
    cat "$work/app.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$port" ]]; then
  echo "e2e: hrapp did not log that it was listening within 30 s; its log:" >&2
  cat "$work/app.log" >&2
  exit 1
fi

export HRAPP_URL="http://127.0.0.1:$port" HRAPP_BIN="$hrapp" HRAPP_WEB_DIR="$repo/web"
echo "e2e: hrapp listening at $HRAPP_URL" >&2

status=0
if [[ $# -gt 0 ]]; then
  "$@" || status=$?
else
  node --test tests/e2e/ || status=$?
fi
if [[ $status -ne 0 ]]; then
  echo "e2e: failed; the last lines of hrapp's log:" >&2
  tail -n 40 "$work/app.log" >&2
fi
exit "$status"
