#!/usr/bin/env bash
# scripts/preflight against canned answers of the aws stand-in.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ACCOUNT=111122223333

# Answers of an account ready for the lab; a case adds its own answers first to override.
ready_account() {
  aws_reply "sts get-caller-identity *" "$ACCOUNT"
  aws_reply "ec2 describe-vpcs *" "1"
  aws_reply "ec2 describe-addresses *" "0"
  aws_reply "ec2 describe-nat-gateways --filter Name=state,Values=pending,available *" "0"
  aws_reply "service-quotas get-service-quota --service-code vpc --quota-code L-F678F1CE *" "5.0"
  aws_reply "service-quotas get-service-quota --service-code ec2 --quota-code L-0263D0A3 *" "5.0"
  aws_reply "service-quotas get-service-quota --service-code vpc --quota-code L-FE5A380F *" "5.0"
  aws_reply "elbv2 describe-load-balancers *" "1"
  aws_reply "service-quotas get-service-quota --service-code elasticloadbalancing --quota-code L-53DA6B97 *" "50.0"
  aws_reply "rds describe-db-instances *" "0"
  aws_reply "service-quotas get-service-quota --service-code rds --quota-code L-7B6409FD *" "40.0"
  # One t3.micro (2 vCPUs) running, and a p3, whose vCPUs count against another quota.
  aws_reply "ec2 describe-instances --filters Name=instance-state-name,Values=pending,running *" \
    $'t3.micro\t1\t2\np3.2xlarge\t4\t2'
  aws_reply "ec2 describe-instance-types --instance-types t3.micro *" "2"
  aws_reply "service-quotas get-service-quota --service-code ec2 --quota-code L-1216C47A *" "32.0"
  aws_reply "configservice describe-configuration-recorder-status *" "1"
  aws_reply "ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 *" \
    "ami-0123456789abcdef0"
  aws_reply "cloudformation list-stacks *" $'CDKToolkit\thrapp-security\thrapp-old-network'
  aws_reply "s3api list-buckets *" "cdk-hnb659fds-assets-$ACCOUNT-eu-west-1"
  aws_reply "secretsmanager list-secrets --include-planned-deletion *" "None"
  aws_reply "securityhub describe-hub *" "arn:aws:securityhub:eu-west-1:$ACCOUNT:hub/default"
  aws_reply "securityhub list-enabled-products-for-import *" \
    "arn:aws:securityhub:eu-west-1:$ACCOUNT:product-subscription/aws/inspector"
  aws_reply "inspector2 batch-get-account-status *" "ENABLED"
  aws_reply "ssm get-parameter --name /cdk-bootstrap/hnb659fds/version *" "21"
  aws_reply "logs describe-log-groups *" "None"
}

ready_for_two_teams() {
  ready_account
  run_script preflight --teams 2
  assert_status 0
  assert_output_has "account $ACCOUNT, region eu-west-1, 2 team(s): team01 team02"
  assert_output_has "VPCs per Region: 1 in use + 2 needed <= quota 5"
  assert_output_has "EC2-VPC Elastic IPs: 0 in use + 2 needed <= quota 5"
  assert_output_has "NAT gateways per Availability Zone: 0 in use + 2 needed <= quota 5"
  assert_output_has "Application Load Balancers per Region: 1 in use + 2 needed <= quota 50"
  assert_output_has "RDS DB instances: 0 in use + 2 needed <= quota 40"
  assert_output_has "Running On-Demand Standard instance vCPUs (t3.micro: 2 each, 3 per team): 2 in use + 12 needed <= quota 32"
  assert_output_has "AWS Config is recording"
  assert_output_has "pin it for the day: -c ami_id=ami-0123456789abcdef0"
  assert_output_has "team01: no stacks, bucket, pending secrets or stray log groups"
  assert_called "logs describe-log-groups --log-group-name-prefix /hrapp/team02/ *" 1
  assert_output_has "CDK bootstrap version 21"
  assert_output_has "ready for 2 team(s) in eu-west-1"
  assert_called "secretsmanager list-secrets *Values=team02*" 1
  assert_no_unexpected_calls
}

only_reads() {
  ready_account
  run_script preflight team01
  assert_status 0
  local writes
  writes=$(grep -Ev '^[a-z0-9-]+ (describe-|list-|get-|batch-get-)' "$FAKE_AWS_DIR/calls")
  [[ -z $writes ]] || check_failed "preflight changed something: $writes"
}

short_elastic_ip_quota_fails() {
  aws_reply "ec2 describe-addresses *" "4"
  ready_account
  run_script preflight --teams 2
  assert_status 1
  assert_output_has "FAIL  EC2-VPC Elastic IPs: 4 in use + 2 needed > quota 5"
  assert_output_has "1 problem(s) to fix before deploying"
  assert_output_has "fix: request 6 for 'EC2-VPC Elastic IPs' (ec2 L-0263D0A3) in Service Quotas"
  assert_output_lacks "ready for"
}

