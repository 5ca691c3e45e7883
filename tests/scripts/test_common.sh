#!/usr/bin/env bash
# The shared helpers of scripts/lib/common.sh.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../../scripts/lib/common.sh
source "$REPO_DIR/scripts/lib/common.sh"

deployment_ids_follow_the_contract() {
  local id
  for id in abc team01 a-b-c t0123456789abcdefgh9 x9z; do
    (require_deployment_id "$id") >/dev/null 2>&1 || check_failed "refused valid id '$id'"
  done
  # Too short, too long, upper case, leading digit or dash, trailing dash, underscore, empty.
  for id in ab t0123456789abcdefgh90 Team01 1team -team team- team_01 '' 'te am'; do
    (require_deployment_id "$id") >/dev/null 2>&1
    [[ $? == "$EXIT_USAGE" ]] || check_failed "accepted invalid id '$id'"
  done
}

team_stack_names_follow_the_contract() {
  [[ $(team_stacks team07 | tr '\n' ' ') == \
    "hrapp-team07-logs hrapp-team07-network hrapp-team07-storage hrapp-team07-data hrapp-team07-secrets hrapp-team07-compute " ]] ||
    check_failed "team stacks: $(team_stacks team07)"
}

rounds=0
ready_on_third_round() {
  rounds=$((rounds + 1))
  POLL_STATUS="round $rounds"
  ((rounds == 3))
}
never_ready() {
  POLL_STATUS="still no"
  return 1
}

polls_count_slept_intervals() {
  OUTPUT=$(poll_until 100 4 "thing" ready_on_third_round) || check_failed "poll did not succeed"
  [[ $OUTPUT == *"thing: round 1 (0s of 100s)"*"thing: round 2 (4s of 100s)"* ]] ||
    check_failed "progress lines"
  [[ $(sleeps | tr '\n' ' ') == "4 4 " ]] || check_failed "sleeps: $(sleeps)"
}

polls_give_up_at_the_time_out() {
  OUTPUT=$(poll_until 10 5 "thing" never_ready) && check_failed "poll succeeded"
  [[ $OUTPUT == *"FAIL  thing: gave up after 10s (still no)"* ]] || check_failed "give-up line"
  [[ $(sleeps | wc -l) == 2 ]] || check_failed "expected 2 sleeps: $(sleeps)"
  OUTPUT=$(poll_until 10 0 "thing" never_ready 2>&1)
  [[ $OUTPUT == *"must be at least 1 second"* ]] || check_failed "a zero interval was accepted"
}

aws_text_maps_none_to_empty() {
  aws_reply "sts get-caller-identity *" "None"
  [[ -z $(aws_text sts get-caller-identity --query Account) ]] || check_failed "None was kept"
  aws_reply "ec2 describe-vpcs *" "3"
  [[ $(aws_text ec2 describe-vpcs --query 'length(Vpcs)') == 3 ]] || check_failed "value lost"
}

run_case "deployment ids follow the shared contract" deployment_ids_follow_the_contract
run_case "team stack names follow the shared contract" team_stack_names_follow_the_contract
run_case "polls count the intervals they slept" polls_count_slept_intervals
run_case "polls give up at the time-out" polls_give_up_at_the_time_out
run_case "the CLI's None becomes an empty value" aws_text_maps_none_to_empty
finish
