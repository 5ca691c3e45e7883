#!/usr/bin/env bash
# scripts/teardown against canned answers of the aws stand-in and a CDK stand-in.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ACCOUNT=111122223333
readonly BUCKET=hrapp-team01-uploads-111122223333-eu-west-1
readonly LOG_BUCKET=hrapp-team01-logs-111122223333-eu-west-1
readonly SECRET=arn:aws:secretsmanager:eu-west-1:111122223333:secret:hrapp-team01-db-AbCdEf
readonly VERSIONS='{"Objects": [{"Key": "uploads/team01/a.png", "VersionId": "v1"}, {"Key": "uploads/team01/a.png", "VersionId": "v2"}, {"Key": "uploads/team01/b.png", "VersionId": "m1"}], "Quiet": true}'
readonly NO_VERSIONS='{"Objects": [], "Quiet": true}'

account() { aws_reply "sts get-caller-identity *" "$ACCOUNT"; }
# Also: no log bucket, unless the case replied otherwise first.
stacks_gone() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-* *" "" 254
  aws_reply "s3api head-bucket --bucket $LOG_BUCKET" "" 254
  aws_reply "logs describe-log-groups *" "None"
}
nothing_tagged_after_a_while() {
  aws_reply "resourcegroupstaggingapi get-resources --tag-filters Key=DeploymentID,Values=team01 *" \
    "arn:aws:ec2:eu-west-1:$ACCOUNT:vpc/vpc-0123" 0 1
  aws_reply "resourcegroupstaggingapi get-resources --tag-filters Key=DeploymentID,Values=team01 *" "None"
}

removes_everything() {
  account
  aws_reply "s3api head-bucket --bucket $BUCKET" "" 0 1
  aws_reply "s3api head-bucket --bucket $BUCKET" "" 254
  aws_reply "s3api list-object-versions --bucket $BUCKET --max-items 1000 *" "$VERSIONS" 0 1
  aws_reply "s3api list-object-versions --bucket $BUCKET --max-items 1000 *" "$NO_VERSIONS"
  aws_reply "s3api delete-objects --bucket $BUCKET --delete *v1*v2*m1* *" "0"
  stacks_gone
  aws_reply "secretsmanager list-secrets --include-planned-deletion *Values=team01*" "$SECRET"
  aws_reply "secretsmanager delete-secret --secret-id $SECRET --force-delete-without-recovery" "{}"
  nothing_tagged_after_a_while
  TEARDOWN_POLL_INTERVAL=9 run_script teardown team01
  assert_status 0
  assert_output_has "bucket $BUCKET is empty (3 version(s) and marker(s) deleted)"
  assert_output_has "cdk destroy finished"
  assert_output_has "hrapp-team01-network is gone"
  assert_output_has "secret $SECRET deleted without recovery window"
  assert_output_has "tagging API: 1 resource(s) still listed (0s of 600s)"
  assert_output_has "deployment team01 is gone"
  assert_called "cdk destroy --force --no-notices hrapp-team01-\* -c deployment_id=team01 (in $REPO_DIR/infra)" 1
  assert_called_before "s3api delete-objects *" "cdk destroy *"
  assert_called_before "cdk destroy *" "secretsmanager delete-secret *"
  assert_called_before "secretsmanager delete-secret *" "resourcegroupstaggingapi *"
  assert_not_called "cloudformation delete-stack *"
  assert_not_called "*hrapp-security*"
  [[ $(sleeps) == 9 ]] || check_failed "slept '$(sleeps)', expected one 9 s wait for the tagging API"
  assert_no_unexpected_calls
}

leftover_resource_fails() {
  account
  aws_reply "s3api head-bucket *" "" 254
  stacks_gone
  aws_reply "secretsmanager list-secrets *" "None"
  aws_reply "resourcegroupstaggingapi get-resources *" \
    $'arn:aws:rds:eu-west-1:111122223333:snapshot:hrapp-team01-final\tarn:aws:logs:eu-west-1:111122223333:log-group:/hrapp/team01'
  TEARDOWN_SETTLE_TIMEOUT=60 TEARDOWN_POLL_INTERVAL=30 run_script teardown team01
  assert_status 1
  assert_output_has "tagging API: gave up after 60s (2 resource(s) still listed)"
  assert_output_has "deployment team01 is NOT fully removed"
  assert_output_has "resource arn:aws:rds:eu-west-1:111122223333:snapshot:hrapp-team01-final"
  assert_output_has "resource arn:aws:logs:eu-west-1:111122223333:log-group:/hrapp/team01"
  assert_called "resourcegroupstaggingapi get-resources *" 3
}

