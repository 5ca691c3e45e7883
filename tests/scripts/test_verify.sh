#!/usr/bin/env bash
# scripts/verify against the real app on loopback (tests/scripts/run.sh gives the binary), with
# the aws stand-in answering for the load balancer, the group, the database and the resources.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly LB_ARN=arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/hrapp-team01/abc
readonly TG_ARN=arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/hrapp-team01/def
readonly NO_STACK="An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id hrapp-team09-compute does not exist"

# A running deployment whose load balancer is the app, unless the case replied otherwise first.
stack_outputs() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-compute *AlbDnsName*" "127.0.0.1:$APP_PORT"
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-compute *AppUrl*" "http://127.0.0.1:$APP_PORT/"
  aws_reply "elbv2 describe-load-balancers *DNSName=='127.0.0.1:$APP_PORT'*" "$LB_ARN"
  aws_reply "elbv2 describe-target-groups --load-balancer-arn $LB_ARN *" "$TG_ARN"
  aws_reply "autoscaling describe-auto-scaling-groups --auto-scaling-group-names hrapp-team01-asg *" 2
  aws_reply "rds describe-db-instances --db-instance-identifier hrapp-team01-db *" available
}

# The app's access log says the workflow's requests were answered, in order, and the employee
# deleted and the session signed out at the end. The app logs a request once its answer is
# sent, so the last line may come a moment after the script has ended.
assert_workflow_requests() {
  local expected=$1 got waited
  for ((waited = 0; waited < 100; waited++)); do
    got=$(app_requests | sed -E 's#/images/[0-9a-f-]+\.(jpg|png|gif|webp)#/images/PHOTO#' | tr '\n' ';')
    [[ $got != "$expected" ]] || return 0
    /bin/sleep 0.05
  done
  check_failed "the app answered: $got; expected: $expected"
}
readonly WHOLE_WORKFLOW='POST /register 201;POST /login 200;POST /employees 201;GET /employees/1 200;GET /images/PHOTO 200;DELETE /employees/1 204;POST /logout 200;'

good_run_reports_every_step() {
  start_hrapp
  stack_outputs
  aws_reply "elbv2 describe-target-health --target-group-arn $TG_ARN *" $'initial\thealthy' 0 1
  aws_reply "elbv2 describe-target-health --target-group-arn $TG_ARN *" $'healthy\thealthy'
  VERIFY_POLL_INTERVAL=7 run_script verify team01
  assert_status 0
  assert_output_has "1 of 2 target(s) healthy (0s of 900s)"
  assert_output_has "ok    2 of 2 target(s) healthy"
  for step in "GET /health: HTTP 200" "POST /register (verify-" "POST /login: HTTP 200" \
    "login sets the session cookie" "POST /employees with a 2x3 PNG photo: HTTP 201" \
    "GET /employees/1: HTTP 200" "GET /images/" "the photo is a JPEG 2x3 image" \
    "DELETE /employees/1: HTTP 204" "POST /logout: HTTP 200" "deployment team01 works end to end"; do
    assert_output_has "$step"
  done
  assert_output_lacks "clean-up"
  [[ $(sleeps) == 7 ]] || check_failed "slept '$(sleeps)', expected one poll interval of 7"
  assert_workflow_requests "$WHOLE_WORKFLOW"
  assert_no_unexpected_calls
}

