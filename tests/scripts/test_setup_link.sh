#!/usr/bin/env bash
# scripts/setup-link against the aws stand-in, and once with the real app's own log line.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ALB=hrapp-team01-alb-1.eu-west-1.elb.amazonaws.com
readonly NO_STACK="An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id hrapp-team09-compute does not exist"
readonly FILTER='{ $.msg = "first admin setup link" }'

# The team's stacks, served over HTTP unless a case replied otherwise first.
stack_outputs() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-compute *AppUrl*" "${1:-http://$ALB/}"
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-logs *AppLogGroupName*" /hrapp/team01/app
}
# A log line as the app writes it.
setup_line() {
  printf '{"time":"%s","level":"warn","msg":"first admin setup link","path":"/#setup=%s","url":"http://0.0.0.0:5000/#setup=%s"}' "$1" "$2" "$2"
}
# Rows as the CLI's text output gives them: timestamp, stream, message.
events() {
  local row
  for row in "$@"; do printf '%s\n' "$row"; done
}

prints_the_newest_link_at_the_load_balancer() {
  stack_outputs
  # Two instances' streams, not in time order.
  aws_reply "logs filter-log-events --log-group-name /hrapp/team01/app --filter-pattern $FILTER *" "$(events \
    $'1764950400000\ti-0aaa/app\t'"$(setup_line 2025-12-05T16:00:00Z newest-Token_1)" \
    $'1764946800000\ti-0bbb/app\t'"$(setup_line 2025-12-05T15:00:00Z older-token)" \
    $'1764943200000\ti-0aaa/app\t'"$(setup_line 2025-12-05T14:00:00Z oldest-token)")"
  run_script setup-link team01
  assert_status 0
  assert_output_has "ok    http://$ALB"
  assert_output_has "the newest of 3: logged by i-0aaa at 2025-12-05 16:00:00 UTC"
  [[ ${OUTPUT##*$'\n'} == "http://$ALB/#setup=newest-Token_1" ]] || check_failed "last line: ${OUTPUT##*$'\n'}"
  # Only the link on standard output.
  local link
  link=$("$REPO_DIR/scripts/setup-link" team01 2>/dev/null)
  [[ $link == "http://$ALB/#setup=newest-Token_1" ]] || check_failed "standard output: $link"
  # (The query's brackets would be a glob's: the stars stand for them.)
  assert_called "logs filter-log-events --log-group-name /hrapp/team01/app --filter-pattern $FILTER --query events*timestamp, logStreamName, message* --output text"
  assert_no_unexpected_calls
}

https_needs_the_certificates_name() {
  stack_outputs "https://$ALB/"
  aws_reply "logs filter-log-events *" $'1764950400000\ti-0aaa/app\t'"$(setup_line 2025-12-05T16:00:00Z tok)"
  run_script setup-link team01
  assert_status 1
  assert_output_has "hrapp-team01 is served over HTTPS under its certificate's name: pass --url https://<that name>"
  assert_not_called "logs *"
  run_script setup-link --url https://hr.example.com/ team01
  assert_status 0
  [[ ${OUTPUT##*$'\n'} == "https://hr.example.com/#setup=tok" ]] || check_failed "last line: ${OUTPUT##*$'\n'}"
}

no_link_is_explained() {
  stack_outputs
  aws_reply "logs filter-log-events *" "None"
  run_script setup-link team01
  assert_status 1
  assert_output_has "FAIL  no 'first admin setup link' in /hrapp/team01/app"
  assert_output_has "either hrapp-team01 has had an"
  assert_output_lacks "#setup="
}

a_line_without_a_setup_path_is_refused() {
  stack_outputs
  aws_reply "logs filter-log-events *" \
    $'1764950400000\ti-0aaa/app\t{"level":"warn","msg":"first admin setup link","path":"/#setup=a b"}'
  run_script setup-link team01
  assert_status 1
  assert_output_has "the newest 'first admin setup link' event (stream i-0aaa/app) has no path /#setup=TOKEN"
}

missing_stack_fails() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team09-compute *" "$NO_STACK" 254
  run_script setup-link team09
  assert_status 1
  assert_output_has "stack hrapp-team09-compute does not exist in eu-west-1: deploy the team first"
  assert_not_called "logs *"
}

unreadable_log_group_fails() {
  stack_outputs
  aws_reply "logs filter-log-events *" "An error occurred (AccessDeniedException) when calling the FilterLogEvents operation" 254
  run_script setup-link team01
  assert_status 1
  assert_output_has "AccessDeniedException"
  assert_output_has "cannot read the log group /hrapp/team01/app"
}

# The real app, invitation-only with no admin: its own log line, as CloudWatch would hold it,
# gives a link whose token makes the first admin, once.
the_apps_own_line_makes_the_first_admin() {
  local line='' link token body waited
  start_hrapp REGISTRATION=invite
  # It names the port, so it may come just after the app starts listening.
  for ((waited = 0; waited < 100; waited++)); do
    line=$(grep -m 1 '"msg":"first admin setup link"' "$CASE_DIR/app.log") && break
    /bin/sleep 0.05
  done
  [[ -n $line ]] || check_failed "the app logged no setup link: $(cat "$CASE_DIR/app.log")"
  stack_outputs "http://127.0.0.1:$APP_PORT/"
  aws_reply "logs filter-log-events *" $'1764950400000\ti-0aaa/app\t'"$line"
  run_script setup-link team01
  assert_status 0
  link=${OUTPUT##*$'\n'}
  [[ $link == "http://127.0.0.1:$APP_PORT/#setup="* ]] || check_failed "link: $link"
  token=${link#*#setup=}
  body=$(curl -sS -w ' %{http_code}' -H 'Content-Type: application/json' \
    --data "{\"username\":\"first-admin\",\"password\":\"Lab-admin-4711-x\",\"invitation\":\"$token\"}" \
    "http://127.0.0.1:$APP_PORT/register")
  [[ $body == *'"role":"admin"'*' 201' ]] || check_failed "registration with the link's token: $body"
  body=$(curl -sS -w ' %{http_code}' -H 'Content-Type: application/json' \
    --data "{\"username\":\"second\",\"password\":\"Lab-admin-4711-y\",\"invitation\":\"$token\"}" \
    "http://127.0.0.1:$APP_PORT/register")
  [[ $body == *'"invitation_required"'*' 403' ]] || check_failed "the token worked twice: $body"
}

bad_arguments_are_refused() {
  run_script setup-link Team_01
  assert_status 2
  assert_output_has "deployment id 'Team_01' must match"
  run_script setup-link
  assert_status 2
  run_script setup-link --url
  assert_status 2
  run_script setup-link --url 'hr.example.com' team01
  assert_status 2
  assert_output_has "--url must be a scheme and a host name"
  run_script setup-link --help
  assert_status 0
  assert_output_has "Usage: scripts/setup-link [--url URL] DEPLOYMENT_ID"
  assert_not_called "*"
}

run_case "prints the newest link at the load balancer's address, alone on standard output" \
  prints_the_newest_link_at_the_load_balancer
run_case "an HTTPS deployment needs --url with its certificate's name" https_needs_the_certificates_name
run_case "no link in the log is explained" no_link_is_explained
run_case "a logged line without a setup path is refused" a_line_without_a_setup_path_is_refused
run_case "a team that is not deployed is named as such" missing_stack_fails
run_case "a log group that cannot be read fails with the CLI's message" unreadable_log_group_fails
run_case "the real app's own line gives a link that makes the first admin, once" \
  the_apps_own_line_makes_the_first_admin
run_case "bad arguments are refused" bad_arguments_are_refused
finish