second_run_finds_nothing_to_do() {
  account
  aws_reply "s3api head-bucket *" "" 254
  stacks_gone
  aws_reply "secretsmanager list-secrets *" "None"
  aws_reply "resourcegroupstaggingapi get-resources *" "None"
  run_script teardown team01
  assert_status 0
  assert_output_has "no bucket $BUCKET"
  assert_output_has "no secrets"
  assert_output_has "nothing tagged DeploymentID=team01"
  assert_not_called "*delete*"
  [[ -z $(sleeps) ]] || check_failed "waited with nothing left: $(sleeps)"
}

failed_cdk_destroy_falls_back_to_cloudformation() {
  export FAKE_CDK_EXIT=1 INFRA_DIR="$CASE_DIR/infra"
  mkdir -p "$INFRA_DIR"
  account
  aws_reply "s3api head-bucket *" "" 254
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-data *" "DELETE_FAILED"
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-logs *" "CREATE_COMPLETE"
  stacks_gone
  aws_reply "cloudformation delete-stack --stack-name hrapp-team01-*" ""
  aws_reply "cloudformation wait stack-delete-complete --stack-name hrapp-team01-*" ""
  aws_reply "secretsmanager list-secrets *" "None"
  aws_reply "resourcegroupstaggingapi get-resources *" "None"
  run_script teardown team01
  assert_status 0
  assert_output_has "cdk destroy failed: deleting what is left through CloudFormation"
  assert_output_has "hrapp-team01-data deleted"
  assert_output_has "hrapp-team01-logs deleted"
  assert_called "cdk destroy * (in $INFRA_DIR)" 1
  assert_called_before "cloudformation delete-stack --stack-name hrapp-team01-data" \
    "cloudformation wait stack-delete-complete --stack-name hrapp-team01-data"
  # The data stack writes to the logs stack's groups: it goes first.
  assert_called_before "cloudformation wait stack-delete-complete --stack-name hrapp-team01-data" \
    "cloudformation delete-stack --stack-name hrapp-team01-logs"
}

stack_that_cannot_be_deleted_fails() {
  account
  aws_reply "s3api head-bucket *" "" 254
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-network *" "DELETE_FAILED"
  stacks_gone
  aws_reply "cloudformation delete-stack --stack-name hrapp-team01-network" ""
  aws_reply "cloudformation wait stack-delete-complete *" "" 255
  aws_reply "cloudformation describe-stack-events --stack-name hrapp-team01-network *" \
    "The vpc 'vpc-0123' has dependencies and cannot be deleted."
  aws_reply "secretsmanager list-secrets *" "None"
  aws_reply "resourcegroupstaggingapi get-resources *" "None"
  run_script teardown team01
  assert_status 1
  assert_output_has "FAIL  hrapp-team01-network was not deleted: The vpc 'vpc-0123' has dependencies"
  assert_output_has "  stack hrapp-team01-network"
}

retained_bucket_is_deleted() {
  account
  aws_reply "s3api head-bucket --bucket $BUCKET" ""
  aws_reply "s3api list-object-versions *" "$NO_VERSIONS"
  aws_reply "s3api delete-bucket --bucket $BUCKET" ""
  stacks_gone
  aws_reply "secretsmanager list-secrets *" "None"
  aws_reply "resourcegroupstaggingapi get-resources *" "None"
  run_script teardown team01
  assert_status 0
  assert_output_has "retained bucket $BUCKET deleted"
  assert_called "s3api delete-bucket --bucket $BUCKET" 1
  assert_called_before "cdk destroy *" "s3api delete-bucket *"
}

retained_log_bucket_is_deleted() {
  account
  aws_reply "s3api head-bucket --bucket $BUCKET" "" 254
  aws_reply "s3api head-bucket --bucket $LOG_BUCKET" ""
  aws_reply "s3api list-object-versions --bucket $LOG_BUCKET --max-items 1000 *" \
    '{"Objects": [{"Key": "load-balancer/AWSLogs/111122223333/x.log.gz", "VersionId": "null"}], "Quiet": true}' 0 1
  aws_reply "s3api list-object-versions --bucket $LOG_BUCKET *" "$NO_VERSIONS"
  aws_reply "s3api delete-objects --bucket $LOG_BUCKET --delete *x.log.gz* *" "0"
  aws_reply "s3api delete-bucket --bucket $LOG_BUCKET" ""
  stacks_gone
  aws_reply "secretsmanager list-secrets *" "None"
  aws_reply "resourcegroupstaggingapi get-resources *" "None"
  run_script teardown team01
  assert_status 0
  assert_output_has "bucket $LOG_BUCKET is empty (1 version(s) and marker(s) deleted)"
  assert_output_has "retained bucket $LOG_BUCKET deleted"
  assert_output_has "no bucket $BUCKET"
  assert_called "s3api delete-bucket --bucket $LOG_BUCKET" 1
  assert_called_before "cdk destroy *" "s3api delete-objects --bucket $LOG_BUCKET *"
  assert_no_unexpected_calls
}