dual_nat_mode_needs_two_addresses_per_team() {
  aws_reply "service-quotas get-service-quota --service-code ec2 *" "" 254
  aws_reply "service-quotas get-aws-default-service-quota --service-code ec2 --quota-code L-0263D0A3 *" "5.0"
  ready_account
  run_script preflight --nat-mode dual --teams 3
  assert_status 1
  assert_output_has "EC2-VPC Elastic IPs: 0 in use + 6 needed > quota 5"
  assert_output_has "NAT gateways per Availability Zone: 0 in use + 3 needed <= quota 5"
}

short_vcpu_quota_for_ten_teams_fails() {
  aws_reply "service-quotas get-service-quota --service-code ec2 --quota-code L-1216C47A *" "" 254
  aws_reply "service-quotas get-aws-default-service-quota --service-code ec2 --quota-code L-1216C47A *" "5.0"
  aws_reply "ec2 describe-instance-types --instance-types t3.large *" "2"
  ready_account
  run_script preflight --teams 10 --instance-type t3.large
  assert_status 1
  assert_output_has "FAIL  Running On-Demand Standard instance vCPUs (t3.large: 2 each, 3 per team): 2 in use + 60 needed > quota 5"
  assert_output_has "fix: request 62 for 'Running On-Demand Standard instance vCPUs (t3.large: 2 each, 3 per team)' (ec2 L-1216C47A)"
}

load_balancer_and_database_quotas_fail() {
  aws_reply "elbv2 describe-load-balancers *" "49"
  aws_reply "rds describe-db-instances *" "39"
  ready_account
  run_script preflight --teams 2
  assert_status 1
  assert_output_has "FAIL  Application Load Balancers per Region: 49 in use + 2 needed > quota 50"
  assert_output_has "FAIL  RDS DB instances: 39 in use + 2 needed > quota 40"
  assert_output_has "2 problem(s) to fix"
}

config_not_recording_fails() {
  aws_reply "configservice describe-configuration-recorder-status *" "0"
  aws_reply "ssm get-parameter --name /aws/service/* *" "" 254
  ready_account
  run_script preflight team01
  assert_status 1
  assert_output_has "FAIL  AWS Config is not recording: Security Hub's foundational standard reports 'Config not enabled'"
  assert_output_has "fix: deploy the account stack once: (cd infra && npx cdk deploy hrapp-security) (it creates a recorder when the region has none)"
  assert_output_has "warn  cannot read the latest Amazon Linux 2023 image id"
  assert_output_has "1 problem(s) to fix"
}

stopped_deployment_is_recognised() {
  local stacks
  stacks=$(printf 'hrapp-team01-%s\t' network storage data secrets compute)$(printf 'hrapp-team02-%s\t' network storage data secrets compute)
  aws_reply "cloudformation list-stacks *" "$stacks"
  aws_reply "autoscaling describe-auto-scaling-groups --auto-scaling-group-names hrapp-team01-asg *" 0
  aws_reply "rds describe-db-instances --db-instance-identifier hrapp-team01-db *" stopped
  aws_reply "autoscaling describe-auto-scaling-groups --auto-scaling-group-names hrapp-team02-asg *" 2
  aws_reply "rds describe-db-instances --db-instance-identifier hrapp-team02-db *" available
  ready_account
  run_script preflight --teams 2
  assert_status 1
  assert_output_has "team01: deployed and stopped by its lab hours (database stopped, 0 instance(s) wanted); to reuse it, start it now with scripts/verify --start team01"
  assert_output_has "team02: deployed and running (database available, 2 instance(s) wanted)"
  assert_output_has "team01: stack hrapp-team01-compute exists"
  assert_not_called "rds start-db-instance *"
  assert_no_unexpected_calls
}

leftovers_fail() {
  aws_reply "cloudformation list-stacks *" $'hrapp-team02-data\thrapp-team02-network'
  aws_reply "s3api list-buckets *" $'other\thrapp-team01-uploads-111122223333-eu-west-1'
  aws_reply "secretsmanager list-secrets *Values=team02*" "hrapp-team02-db-credentials"
  ready_account
  run_script preflight team01 team02
  assert_status 1
  assert_output_has "team02: stack hrapp-team02-network exists"
  assert_output_has "team02: stack hrapp-team02-data exists"
  assert_output_has "team01: bucket hrapp-team01-uploads-111122223333-eu-west-1 exists"
  assert_output_has "team02: secret(s) pending deletion: hrapp-team02-db-credentials"
  assert_output_has "fix: scripts/teardown team02 force-deletes them"
  assert_output_has "4 problem(s) to fix"
}