# Photos in S3 (the S3 fake: s3rver behind a proxy that verifies every signature), as deployed:
# the photo comes back from its presigned URL.
good_run_on_s3_fetches_the_presigned_photo() {
  local s3_out s3
  exec {s3_out}< <(exec node "$REPO_DIR/tests/fakes/s3.mjs" --bucket hrapp-team01-uploads \
    --access-key AKIDVERIFY --secret-key verify/secret --region eu-west-1)
  CASE_PIDS+=("$!")
  read -r -t 60 -u "$s3_out" s3 || check_failed "the S3 fake did not start"
  start_hrapp S3_BUCKET_NAME=hrapp-team01-uploads AWS_REGION=eu-west-1 \
    AWS_ENDPOINT_URL_S3="$(sed -E 's/.*"endpoint":"([^"]+)".*/\1/' <<<"$s3")" \
    AWS_ACCESS_KEY_ID=AKIDVERIFY AWS_SECRET_ACCESS_KEY=verify/secret
  stack_outputs
  aws_reply "elbv2 describe-target-health *" 'healthy'
  run_script verify team01
  assert_status 0
  assert_output_has "GET the presigned photo URL: HTTP 200"
  assert_output_has "the photo is a JPEG 2x3 image"
  assert_output_has "deployment team01 works end to end"
  assert_workflow_requests "${WHOLE_WORKFLOW/GET \/images\/PHOTO 200;/}"
}

# An invitation from the app started invitation-only (REGISTRATION=invite, its default): the
# first admin signs up with the setup link's token the app logged, then invites a member.
# Sets INVITATION to the invitation's token; its requests come before the workflow's in the
# access log.
readonly INVITING='POST /register 201;POST /login 200;POST /invitations 201;'
INVITATION=''
an_invitation() {
  local base="http://127.0.0.1:$APP_PORT" jar="$CASE_DIR/admin-cookies" setup='' waited body
  for ((waited = 0; waited < 100; waited++)); do
    setup=$(sed -n 's/.*"msg":"first admin setup link".*"path":"\/#setup=\([^"]*\)".*/\1/p' "$CASE_DIR/app.log" | head -n 1)
    [[ -z $setup ]] || break
    /bin/sleep 0.05
  done
  [[ -n $setup ]] || check_failed "the app logged no setup link: $(cat "$CASE_DIR/app.log")"
  curl -sSf -o /dev/null -H 'Content-Type: application/json' \
    --data "{\"username\":\"lab-admin\",\"password\":\"Trainer-4711-pass\",\"invitation\":\"$setup\"}" "$base/register" ||
    check_failed "the setup link's token did not make an admin"
  curl -sSf -o /dev/null -c "$jar" -H 'Content-Type: application/json' \
    --data '{"username":"lab-admin","password":"Trainer-4711-pass"}' "$base/login" || check_failed "the admin's sign-in failed"
  body=$(curl -sSf -b "$jar" -H 'Content-Type: application/json' --data '{"role":"member"}' "$base/invitations") ||
    check_failed "the admin could not invite"
  INVITATION=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$body")
  [[ -n $INVITATION ]] || check_failed "no token in the invitation: $body"
}

# Invitation-only sign-up: with an invitation the whole workflow runs, as a member.
invitation_goes_with_the_registration() {
  start_hrapp REGISTRATION=invite
  an_invitation
  stack_outputs
  aws_reply "elbv2 describe-target-health *" 'healthy'
  run_script verify --invitation "$INVITATION" team01
  assert_status 0
  assert_output_has ", with the invitation): HTTP 201"
  assert_output_has "deployment team01 works end to end"
  assert_workflow_requests "$INVITING$WHOLE_WORKFLOW"
  # An invitation signs up one account: a second run with it is refused, with the hint.
  run_script verify --invitation "$INVITATION" team01
  assert_status 1
  assert_output_has "HTTP 403, expected 201"
  assert_output_has "needs an invitation: pass --invitation TOKEN, a fresh one"
}

# Invitation-only sign-up without one: the run stops at the registration and says what to pass.
invitation_only_sign_up_needs_one() {
  start_hrapp REGISTRATION=invite
  stack_outputs
  aws_reply "elbv2 describe-target-health *" 'healthy'
  run_script verify team01
  assert_status 1
  assert_output_has 'FAIL  POST /register (verify-'
  assert_output_has '"invitation_required"'
  assert_output_has "sign-up on http://127.0.0.1:$APP_PORT needs an invitation: pass --invitation TOKEN"
  assert_output_lacks "POST /login"
  assert_output_lacks "clean-up"
}

unhealthy_targets_time_out() {
  start_hrapp
  stack_outputs
  aws_reply "elbv2 describe-target-health *" $'unhealthy\tunhealthy'
  VERIFY_HEALTH_TIMEOUT=30 VERIFY_POLL_INTERVAL=10 run_script verify team01
  assert_status 1
  assert_output_has "targets: gave up after 30s (0 of 2 target(s) healthy)"
  [[ $(sleeps | wc -l) == 3 ]] || check_failed "expected 3 sleeps, got: $(sleeps)"
  [[ -z $(app_requests) ]] || check_failed "requests reached the app before it was healthy: $(app_requests)"
}

# The app cannot reach its database: /health answers 503 and nothing is written.
unhealthy_app_fails() {
  start_hrapp DATABASE_URL=postgres://hrapp@127.0.0.1:1/hrapp
  stack_outputs
  aws_reply "elbv2 describe-target-health *" 'healthy'
  run_script verify team01
  assert_status 1
  assert_output_has 'FAIL  GET /health: HTTP 503, expected 200: {"status":"unhealthy"'
  assert_output_lacks "POST /register"
  assert_output_lacks "works end to end"
}

# A photo that is not what was uploaded fails the run after the employee exists: the clean-up
# still deletes it and signs out. `file` reads the fetched bytes; here it finds no image.
failure_after_the_employee_exists_still_cleans_up() {
  mkdir -p "$CASE_DIR/bin"
  printf '#!/bin/sh\necho data\n' >"$CASE_DIR/bin/file"
  chmod +x "$CASE_DIR/bin/file"
  start_hrapp
  stack_outputs
  aws_reply "elbv2 describe-target-health *" 'healthy'
  PATH="$CASE_DIR/bin:$PATH" run_script verify team01
  assert_status 1
  assert_output_has "FAIL  the photo is not a 2x3 image: data"
  assert_output_has "clean-up: employee 1 deleted"
  assert_output_has "clean-up: signed out"
  assert_output_lacks "works end to end"
  assert_workflow_requests "$WHOLE_WORKFLOW"
}

missing_stack_fails() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team09-compute *" "$NO_STACK" 254
  run_script verify team09
  assert_status 1
  assert_output_has "stack hrapp-team09-compute does not exist in eu-west-1: deploy the team first"
  assert_not_called "elbv2 *"
}

other_aws_errors_are_shown_as_they_are() {
  local expired="An error occurred (ExpiredToken) when calling the DescribeStacks operation: The security token included in the request is expired"
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-compute *" "$expired" 254
  run_script verify team01
  assert_status 1
  assert_output_has "cannot read stack hrapp-team01-compute: $expired"
  assert_output_lacks "does not exist"
  assert_output_lacks "deploy the team first"
}

stopped_deployment_is_reported() {
  start_hrapp
  aws_reply "autoscaling describe-auto-scaling-groups *" 0
  aws_reply "rds describe-db-instances *" stopped
  stack_outputs
  run_script verify team01
  assert_status 3
  assert_output_has "deployment team01 is stopped outside its lab hours: database stopped, 0 instance(s) wanted"
  assert_output_has "to start it now: scripts/verify --start team01"
  assert_not_called "elbv2 describe-target-health *"
  assert_not_called "rds start-db-instance *"
  [[ -z $(app_requests) ]] || check_failed "requests reached a stopped deployment: $(app_requests)"
}

start_brings_a_stopped_deployment_back() {
  start_hrapp
  aws_reply "autoscaling describe-auto-scaling-groups *" 0
  aws_reply "rds describe-db-instances *" stopped 0 2
  aws_reply "rds describe-db-instances *" starting 0 1
  aws_reply "rds start-db-instance --db-instance-identifier hrapp-team01-db" '{}'
  aws_reply "autoscaling describe-scheduled-actions --auto-scaling-group-name hrapp-team01-asg *" $'1\t2\t4'
  aws_reply "autoscaling update-auto-scaling-group --auto-scaling-group-name hrapp-team01-asg --min-size 1 --desired-capacity 2 --max-size 4" ''
  stack_outputs
  aws_reply "elbv2 describe-target-health *" 'healthy'
  VERIFY_POLL_INTERVAL=20 run_script verify --start team01
  assert_status 0
  assert_output_has "stopped: database stopped, 0 instance(s) wanted; starting it"
  assert_output_has "database: database stopped, start requested (0s of 1200s)"
  assert_output_has "database: database starting (20s of 1200s)"
  assert_output_has "ok    database available"
  assert_output_has "fleet back to 1-4 instances, 2 wanted"
  assert_output_has "deployment team01 works end to end"
  assert_called "rds start-db-instance *" 1
  assert_called_before "autoscaling update-auto-scaling-group *" "elbv2 describe-target-health *"
  assert_called_before "rds start-db-instance *" "autoscaling update-auto-scaling-group *"
  assert_no_unexpected_calls
}

https_deployment_needs_its_name() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-compute *AlbDnsName*" "hrapp-team01-alb-1.eu-west-1.elb.amazonaws.com"
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-compute *AppUrl*" "https://hrapp-team01-alb-1.eu-west-1.elb.amazonaws.com/"
  run_script verify team01
  assert_status 1
  assert_output_has "hrapp-team01 is served over HTTPS under its certificate's name: set VERIFY_URL=https://<that name>"
  assert_not_called "elbv2 describe-target-health *"
}