# The team's six stacks exist, tagged with ENVIRONMENT (lab or production).
deployed_as() {
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-* --query Stacks?0?.StackStatus *" "CREATE_COMPLETE" 0 6
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-* --query Stacks?0?.Tags*" "$1"
}

production_is_refused_before_anything_is_deleted() {
  account
  deployed_as production
  run_script teardown team01
  assert_status 1
  assert_output_has "FAIL  deployment team01 is environment=production: its photos, database and secret are meant to survive"
  assert_output_has "nothing was deleted; to delete it anyway: scripts/teardown --production team01"
  assert_not_called "*delete*"
  assert_not_called "s3api *"
  assert_not_called "cdk *"
  assert_not_called "rds *"
  assert_no_unexpected_calls
}

untagged_stacks_with_a_protected_database_count_as_production() {
  account
  deployed_as ""
  aws_reply "rds describe-db-instances --db-instance-identifier hrapp-team01-db --query *" "True"
  run_script teardown team01
  assert_status 1
  assert_output_has "FAIL  deployment team01 is environment=production"
  assert_not_called "*delete*"
  assert_not_called "s3api *"
  assert_no_unexpected_calls
}

readonly APP_LOGS=/hrapp/team01/app
readonly DB_LOGS=/aws/rds/instance/hrapp-team01-db/postgresql
readonly LOGS_ARN="arn:aws:logs:eu-west-1:$ACCOUNT:log-group:"
# A production deployment torn down with --production: its logs stack stays with its groups.
production_torn_down() {
  account
  deployed_as production
  aws_reply "rds describe-db-instances --db-instance-identifier hrapp-team01-db" "{}"
  aws_reply "rds modify-db-instance --db-instance-identifier hrapp-team01-db --no-deletion-protection --apply-immediately" "{}"
  aws_reply "cloudformation describe-stacks --stack-name hrapp-team01-logs --query Stacks?0?.StackStatus *" "CREATE_COMPLETE"
  aws_reply "cloudformation describe-stack-resources --stack-name hrapp-team01-logs *" "$APP_LOGS"$'\t'"$DB_LOGS"
  aws_reply "logs describe-log-groups --log-group-name-prefix /hrapp/team01/ *" "$APP_LOGS"
  aws_reply "logs describe-log-groups --log-group-name-prefix /aws/rds/instance/hrapp-team01-db/ *" "$DB_LOGS"
  aws_reply "s3api head-bucket *" "" 254
  stacks_gone
  aws_reply "secretsmanager list-secrets *" "None"
}

production_keeps_the_logs_stack_and_the_final_snapshot() {
  production_torn_down
  aws_reply "resourcegroupstaggingapi get-resources *" \
    "arn:aws:rds:eu-west-1:$ACCOUNT:snapshot:hrapp-team01-db-final"$'\t'"$LOGS_ARN$APP_LOGS"$'\t'"$LOGS_ARN$DB_LOGS"$'\t'"arn:aws:cloudformation:eu-west-1:$ACCOUNT:stack/hrapp-team01-logs/0f0e"
  run_script teardown --production team01
  assert_status 0
  assert_output_has "warn  deployment team01 is environment=production and --production was given: deleting its data"
  assert_output_has "deletion protection of hrapp-team01-db turned off (its final snapshot is kept)"
  assert_output_has "kept: stack hrapp-team01-logs and its log groups; a redeploy of team01 takes them over"
  assert_output_has "kept: arn:aws:rds:eu-west-1:$ACCOUNT:snapshot:hrapp-team01-db-final"
  assert_output_has "kept: $LOGS_ARN$DB_LOGS"
  assert_output_has "kept: log group $APP_LOGS"
  assert_output_has "kept: log group $DB_LOGS"
  assert_output_has "deployment team01 is gone but for what production keeps"
  assert_called "cdk destroy --force --no-notices hrapp-team01-compute hrapp-team01-secrets hrapp-team01-data hrapp-team01-storage hrapp-team01-network -c deployment_id=team01 *" 1
  assert_not_called "cloudformation delete-stack --stack-name hrapp-team01-logs"
  assert_called_before "rds modify-db-instance *" "cdk destroy *"
  assert_no_unexpected_calls
}