stray_log_groups_fail_with_the_command_to_fix() {
  aws_reply "logs describe-log-groups --log-group-name-prefix /hrapp/team01/ *" "/hrapp/team01/app"
  aws_reply "logs describe-log-groups --log-group-name-prefix /aws/rds/instance/hrapp-team01-db/ *" \
    "/aws/rds/instance/hrapp-team01-db/postgresql"
  aws_reply "cloudformation describe-stack-resources --physical-resource-id /hrapp/team01/app *" \
    "An error occurred (ValidationError) when calling the DescribeStackResources operation: Stack for /hrapp/team01/app does not exist" 254
  aws_reply "cloudformation describe-stack-resources --physical-resource-id /aws/rds/instance/hrapp-team01-db/postgresql *" \
    "An error occurred (AccessDenied) when calling the DescribeStackResources operation: not allowed" 254
  ready_account
  run_script preflight team01
  assert_status 1
  assert_output_has "FAIL  team01: log group /hrapp/team01/app belongs to no stack (left by an earlier teardown); a deploy of team01 would fail on its name"
  assert_output_has "fix: aws logs delete-log-group --log-group-name /hrapp/team01/app (export its events first"
  assert_output_has "FAIL  team01: cannot tell which stack owns log group /aws/rds/instance/hrapp-team01-db/postgresql: An error occurred (AccessDenied)"
  assert_output_has "2 problem(s) to fix"
  assert_output_lacks "team01: no stacks"
}

kept_logs_stack_is_ready_for_a_redeploy() {
  aws_reply "cloudformation list-stacks *" $'CDKToolkit\thrapp-team01-logs'
  aws_reply "logs describe-log-groups --log-group-name-prefix /hrapp/team01/ *" "/hrapp/team01/app"
  aws_reply "cloudformation describe-stack-resources --physical-resource-id /hrapp/team01/app *" "hrapp-team01-logs"
  ready_account
  run_script preflight team01
  assert_status 0
  assert_output_has "team01: stack hrapp-team01-logs is kept with its log groups (teardown --production keeps it); a deploy of team01 takes it over"
  assert_output_has "team01: no stacks, bucket, pending secrets or stray log groups"
  assert_output_has "ready for 1 team(s)"
}

security_services_and_bootstrap_missing_fail() {
  aws_reply "securityhub describe-hub *" "" 254
  aws_reply "inspector2 batch-get-account-status *" "DISABLED"
  aws_reply "ssm get-parameter *" "" 254
  ready_account
  run_script preflight team01
  assert_status 1
  assert_output_has "FAIL  Security Hub is off"
  assert_output_has "FAIL  Inspector EC2 scanning is DISABLED"
  assert_output_has "fix: deploy the account stack once: (cd infra && npx cdk deploy hrapp-security)"
  assert_output_has "fix: (cd infra && npx cdk bootstrap aws://$ACCOUNT/eu-west-1)"
  assert_output_has "3 problem(s) to fix"
  assert_not_called "securityhub list-enabled-products-for-import *"
}

missing_inspector_integration_fails() {
  aws_reply "securityhub list-enabled-products-for-import *" "None"
  ready_account
  run_script preflight team01
  assert_status 1
  assert_output_has "FAIL  Security Hub does not import Inspector findings"
}

no_credentials_fail_fast() {
  aws_reply "sts get-caller-identity *" "" 253
  run_script preflight team01
  assert_status 1
  assert_output_has "no AWS credentials work here"
  assert_called "*" 1
}

bad_arguments_are_refused() {
  local args
  for args in "--teams 0" "--teams x" "Team-1" "team01 team01" "--teams 2 team01" "" \
    "--nat-mode triple team01" "--bogus" "--instance-type x team01"; do
    # shellcheck disable=SC2086  # split the argument list on purpose
    run_script preflight $args
    [[ $STATUS == 2 ]] || check_failed "preflight $args: exit $STATUS, expected 2"
  done
  run_script preflight --help
  assert_status 0
  assert_output_has "Usage: scripts/preflight"
  assert_not_called "*"
}

run_case "an account ready for two teams passes" ready_for_two_teams
run_case "preflight only reads" only_reads
run_case "a short Elastic IP quota fails with the fix" short_elastic_ip_quota_fails
run_case "dual NAT mode needs two addresses per team; default quota when none applied" \
  dual_nat_mode_needs_two_addresses_per_team
run_case "a vCPU quota too short for ten teams fails with the fix" short_vcpu_quota_for_ten_teams_fails
run_case "load balancer and database quotas fail" load_balancer_and_database_quotas_fail
run_case "AWS Config not recording fails" config_not_recording_fails
run_case "stacks, buckets and pending secrets of earlier runs fail" leftovers_fail
run_case "a deployment stopped by its lab hours is told apart from a running one" stopped_deployment_is_recognised
run_case "log groups no stack owns fail with the command that removes them" stray_log_groups_fail_with_the_command_to_fix
run_case "a logs stack kept by a production teardown is ready for a redeploy" kept_logs_stack_is_ready_for_a_redeploy
run_case "security services off and no CDK bootstrap fail" security_services_and_bootstrap_missing_fail
run_case "Security Hub without the Inspector integration fails" missing_inspector_integration_fails
run_case "no credentials fail fast" no_credentials_fail_fast
run_case "bad arguments are refused" bad_arguments_are_refused
finish
