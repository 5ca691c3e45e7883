# shellcheck shell=bash
# Harness of the operations script tests: each case runs in its own directory with stand-ins
# for aws, sleep and the CDK CLI first on PATH, so nothing reaches AWS and nothing waits.

TESTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$TESTS_DIR/../.." && pwd)"
STANDINS_DIR="$TESTS_DIR/bin"
BASE_PATH=$PATH
passed=0
failed=0

# Sets up a fresh stand-in state; called by run_case for each case.
reset_standins() {
  CASE_DIR=$(mktemp -d)
  export FAKE_AWS_DIR="$CASE_DIR/aws"
  mkdir -p "$FAKE_AWS_DIR/rules"
  : >"$FAKE_AWS_DIR/calls"
  export PATH="$STANDINS_DIR:$BASE_PATH"
  export AWS_REGION=eu-west-1 CDK="$STANDINS_DIR/cdk"
  unset AWS_PROFILE AWS_DEFAULT_REGION FAKE_CDK_EXIT
  rule_count=0
}

# aws_reply PATTERN OUTPUT [EXIT [TIMES]]: answer calls whose arguments match the glob PATTERN
# with OUTPUT (the error message when EXIT is not 0).
# Rules are tried in the order given; one with TIMES > 0 stops matching after that many uses.
aws_reply() {
  local rule
  rule=$(printf '%s/rules/%04d' "$FAKE_AWS_DIR" "$rule_count")
  rule_count=$((rule_count + 1))
  printf '%s' "$1" >"$rule.pattern"
  printf '%s' "$2" >"$rule.out"
  printf '%s' "${3:-0}" >"$rule.exit"
  printf '%s' "${4:-0}" >"$rule.times"
}

# run_script NAME ARGS...: runs scripts/NAME; sets STATUS and OUTPUT (stdout and stderr).
run_script() {
  local name=$1
  shift
  STATUS=0
  OUTPUT=$("$REPO_DIR/scripts/$name" "$@" 2>&1 </dev/null) || STATUS=$?
}

check_failed() {
  printf '    assertion failed: %s\n' "$*"
  printf '    --- script output ---\n%s\n' "${OUTPUT-}" | sed 's/^/    /'
  printf '    --- aws calls ---\n' && sed 's/^/    /' "$FAKE_AWS_DIR/calls"
  exit 1
}
assert_status() { [[ $STATUS == "$1" ]] || check_failed "exit status $STATUS, expected $1"; }
assert_output_has() { [[ $OUTPUT == *"$1"* ]] || check_failed "output lacks: $1"; }
assert_output_lacks() { [[ $OUTPUT != *"$1"* ]] || check_failed "output has: $1"; }
calls_matching() {
  local pattern=$1 call count=0
  while IFS= read -r call; do
    # shellcheck disable=SC2053  # the pattern is a glob on purpose
    [[ $call == $pattern ]] && count=$((count + 1))
  done <"$FAKE_AWS_DIR/calls"
  printf '%s' "$count"
}
assert_called() {
  local count
  count=$(calls_matching "$1")
  if [[ -n ${2-} ]]; then
    ((count == $2)) || check_failed "$count call(s) match '$1', expected $2"
  else
    ((count > 0)) || check_failed "no aws call matches: $1"
  fi
}
assert_not_called() { assert_called "$1" 0; }
# Every call matching the first glob comes before the first call matching the second.
assert_called_before() {
  local call n=0 last_first=0 first_second=0
  while IFS= read -r call; do
    n=$((n + 1))
    # shellcheck disable=SC2053  # the patterns are globs on purpose
    [[ $call == $1 ]] && last_first=$n
    # shellcheck disable=SC2053
    [[ $call == $2 ]] && ((first_second == 0)) && first_second=$n
  done <"$FAKE_AWS_DIR/calls"
  ((last_first > 0 && first_second > 0 && last_first < first_second)) ||
    check_failed "the calls matching '$1' do not all come before those matching '$2'"
}
assert_no_unexpected_calls() {
  [[ ! -s $FAKE_AWS_DIR/unexpected ]] || check_failed "unexpected aws calls: $(cat "$FAKE_AWS_DIR/unexpected")"
}
sleeps() { cat "$FAKE_AWS_DIR/sleeps" 2>/dev/null || true; }

# Background processes a case starts go in CASE_PIDS, to be stopped with the case.
CASE_PIDS=()
cleanup_case() {
  local pid
  for pid in "${CASE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$CASE_DIR"
}

# start_hrapp [VAR=VALUE...]: starts the real app (HRAPP_BIN, set by run.sh) on a free loopback
# port with a data folder (SQLite, local images) of the case's own and the settings given (open
# sign-up, the seed's workflow, unless they say REGISTRATION=invite); sets APP_PORT once it is
# listening. Its log lines are in $CASE_DIR/app.log, one JSON object each.
start_hrapp() {
  local data_dir="$CASE_DIR/app" waited
  mkdir -p "$data_dir"
  env BCRYPT_COST=4 DEPLOYMENT_ID=team01 REGISTRATION=open "$@" \
    "${HRAPP_BIN:?HRAPP_BIN is not set: run the suite through tests/scripts/run.sh}" \
    serve --port 0 --data-dir "$data_dir" >"$CASE_DIR/app.log" 2>&1 &
  CASE_PIDS+=("$!")
  # The sleep on PATH is the stand-in that returns at once, so this waits with the real one,
  # up to a minute: a loaded machine starts it slowly.
  for ((waited = 0; waited < 1200; waited++)); do
    APP_PORT=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$CASE_DIR/app.log")
    [[ -z $APP_PORT ]] || return 0
    /bin/sleep 0.05
  done
  check_failed "hrapp did not start: $(cat "$CASE_DIR/app.log")"
}

# The requests the app answered, "METHOD PATH STATUS" a line, from its access log.
app_requests() {
  sed -n 's/.*"msg":"request".*"method":"\([A-Z]*\)".*"path":"\([^"]*\)".*"status":\([0-9]*\).*/\1 \2 \3/p' "$CASE_DIR/app.log"
}

# run_case NAME FUNCTION: runs one case in a subshell and reports it.
run_case() {
  local name=$1 fn=$2 log
  log=$(mktemp)
  if (reset_standins && trap cleanup_case EXIT && "$fn") >"$log" 2>&1; then
    passed=$((passed + 1))
    printf '  pass  %s\n' "$name"
  else
    failed=$((failed + 1))
    printf '  FAIL  %s\n' "$name"
    cat "$log"
  fi
  rm -f "$log"
}

finish() {
  printf '%s: %d passed, %d failed\n' "$(basename "$0")" "$passed" "$failed"
  ((failed == 0))
}
