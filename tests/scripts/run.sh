#!/usr/bin/env bash
# Tests of the lab operations scripts, offline: shellcheck of every shell script of the project,
# then each suite against stand-ins for aws, sleep and the CDK CLI; scripts/verify runs against
# the real app, started on loopback from the binary given:
#   tests/scripts/run.sh [path-to-hrapp]     (default build/release/hrapp)
set -euo pipefail
cd "$(dirname "$0")/../.."

hrapp=${1:-build/release/hrapp}
[[ -x $hrapp ]] || { echo "no hrapp binary at $hrapp: build it first (make build)" >&2; exit 2; }
HRAPP_BIN=$(realpath "$hrapp")
export HRAPP_BIN
missing=()
for tool in shellcheck curl file openssl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  echo "missing: ${missing[*]}: run scripts/dev/install-deps.sh" >&2
  exit 1
fi

# Shell scripts by name or by their first line; other files (docs, data) are not.
shell_scripts=()
while IFS= read -r -d '' file; do
  if [[ $file == *.sh ]] || head -n 1 "$file" | grep -Eq '^#!.*(/|env )(ba)?sh\b'; then
    shell_scripts+=("$file")
  fi
done < <(find scripts tests deploy bench .ci -path "*/node_modules" -prune -o -type f -print0 2>/dev/null | sort -z)

status=0
echo "shellcheck: ${#shell_scripts[@]} scripts"
if shellcheck --external-sources --source-path=SCRIPTDIR "${shell_scripts[@]}"; then
  echo "shellcheck: clean"
else
  status=1
fi

# Each suite ends with "NAME: N passed, M failed"; the run ends with their sum.
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for suite in tests/scripts/test_*.sh; do
  echo "== $suite"
  "$suite" | tee "$log"
  ((PIPESTATUS[0] == 0)) || status=1
  read -r _ suite_passed _ suite_failed _ < <(tail -n 1 "$log")
  passed=$((passed + ${suite_passed:-0}))
  failed=$((failed + ${suite_failed:-1}))
done
echo "scripts: $passed passed, $failed failed"
exit "$status"