# The resources of a deployment as the CDK app makes them; a case replies otherwise first.
readonly VPC=vpc-0abc
readonly TAGS='--filters Name=tag:Project,Values=HRAppLab Name=tag:DeploymentID,Values=team01'
deployed_resources() {
  aws_reply "ec2 describe-vpcs $TAGS *" "$VPC"$'\t10.0.0.0/16'
  aws_reply "ec2 describe-vpc-attribute --vpc-id $VPC --attribute enableDnsSupport --query EnableDnsSupport.Value *" True
  aws_reply "ec2 describe-vpc-attribute --vpc-id $VPC --attribute enableDnsHostnames --query EnableDnsHostnames.Value *" True
  aws_reply "ec2 describe-subnets --filters Name=vpc-id,Values=$VPC *" \
    $'10.0.12.0/24\teu-west-1b\tsubnet-p2\n10.0.1.0/24\teu-west-1a\tsubnet-u1\n10.0.11.0/24\teu-west-1a\tsubnet-p1\n10.0.2.0/24\teu-west-1b\tsubnet-u2'
  aws_reply "ec2 describe-instances $TAGS Name=instance-state-name,Values=pending,running *" \
    "i-01"$'\t'"$VPC"$'\tsubnet-p1\t-\trequired\tarn:aws:iam::111122223333:instance-profile/hrapp-team01\n'"i-02"$'\t'"$VPC"$'\tsubnet-p2\t-\trequired\tarn:aws:iam::111122223333:instance-profile/hrapp-team01'
}

