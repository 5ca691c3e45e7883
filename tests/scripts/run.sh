#!/usr/bin/env bash
# Tests of the lab operations scripts, offline: shellcheck of every shell script of the project,
# then each suite against stand-ins for aws, sleep and the CDK CLI.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq || true
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}"
fi
command -v node >/dev/null || { echo "node is missing: run scripts/dev/install-deps.sh" >&2; exit 1; }

# Shell scripts by name or by their first line; other files (the stand-in app, docs) are not.
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

for suite in tests/scripts/test_*.sh; do
  echo "== $suite"
  "$suite" || status=1
done
exit "$status"
