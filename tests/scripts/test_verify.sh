#!/usr/bin/env bash
# scripts/verify against the aws stand-in and a stand-in app listening on loopback.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly LB_ARN=arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/hrapp-team01/abc
readonly TG_ARN=arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/hrapp-team01/def

# Starts the stand-in app (FAKE_APP_BREAK breaks one step) and sets APP_PORT.
start_app() {
  exec {app_out}< <(exec node "$TESTS_DIR/fake-app.mjs" 2>"$CASE_DIR/app-requests")
  CASE_PIDS+=("$!")
  read -r -t 10 -u "$app_out" APP_PORT || check_failed "the stand-in app did not start"
}

# A running deployment unless the case replied otherwise first.
stack_outputs() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-compute *AlbDnsName*" "127.0.0.1:$APP_PORT"
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-compute *AppUrl*" "http://127.0.0.1:$APP_PORT/"
  aws_reply "elbv2 describe-load-balancers *DNSName=='127.0.0.1:$APP_PORT'*" "$LB_ARN"
  aws_reply "elbv2 describe-target-groups --load-balancer-arn $LB_ARN *" "$TG_ARN"
  aws_reply "autoscaling describe-auto-scaling-groups --auto-scaling-group-names hrapp-team01-asg *" 2
  aws_reply "rds describe-db-instances --db-instance-identifier hrapp-team01-db *" available
}

# The stand-in app takes only a PNG whose chunk checksums are right, so a pass also proves
# that the photo verify makes is a real PNG.
good_run_reports_every_step() {
  start_app
  stack_outputs
  aws_reply "elbv2 describe-target-health --target-group-arn $TG_ARN *" $'initial\thealthy' 0 1
  aws_reply "elbv2 describe-target-health --target-group-arn $TG_ARN *" $'healthy\thealthy'
  VERIFY_POLL_INTERVAL=7 run_script verify team01
  assert_status 0
  assert_output_has "1 of 2 target(s) healthy (0s of 900s)"
  assert_output_has "ok    2 of 2 target(s) healthy"
  for step in "GET /health: HTTP 200" "POST /register (verify-" "POST /login: HTTP 200" \
    "login sets the session cookie" "POST /employees with a PNG photo: HTTP 201" \
    "GET /employees/1: HTTP 200" "GET the presigned photo URL: HTTP 200" \
    "the fetched photo equals the uploaded one" "DELETE /employees/1: HTTP 204" \
    "POST /logout: HTTP 200" "deployment team01 works end to end"; do
    assert_output_has "$step"
  done
  [[ $(sleeps) == 7 ]] || check_failed "slept '$(sleeps)', expected one poll interval of 7"
  grep -q '^GET /presigned/uploads/team01/.*X-Amz-Signature' "$CASE_DIR/app-requests" ||
    check_failed "the photo was not fetched from its presigned URL"
  assert_no_unexpected_calls
}

unhealthy_targets_time_out() {
  start_app
  stack_outputs
  aws_reply "elbv2 describe-target-health *" $'unhealthy\tunhealthy'
  VERIFY_HEALTH_TIMEOUT=30 VERIFY_POLL_INTERVAL=10 run_script verify team01
  assert_status 1
  assert_output_has "targets: gave up after 30s (0 of 2 target(s) healthy)"
  [[ $(sleeps | wc -l) == 3 ]] || check_failed "expected 3 sleeps, got: $(sleeps)"
  grep -q . "$CASE_DIR/app-requests" && check_failed "requests reached the app before it was healthy"
  return 0
}

failing_step_stops_the_run() {
  local broken=$1 expected=$2
  export FAKE_APP_BREAK=$broken
  start_app
  stack_outputs
  aws_reply "elbv2 describe-target-health *" 'healthy'
  run_script verify team01
  assert_status 1
  assert_output_has "$expected"
  assert_output_lacks "works end to end"
}
failed_login_fails() { failing_step_stops_the_run login "FAIL  POST /login: HTTP 401, expected 200"; }
unhealthy_app_fails() { failing_step_stops_the_run health "FAIL  GET /health: HTTP 503"; }
wrong_photo_bytes_fail() { failing_step_stops_the_run photo "FAIL  the fetched photo equals the uploaded one"; }

missing_stack_fails() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team09-compute *" "" 254
  run_script verify team09
  assert_status 1
  assert_output_has "stack hrapp-team09-compute not found: deploy the team first"
  assert_not_called "elbv2 *"
}

stopped_deployment_is_reported() {
  start_app
  aws_reply "autoscaling describe-auto-scaling-groups *" 0
  aws_reply "rds describe-db-instances *" stopped
  stack_outputs
  run_script verify team01
  assert_status 3
  assert_output_has "deployment team01 is stopped outside its lab hours: database stopped, 0 instance(s) wanted"
  assert_output_has "to start it now: scripts/verify --start team01"
  assert_not_called "elbv2 describe-target-health *"
  assert_not_called "rds start-db-instance *"
  grep -q . "$CASE_DIR/app-requests" && check_failed "requests reached a stopped deployment"
  return 0
}

start_brings_a_stopped_deployment_back() {
  start_app
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

bad_arguments_are_refused() {
  run_script verify Team_01
  assert_status 2
  assert_output_has "deployment id 'Team_01' must match"
  run_script verify
  assert_status 2
  run_script verify --help
  assert_status 0
  assert_output_has "Usage: scripts/verify [--start] DEPLOYMENT_ID"
  assert_not_called "*"
}

run_case "a good run reports every step of the workflow" good_run_reports_every_step
run_case "targets that never become healthy time out" unhealthy_targets_time_out
run_case "a refused login fails the run" failed_login_fails
run_case "an unhealthy app fails the run" unhealthy_app_fails
run_case "a photo that comes back different fails the run" wrong_photo_bytes_fail
run_case "a team that is not deployed fails" missing_stack_fails
run_case "a deployment stopped by lab hours is reported, not probed" stopped_deployment_is_reported
run_case "--start starts the database, then the fleet, then verifies" start_brings_a_stopped_deployment_back
run_case "an HTTPS deployment is verified at its certificate's name" https_deployment_needs_its_name
run_case "bad arguments are refused" bad_arguments_are_refused
finish