infra_checks_pass_then_the_workflow_runs() {
  start_hrapp
  deployed_resources
  stack_outputs
  aws_reply "elbv2 describe-target-health *" 'healthy'
  run_script verify --infra team01
  assert_status 0
  for step in "VPC $VPC, found by its tags" "VPC $VPC has the CIDR 10.0.0.0/16" \
    "VPC $VPC has enableDnsSupport" "VPC $VPC has enableDnsHostnames" \
    "the subnets span 2 Availability Zones" "instance i-01 is in a private subnet of $VPC" \
    "instance i-02 has no public IP address" "instance i-02 requires IMDSv2 (HttpTokens required)" \
    "instance i-01 has an instance profile" "2 instance(s) found by their tags, 2 wanted by the group"; do
    assert_output_has "ok    $step"
  done
  assert_output_has "deployment team01 works end to end"
  assert_called_before "ec2 describe-instances *" "elbv2 describe-target-health *"
  assert_no_unexpected_calls
}

infra_check_failures_are_each_reported() {
  aws_reply "ec2 describe-vpcs $TAGS *" "$VPC"$'\t172.31.0.0/16'
  aws_reply "ec2 describe-vpc-attribute --vpc-id $VPC --attribute enableDnsHostnames *" False
  aws_reply "ec2 describe-subnets *" $'10.0.1.0/24\teu-west-1a\tsubnet-u1\n10.0.11.0/24\teu-west-1a\tsubnet-p1'
  aws_reply "ec2 describe-instances *" \
    "i-01"$'\t'"$VPC"$'\tsubnet-u1\t203.0.113.7\toptional\t-'
  deployed_resources
  APP_PORT=9 stack_outputs
  run_script verify --infra team01
  assert_status 1
  for problem in "VPC $VPC has the CIDR 10.0.0.0/16 (has 172.31.0.0/16)" "VPC $VPC has enableDnsHostnames" \
    "subnets 10.0.1.0/24 10.0.2.0/24 (public) and 10.0.11.0/24 10.0.12.0/24 (private), found: 10.0.1.0/24 10.0.11.0/24" \
    "the subnets span 2 Availability Zones (span 1)" "instance i-01 is in a private subnet of $VPC" \
    "instance i-01 has no public IP address" "instance i-01 requires IMDSv2 (HttpTokens optional)" \
    "instance i-01 has an instance profile" "1 instance(s) found by their tags, 2 wanted by the group"; do
    assert_output_has "FAIL  $problem"
  done
  assert_output_has "ok    VPC $VPC has enableDnsSupport"
  assert_output_has "9 resource check(s) failed"
  assert_not_called "elbv2 describe-target-health *"
}

