#!/usr/bin/env bash
# scripts/vuln-demo against canned answers of the aws stand-in.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly INSTANCE=i-0abc1234def567890
readonly FINDING=arn:aws:inspector2:eu-west-1:111122223333:finding/0f1e2d3c
readonly NO_FINDING=$'0\tNone\tNone\tNone'
readonly ONE_FINDING=$'1\t'"$FINDING"$'\tHIGH\tCVE-2024-32002 - git-core'

instance_ready() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-compute *AutoScalingGroupName*" "hrapp-team01-asg"
  aws_reply "autoscaling describe-auto-scaling-groups --auto-scaling-group-names hrapp-team01-asg *" "$INSTANCE"
  aws_reply "ssm describe-instance-information --filters Key=InstanceIds,Values=$INSTANCE *" "Online"
  aws_reply "inspector2 list-coverage *\"value\":\"$INSTANCE\"*PACKAGE*" $'ACTIVE\tSUCCESSFUL'
  aws_reply "autoscaling set-instance-protection *" ""
}
# SSM runs both commands; the first status query comes before the invocation exists.
commands_succeed() {
  aws_reply "ssm send-command --instance-ids $INSTANCE *install git-core*" "cmd-install"
  aws_reply "ssm send-command --instance-ids $INSTANCE *upgrade git-core*" "cmd-upgrade"
  aws_reply "ssm get-command-invocation --command-id cmd-install *--query Status*" "" 254 1
  aws_reply "ssm get-command-invocation --command-id cmd-install *--query Status*" "InProgress" 0 1
  aws_reply "ssm get-command-invocation --command-id * --query Status *" "Success"
  aws_reply "ssm get-command-invocation --command-id cmd-install *StandardOutputContent*" \
    $'Installed.\ngit-core-2.39.2-1.amzn2023.0.1.x86_64'
  aws_reply "ssm get-command-invocation --command-id cmd-upgrade *StandardOutputContent*" \
    "git-core-2.47.1-1.amzn2023.0.1.x86_64"
  aws_reply "ssm list-associations --association-filter-list key=AssociationName,value=InspectorInventoryCollection-do-not-delete *" "assoc-1"
  aws_reply "ssm start-associations-once --association-ids assoc-1" ""
}
security_hub_follows() {
  aws_reply "securityhub get-findings *$FINDING*RecordState*length(Findings)*" "0" 0 1
  aws_reply "securityhub get-findings *$FINDING*RecordState*length(Findings)*" "1"
  aws_reply "securityhub get-findings *$FINDING* --query Findings?0?.RecordState *" "ARCHIVED"
}

detects_and_closes_the_finding() {
  instance_ready
  commands_succeed
  security_hub_follows
  # Two empty polls, then the finding; after the upgrade one more poll sees it, then it closes.
  aws_reply "inspector2 list-findings *" "$NO_FINDING" 0 2
  aws_reply "inspector2 list-findings *" "$ONE_FINDING" 0 2
  aws_reply "inspector2 list-findings *" "$NO_FINDING"
  DEMO_POLL_INTERVAL=5 run_script vuln-demo team01
  assert_status 0
  assert_output_has "ok    $INSTANCE in hrapp-team01-asg"
  assert_output_has "install git-core: git-core-2.39.2-1.amzn2023.0.1.x86_64"
  assert_output_has "Inspector: 0 active finding(s) for git-core (5s of 3600s)"
  assert_output_has "1 finding(s); first: HIGH CVE-2024-32002 - git-core"
  assert_output_has "Security Hub: 0 matching Security Hub finding(s) (0s of 3600s)"
  assert_output_has "upgrade git-core: git-core-2.47.1-1.amzn2023.0.1.x86_64"
  assert_output_has "no active finding for git-core on $INSTANCE"
  assert_output_has "Security Hub record state: ARCHIVED"
  assert_output_has "scale-in protection of $INSTANCE lifted"
  assert_called "ssm send-command *--releasever=2023.0.20230315 install git-core*distro-sync git-core*" 1
  assert_called "ssm send-command *--releasever=latest upgrade git-core*" 1
  assert_called "ssm start-associations-once --association-ids assoc-1" 2
  assert_called "inspector2 list-findings *\"value\":\"git-core\"*\"value\":\"ACTIVE\"*" 5
  assert_called_before "autoscaling set-instance-protection * --protected-from-scale-in" "ssm send-command *"
  assert_called_before "ssm send-command *" "autoscaling set-instance-protection * --no-protected-from-scale-in"
  assert_called_before "ssm send-command *install git-core*" "inspector2 list-findings *"
  [[ $(sleeps | sort -u) == 5 && $(sleeps | wc -l) == 6 ]] ||
    check_failed "expected six 5 s polls, slept: $(sleeps | tr '\n' ' ')"
  assert_no_unexpected_calls
}