production_still_fails_on_what_it_does_not_keep() {
  aws_reply "logs describe-log-groups --log-group-name-prefix /aws/lambda/hrapp-team01- *" "/aws/lambda/hrapp-team01-db-rotation"
  production_torn_down
  aws_reply "resourcegroupstaggingapi get-resources *" "$LOGS_ARN$APP_LOGS"$'\t'"arn:aws:s3:::hrapp-team01-uploads"
  run_script teardown --production team01
  assert_status 1
  assert_output_has "kept: log group $APP_LOGS"
  assert_output_has "  resource arn:aws:s3:::hrapp-team01-uploads"
  assert_output_has "  log group /aws/lambda/hrapp-team01-db-rotation"
  assert_output_lacks "  resource $LOGS_ARN$APP_LOGS"
}

lab_stacks_are_torn_down_without_the_flag() {
  account
  deployed_as lab
  aws_reply "s3api head-bucket *" "" 254
  stacks_gone
  aws_reply "secretsmanager list-secrets *" "None"
  aws_reply "resourcegroupstaggingapi get-resources *" "None"
  run_script teardown team01
  assert_status 0
  assert_output_has "deployment team01 is environment=lab"
  assert_called_before "cloudformation describe-stacks * --query Stacks?0?.Tags*" "s3api head-bucket *"
  assert_not_called "rds *"
}

secret_that_refuses_deletion_is_reported() {
  account
  aws_reply "s3api head-bucket *" "" 254
  stacks_gone
  aws_reply "secretsmanager list-secrets *" "$SECRET"
  aws_reply "secretsmanager delete-secret *" "" 254
  aws_reply "resourcegroupstaggingapi get-resources *" "None"
  run_script teardown team01
  assert_status 1
  assert_output_has "FAIL  secret $SECRET was not deleted: An error occurred (StandIn)"
  assert_output_has "a resource policy that denies deletion must be removed first"
  assert_output_has "  secret $SECRET"
  assert_called "resourcegroupstaggingapi get-resources *" 1
}

untagged_log_groups_are_found_by_name() {
  account
  aws_reply "s3api head-bucket *" "" 254
  aws_reply "logs describe-log-groups --log-group-name-prefix /aws/rds/instance/hrapp-team01-db/ *" \
    "/aws/rds/instance/hrapp-team01-db/postgresql"
  aws_reply "logs describe-log-groups --log-group-name-prefix /aws/lambda/hrapp-team01- *" \
    $'/aws/lambda/hrapp-team01-db-rotation\t/aws/lambda/hrapp-team01-storage-CustomS3AutoDeleteObj-AbC'
  stacks_gone
  aws_reply "secretsmanager list-secrets *" "None"
  aws_reply "resourcegroupstaggingapi get-resources *" "None"
  run_script teardown team01
  assert_status 1
  assert_output_has "nothing tagged DeploymentID=team01"
  assert_output_has "  log group /aws/rds/instance/hrapp-team01-db/postgresql"
  assert_output_has "  log group /aws/lambda/hrapp-team01-db-rotation"
  assert_output_has "  log group /aws/lambda/hrapp-team01-storage-CustomS3AutoDeleteObj-AbC"
  assert_called "logs describe-log-groups --log-group-name-prefix /hrapp/team01/ *" 1
}

bad_arguments_are_refused() {
  run_script teardown
  assert_status 2
  run_script teardown 'hrapp-*'
  assert_status 2
  run_script teardown team01 --force
  assert_status 2
  TEARDOWN_SETTLE_TIMEOUT=-1 run_script teardown team01
  assert_status 2
  run_script teardown --help
  assert_status 0
  assert_output_has "The account stack hrapp-security is never touched"
  assert_not_called "*"
}

run_case "removes bucket versions, stacks and secrets, then finds nothing tagged" removes_everything
run_case "a resource still tagged with the deployment id fails" leftover_resource_fails
run_case "a second run finds nothing to do and passes" second_run_finds_nothing_to_do
run_case "a failed cdk destroy falls back to CloudFormation" failed_cdk_destroy_falls_back_to_cloudformation
run_case "a stack that cannot be deleted fails with its reason" stack_that_cannot_be_deleted_fails
run_case "a retained bucket is emptied and deleted" retained_bucket_is_deleted
run_case "a production log bucket is emptied and deleted" retained_log_bucket_is_deleted
run_case "production is refused before anything is deleted" production_is_refused_before_anything_is_deleted
run_case "untagged stacks with a protected database count as production" \
  untagged_stacks_with_a_protected_database_count_as_production
run_case "production with --production: protection off, the final snapshot and the logs stack kept" \
  production_keeps_the_logs_stack_and_the_final_snapshot
run_case "production with --production still fails on anything else left" production_still_fails_on_what_it_does_not_keep
run_case "lab stacks are torn down without the flag" lab_stacks_are_torn_down_without_the_flag
run_case "a secret that refuses deletion is reported, not a crash" secret_that_refuses_deletion_is_reported
run_case "log groups without tags are found by name" untagged_log_groups_are_found_by_name
run_case "bad arguments are refused" bad_arguments_are_refused
finish