no_tagged_vpc_fails() {
  aws_reply "ec2 describe-vpcs *" "None"
  APP_PORT=9 stack_outputs
  run_script verify --infra team01
  assert_status 1
  assert_output_has "expected one VPC tagged Project=HRAppLab, DeploymentID=team01; found: none"
}

bad_arguments_are_refused() {
  run_script verify Team_01
  assert_status 2
  assert_output_has "deployment id 'Team_01' must match"
  run_script verify
  assert_status 2
  run_script verify --invitation
  assert_status 2
  run_script verify --invitation 'a"b' team01
  assert_status 2
  assert_output_has "--invitation must be the token as the invitation gives it"
  run_script verify --help
  assert_status 0
  assert_output_has "Usage: scripts/verify [--start] [--infra] [--invitation TOKEN] DEPLOYMENT_ID"
  assert_not_called "*"
}

run_case "a good run reports every step of the workflow" good_run_reports_every_step
run_case "with photos in S3 the photo comes from its presigned URL" good_run_on_s3_fetches_the_presigned_photo
run_case "with an invitation, invitation-only sign-up runs the workflow, once per invitation" \
  invitation_goes_with_the_registration
run_case "invitation-only sign-up without an invitation says to pass one" invitation_only_sign_up_needs_one
run_case "targets that never become healthy time out" unhealthy_targets_time_out
run_case "an app that cannot reach its database fails the run at /health" unhealthy_app_fails
run_case "a failure after the employee exists still deletes it and signs out" \
  failure_after_the_employee_exists_still_cleans_up
run_case "a team that is not deployed is named as such" missing_stack_fails
run_case "any other aws error is shown as the CLI gave it" other_aws_errors_are_shown_as_they_are
run_case "a deployment stopped by lab hours is reported, not probed" stopped_deployment_is_reported
run_case "--start starts the database, then the fleet, then verifies" start_brings_a_stopped_deployment_back
run_case "an HTTPS deployment is verified at its certificate's name" https_deployment_needs_its_name
run_case "--infra checks the tagged VPC, subnets and instances, then verifies" infra_checks_pass_then_the_workflow_runs
run_case "--infra reports each resource check that fails" infra_check_failures_are_each_reported
run_case "--infra without a tagged VPC fails" no_tagged_vpc_fails
run_case "bad arguments are refused" bad_arguments_are_refused
finish