finding_never_appears_times_out() {
  instance_ready
  commands_succeed
  aws_reply "inspector2 list-findings *" "$NO_FINDING"
  DEMO_POLL_INTERVAL=10 DEMO_FINDING_TIMEOUT=30 run_script vuln-demo team01
  assert_status 1
  assert_output_has "Inspector: gave up after 30s (0 active finding(s) for git-core)"
  assert_output_has "new findings can take hours"
  assert_called "inspector2 list-findings *" 4
  assert_not_called "ssm send-command *upgrade*"
  assert_not_called "securityhub *"
  assert_called "autoscaling set-instance-protection * --no-protected-from-scale-in" 1
}

finding_never_closes_times_out() {
  instance_ready
  commands_succeed
  security_hub_follows
  aws_reply "inspector2 list-findings *" "$ONE_FINDING"
  DEMO_POLL_INTERVAL=10 DEMO_CLOSE_TIMEOUT=20 run_script vuln-demo team01
  assert_status 1
  assert_output_has "Inspector: gave up after 20s (1 active finding(s) for git-core)"
  assert_called "ssm send-command *upgrade git-core*" 1
  assert_called "autoscaling set-instance-protection * --no-protected-from-scale-in" 1
}

instance_not_managed_by_ssm_stops_before_changes() {
  aws_reply "ssm describe-instance-information *" "ConnectionLost"
  instance_ready
  run_script vuln-demo team01
  assert_status 1
  assert_output_has "is not an online SSM managed instance (ConnectionLost)"
  assert_not_called "autoscaling set-instance-protection *"
  assert_not_called "ssm send-command *"
}

instance_not_covered_by_inspector_stops() {
  aws_reply "inspector2 list-coverage *" $'INACTIVE\tNO_INVENTORY'
  instance_ready
  run_script vuln-demo team01 --instance-id "$INSTANCE"
  assert_status 1
  assert_output_has "Inspector does not scan $INSTANCE (INACTIVE: NO_INVENTORY)"
  assert_not_called "autoscaling describe-auto-scaling-groups *"
  assert_not_called "autoscaling set-instance-protection *"
}

failed_install_lifts_protection() {
  instance_ready
  aws_reply "ssm send-command *" "cmd-install"
  aws_reply "ssm get-command-invocation *--query Status*" "Failed"
  aws_reply "ssm get-command-invocation *StandardErrorContent*" "Error: Unable to find a match: git-core"
  run_script vuln-demo team01
  assert_status 1
  assert_output_has "SSM command cmd-install ended Failed: Error: Unable to find a match: git-core"
  assert_called "autoscaling set-instance-protection * --no-protected-from-scale-in" 1
  assert_not_called "inspector2 list-findings *"
}

other_package_and_release_from_environment() {
  instance_ready
  aws_reply "ssm send-command *--releasever=2023.1.20230629 install vim-enhanced*" "cmd-install"
  aws_reply "ssm get-command-invocation *--query Status*" "Success"
  aws_reply "ssm get-command-invocation *" "vim-enhanced-9.0.1403"
  aws_reply "ssm list-associations *" "None"
  aws_reply "inspector2 list-findings *\"value\":\"vim-enhanced\"*" "$NO_FINDING"
  DEMO_PACKAGE=vim-enhanced DEMO_RELEASE=2023.1.20230629 DEMO_FINDING_TIMEOUT=0 run_script vuln-demo team01
  assert_status 1
  assert_output_has "Inspector's inventory association is missing"
  assert_called "inspector2 list-findings *" 1
  assert_no_unexpected_calls
}

bad_arguments_are_refused() {
  run_script vuln-demo
  assert_status 2
  run_script vuln-demo team01 team02
  assert_status 2
  DEMO_PACKAGE='git; rm -rf /' run_script vuln-demo team01
  assert_status 2
  DEMO_POLL_INTERVAL=soon run_script vuln-demo team01
  assert_status 2
  assert_output_has "DEMO_POLL_INTERVAL must be a whole number of seconds"
  run_script vuln-demo --help
  assert_status 0
  assert_output_has "Usage: scripts/vuln-demo"
  assert_not_called "*"
}

team_not_deployed_is_named_as_such() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team09-compute *" \
    "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id hrapp-team09-compute does not exist" 254
  run_script vuln-demo team09
  assert_status 1
  assert_output_has "stack hrapp-team09-compute does not exist in eu-west-1: deploy the team first"
  assert_called "*" 1
}

run_case "detects the finding in Inspector and Security Hub, then sees it closed" detects_and_closes_the_finding
run_case "a finding that never appears times out and lifts the protection" finding_never_appears_times_out
run_case "a finding that never closes times out" finding_never_closes_times_out
run_case "an instance SSM does not manage stops before any change" instance_not_managed_by_ssm_stops_before_changes
run_case "an instance Inspector does not cover stops" instance_not_covered_by_inspector_stops
run_case "a failed install reports SSM's error and lifts the protection" failed_install_lifts_protection
run_case "package and release come from the environment" other_package_and_release_from_environment
run_case "a team that is not deployed is named as such" team_not_deployed_is_named_as_such
run_case "bad arguments are refused" bad_arguments_are_refused
finish
