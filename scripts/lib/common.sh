# shellcheck shell=bash
# shellcheck disable=SC2034  # the constants are used by the scripts that source this file
# Shared by the lab operations scripts: output, argument checks, polling and stack look-ups.
# Every AWS call goes through the AWS CLI, which takes the region and profile from the usual
# AWS_REGION / AWS_DEFAULT_REGION / AWS_PROFILE variables and the CLI configuration.

readonly DEPLOYMENT_ID_PATTERN='^[a-z][a-z0-9-]{1,18}[a-z0-9]$'
# In creation order. The logs stack holds the log groups that must outlive a failed deploy
# (boot, app, PostgreSQL); a production teardown keeps it.
readonly TEAM_STACK_SUFFIXES=(logs network storage data secrets compute)

# Exit codes shared by all scripts.
readonly EXIT_CHECK_FAILED=1
readonly EXIT_USAGE=2
readonly EXIT_STOPPED=3

step() { printf '\n==> %s\n' "$*"; }
ok() { printf '  ok    %s\n' "$*"; }
info() { printf '  ..    %s\n' "$*"; }
warn() { printf '  warn  %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit "$EXIT_CHECK_FAILED"
}
usage_error() {
  printf 'error: %s (see --help)\n' "$*" >&2
  exit "$EXIT_USAGE"
}

require_deployment_id() {
  [[ ${1-} =~ $DEPLOYMENT_ID_PATTERN ]] ||
    usage_error "deployment id '${1-}' must match $DEPLOYMENT_ID_PATTERN (3-20 characters)"
}

# A whole number of seconds from the environment, so tests can shrink waits.
seconds_from_env() {
  local name=$1 value=${!1:-$2}
  [[ $value =~ ^[0-9]+$ ]] || usage_error "$name must be a whole number of seconds, not '$value'"
  printf '%s' "$value"
}

team_stacks() {
  local id=$1 suffix
  for suffix in "${TEAM_STACK_SUFFIXES[@]}"; do printf 'hrapp-%s-%s\n' "$id" "$suffix"; done
}

# Runs an AWS CLI call with text output; the CLI prints "None" for an empty query result.
aws_text() {
  local out
  out=$(aws "$@" --output text) || return
  [[ $out == None ]] && out=''
  printf '%s' "$out"
}

account_id() { aws_text sts get-caller-identity --query Account; }

region() {
  local r=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
  [[ -n $r ]] || r=$(aws configure get region || true)
  [[ -n $r ]] || die "no AWS region: set AWS_REGION or give the profile a region"
  printf '%s' "$r"
}

# Prints one output of a stack; fails when the stack does not exist.
stack_output() {
  local stack=$1 key=$2
  aws_text cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$key'].OutputValue | [0]"
}

# Prints one output of a stack that must exist and have it, or stops: a stack that does not
# exist is named as such, any other failure (credentials, permissions, throttling) is shown as
# the CLI reported it.
required_stack_output() {
  local stack=$1 key=$2 value error_file error
  error_file=$(mktemp)
  if value=$(stack_output "$stack" "$key" 2>"$error_file"); then
    rm -f "$error_file"
    [[ -n $value ]] || die "stack $stack has no $key output"
    printf '%s' "$value"
    return
  fi
  error=$(<"$error_file")
  rm -f "$error_file"
  [[ $error != *"$stack does not exist"* ]] || die "stack $stack does not exist in $(region): deploy the team first"
  die "cannot read stack $stack: ${error:-the AWS CLI failed without a message}"
}

# Prints, one a line, the log groups of a deployment found by name: the stacks name every
# group they make, and services create theirs untagged (the database's export, functions).
deployment_log_groups() {
  local id=$1 prefix found
  for prefix in "/hrapp/$id/" "/aws/rds/instance/hrapp-$id-db/" "/aws/lambda/hrapp-$id-"; do
    found=$(aws_text logs describe-log-groups --log-group-name-prefix "$prefix" \
      --query 'logGroups[].logGroupName') || return
    [[ -z $found ]] || tr '\t' '\n' <<<"$found"
  done
}

stack_exists() {
  aws cloudformation describe-stacks --stack-name "$1" --query 'Stacks[0].StackStatus' \
    --output text >/dev/null 2>&1
}

# Polls a check until it succeeds or the time-out passes, printing progress on each round.
# The check may set POLL_STATUS to say where it stands. Time is counted in intervals slept,
# not read from the clock, so a run with a stand-in `sleep` is exact and instant.
POLL_STATUS=''
poll_until() {
  local timeout=$1 interval=$2 what=$3
  shift 3
  ((interval > 0)) || usage_error "poll interval for '$what' must be at least 1 second"
  local waited=0
  while true; do
    POLL_STATUS=''
    if "$@"; then return 0; fi
    if ((waited >= timeout)); then
      fail "$what: gave up after ${timeout}s${POLL_STATUS:+ ($POLL_STATUS)}"
      return 1
    fi
    info "$what: ${POLL_STATUS:-not yet} (${waited}s of ${timeout}s)"
    sleep "$interval"
    waited=$((waited + interval))
  done
}


# Reads whether lab hours have stopped a team: sets FLEET_DESIRED (instances the Auto Scaling
# group wants), DB_STATUS (the database's status) and DEPLOYMENT_STOPPED (true when the fleet is
# at zero or the database is not available). Fails when either cannot be read.
FLEET_DESIRED='' DB_STATUS='' DEPLOYMENT_STOPPED=false
read_deployment_state() {
  local id=$1
  FLEET_DESIRED=$(aws_text autoscaling describe-auto-scaling-groups \
    --auto-scaling-group-names "hrapp-$id-asg" --query 'AutoScalingGroups[0].DesiredCapacity') || return
  DB_STATUS=$(aws_text rds describe-db-instances --db-instance-identifier "hrapp-$id-db" \
    --query 'DBInstances[0].DBInstanceStatus') || return
  [[ -n $FLEET_DESIRED && -n $DB_STATUS ]] || return
  DEPLOYMENT_STOPPED=false
  if [[ $FLEET_DESIRED == 0 || $DB_STATUS == stopped || $DB_STATUS == stopping || $DB_STATUS == starting ]]; then
    DEPLOYMENT_STOPPED=true
  fi
}

deployment_state_text() {
  printf 'database %s, %s instance(s) wanted' "$DB_STATUS" "$FLEET_DESIRED"
}
