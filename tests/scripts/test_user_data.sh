#!/usr/bin/env bash
# The boot rehearsal: deploy/user-data.sh runs for real, as cloud-init runs it, in a scratch
# root (HRAPP_BOOT_ROOT) with recording stand-ins for dnf, aws, systemctl, curl (IMDS and
# /health), useradd, chown, sleep and the CloudWatch agent. Checks the order of the steps,
# the retries, the failure path and the files written.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly INSTANCE=i-0123456789abcdef0
readonly LOG_GROUP=/hrapp/team01/app
readonly PACKAGE_URL=s3://cdk-hnb659fds-assets-111122223333-eu-west-1/0123abcd.gz

# The placeholders as the CDK app fills them (infra/lib/user-data.ts checks there are no others).
render_user_data() {
  sed -e 's|@@RUNTIME_PACKAGES@@|libpq openssl-libs|g' \
    -e "s|@@PACKAGE_S3_URL@@|$PACKAGE_URL|g" \
    -e 's|@@AWS_REGION@@|eu-west-1|g' \
    -e 's|@@APP_PORT@@|5000|g' \
    -e 's|@@DB_SECRET_ARN@@|arn:aws:secretsmanager:eu-west-1:111122223333:secret:hrapp-team01-db-credentials-AbCdEf|g' \
    -e 's|@@S3_BUCKET_NAME@@|hrapp-team01-uploads-111122223333-eu-west-1|g' \
    -e 's|@@DEPLOYMENT_ID@@|team01|g' \
    -e "s|@@LOG_GROUP_NAME@@|$LOG_GROUP|g" \
    -e 's|@@STACK_NAME@@|hrapp-team01-compute|g' \
    -e 's|@@FLEET_LOGICAL_ID@@|FleetASG0123ABCD|g' \
    -e 's|@@HTTPS_ONLY@@|true|g' \
    -e 's|@@TRUSTED_PROXIES@@|10.0.0.0/24,10.0.1.0/24|g' \
    "$REPO_DIR/deploy/user-data.sh" >"$CASE_DIR/user-data.sh"
  ! grep -q '@@' "$CASE_DIR/user-data.sh" || check_failed "placeholders left: $(grep -o '@@[A-Z_]*@@' "$CASE_DIR/user-data.sh")"
}

# A package with the layout of `make package`'s.
make_package() {
  local top=$CASE_DIR/pkg/hrapp-1.0.0
  mkdir -p "$top/bin" "$top/web"
  printf '#!/bin/sh\n' >"$top/bin/hrapp"
  chmod +x "$top/bin/hrapp"
  echo '<!doctype html>' >"$top/web/index.html"
  echo 1.0.0 >"$top/VERSION"
  cp "$REPO_DIR/deploy/hrapp.service" "$top/hrapp.service"
  tar -czf "$CASE_DIR/package.tar.gz" -C "$CASE_DIR/pkg" hrapp-1.0.0
  export FAKE_S3_OBJECT=$CASE_DIR/package.tar.gz
}

# A self-signed CA certificate with SUBJECT, appended to the bundle the trust store serves.
add_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "$1" \
    -keyout "$CASE_DIR/ca.key" -out "$CASE_DIR/ca.pem" 2>/dev/null || check_failed "openssl could not make a CA"
  cat "$CASE_DIR/ca.pem" >>"$FAKE_RDS_BUNDLE"
}
rds_ca() { add_ca "/C=US/O=Amazon Web Services, Inc./OU=Amazon RDS/CN=Amazon RDS eu-west-1 Root CA $1 G1"; }

# Runs the user data as cloud-init would: output to the boot log; sets STATUS and OUTPUT.
# The trust store serves two Amazon RDS CAs unless the case wrote FAKE_RDS_BUNDLE first.
boot() {
  local root=$CASE_DIR/root standins=$CASE_DIR/standins name
  mkdir -p "$root/etc/systemd/system" "$root/etc/logrotate.d" "$root/var/log" "$standins"
  for name in dnf systemctl curl useradd id chown; do
    ln -s "$TESTS_DIR/boot-bin/standin" "$standins/$name"
  done
  render_user_data
  make_package
  if [[ -z ${FAKE_RDS_BUNDLE-} ]]; then
    export FAKE_RDS_BUNDLE=$CASE_DIR/rds-bundle.pem
    rds_ca RSA2048
    rds_ca ECC384
  fi
  STATUS=0
  HRAPP_BOOT_ROOT=$root TMPDIR=$CASE_DIR PATH="$TESTS_DIR/boot-bin:$standins:$PATH" \
    bash "$CASE_DIR/user-data.sh" >"$root/var/log/cloud-init-output.log" 2>&1 </dev/null || STATUS=$?
  OUTPUT=$(cat "$root/var/log/cloud-init-output.log")
  ROOT=$root
}

signals_answered() {
  aws_reply "cloudformation signal-resource --region eu-west-1 --stack-name hrapp-team01-compute --logical-resource-id FleetASG0123ABCD --unique-id $INSTANCE --status *" ""
}
package_downloads() { aws_reply "s3 cp --only-show-errors --region eu-west-1 $PACKAGE_URL *" ""; }
failure_reported() {
  aws_reply "logs create-log-stream --region eu-west-1 --log-group-name $LOG_GROUP --log-stream-name $INSTANCE/boot-failure" ""
  aws_reply "logs put-log-events --region eu-west-1 --log-group-name $LOG_GROUP --log-stream-name $INSTANCE/boot-failure *" "{}"
  aws_reply "autoscaling set-instance-health --region eu-west-1 --instance-id $INSTANCE --health-status Unhealthy --no-should-respect-grace-period" ""
}
# The boot log shipped by the failure path, as one event's message.
shipped_log() {
  grep '^logs put-log-events ' "$FAKE_AWS_DIR/calls" | sed 's/.*--log-events //' |
    python3 -c 'import json, sys; print(json.loads(sys.stdin.read())[0]["message"])'
}
assert_failure_path() {
  assert_called "cloudformation signal-resource * --status FAILURE" 1
  assert_not_called "cloudformation signal-resource * --status SUCCESS"
  assert_called "logs put-log-events *" 1
  assert_called "autoscaling set-instance-health *" 1
  assert_called_before "cloudformation signal-resource * --status FAILURE" "logs put-log-events *"
  assert_called_before "logs put-log-events *" "autoscaling set-instance-health *"
  assert_no_unexpected_calls
}

healthy_boot_in_order() {
  signals_answered
  package_downloads
  boot
  assert_status 0
  assert_output_has "hrapp-boot: instance $INSTANCE"
  assert_output_has "hrapp-boot: the app answers /health"
  assert_called "dnf install -y libpq openssl-libs amazon-cloudwatch-agent openssl" 1
  # Logs ship before anything of the app can fail; the signal comes after /health answers.
  assert_called_before "curl *meta-data/instance-id" "dnf install *"
  assert_called_before "dnf install *" "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s *"
  assert_called_before "amazon-cloudwatch-agent-ctl *" "systemctl enable --now hrapp-log-forward.service"
  assert_called_before "systemctl enable --now hrapp-log-forward.service" "s3 cp *"
  assert_called_before "s3 cp *" "systemctl start hrapp.service"
  assert_called_before "systemctl enable hrapp.service" "systemctl start hrapp.service"
  assert_called_before "systemctl start hrapp.service" "curl * http://127.0.0.1:5000/health"
  assert_called_before "curl * http://127.0.0.1:5000/health" "cloudformation signal-resource *"
  assert_called "cloudformation signal-resource * --status SUCCESS" 1
  assert_called "useradd --system --user-group * hrapp" 1
  assert_called "chown root:hrapp $ROOT/etc/hrapp $ROOT/etc/hrapp/hrapp.env" 1
  assert_not_called "autoscaling *"
  assert_not_called "* --status FAILURE"
  assert_no_unexpected_calls
  [[ -z $(sleeps) ]] || check_failed "waited on a healthy boot: $(sleeps)"

  # The files it leaves.
  [[ -x $ROOT/opt/hrapp/bin/hrapp && -f $ROOT/opt/hrapp/web/index.html ]] || check_failed "package not unpacked to /opt/hrapp"
  cmp -s "$ROOT/etc/systemd/system/hrapp.service" "$REPO_DIR/deploy/hrapp.service" || check_failed "unit not installed"
  local mem_mib max_mib high_mib
  mem_mib=$(($(awk '$1 == "MemTotal:" {print $2}' /proc/meminfo) / 1024))
  max_mib=$(sed -n 's/^MemoryMax=\([0-9]*\)M$/\1/p' "$ROOT/etc/systemd/system/hrapp.service.d/memory.conf")
  high_mib=$(sed -n 's/^MemoryHigh=\([0-9]*\)M$/\1/p' "$ROOT/etc/systemd/system/hrapp.service.d/memory.conf")
  [[ -n $max_mib && -n $high_mib ]] || check_failed "no memory ceiling for the unit"
  ((high_mib < max_mib && max_mib < mem_mib && max_mib * 2 > mem_mib)) ||
    check_failed "memory ceiling $high_mib/$max_mib MiB does not fit $mem_mib MiB"

  [[ $(stat -c %a "$ROOT/etc/hrapp/hrapp.env") == 640 && $(stat -c %a "$ROOT/etc/hrapp") == 750 ]] ||
    check_failed "settings readable by others"
  grep -qx 'DB_SECRET_ARN=arn:aws:secretsmanager:eu-west-1:111122223333:secret:hrapp-team01-db-credentials-AbCdEf' \
    "$ROOT/etc/hrapp/hrapp.env" || check_failed "hrapp.env lacks the secret"
  grep -qx 'APP_HOST=0.0.0.0' "$ROOT/etc/hrapp/hrapp.env" || check_failed "hrapp.env lacks APP_HOST"
  grep -qx 'HTTPS_ONLY=true' "$ROOT/etc/hrapp/hrapp.env" || check_failed "hrapp.env lacks HTTPS_ONLY"
  grep -qx 'TRUSTED_PROXIES=10.0.0.0/24,10.0.1.0/24' "$ROOT/etc/hrapp/hrapp.env" || check_failed "hrapp.env lacks TRUSTED_PROXIES"
  grep -qx 'DB_SSL_ROOT_CERT=/etc/hrapp/rds-ca-bundle.pem' "$ROOT/etc/hrapp/hrapp.env" || check_failed "hrapp.env lacks DB_SSL_ROOT_CERT"
  cmp -s "$ROOT/etc/hrapp/rds-ca-bundle.pem" "$FAKE_RDS_BUNDLE" || check_failed "the RDS CA bundle was not installed"
  assert_called "curl * https://truststore.pki.rds.amazonaws.com/eu-west-1/eu-west-1-bundle.pem" 1
  assert_called_before "curl * https://truststore.pki.rds.amazonaws.com/*" "systemctl start hrapp.service"
  local streams
  streams=$(python3 -c 'import json, sys; print(" ".join(f["file_path"] + ">" + f["log_group_name"] + ":" + f["log_stream_name"] for f in json.load(open(sys.argv[1]))["logs"]["logs_collected"]["files"]["collect_list"]))' \
    "$ROOT/opt/aws/amazon-cloudwatch-agent/etc/hrapp-logs.json") || check_failed "agent configuration is not JSON"
  [[ $streams == "/var/log/cloud-init-output.log>$LOG_GROUP:{instance_id}/boot /var/log/hrapp/app.log>$LOG_GROUP:{instance_id}/app" ]] ||
    check_failed "agent ships: $streams"
  grep -q 'journalctl --unit=hrapp.service' "$ROOT/etc/systemd/system/hrapp-log-forward.service" || check_failed "no journal forwarder"
  grep -q '^/var/log/hrapp/app.log {' "$ROOT/etc/logrotate.d/hrapp" || check_failed "no log rotation"
  [[ -z $(find "$CASE_DIR" -maxdepth 1 -name 'hrapp-package.*') ]] || check_failed "the downloaded package was left behind"
}

transient_dnf_failures_are_retried() {
  export FAKE_FAIL_DNF=2
  signals_answered
  package_downloads
  boot
  assert_status 0
  assert_called "dnf install *" 3
  assert_output_has "attempt 1 of 5 failed, again in 5s: dnf install"
  [[ $(sleeps | tr '\n' ' ') == '5 10 ' ]] || check_failed "waited '$(sleeps | tr '\n' ' ')', expected 5 then 10"
  assert_called "* --status SUCCESS" 1
}

a_failed_download_is_retried() {
  aws_reply "s3 cp *" "" 1 1
  signals_answered
  package_downloads
  boot
  assert_status 0
  assert_called "s3 cp *" 2
  assert_called "* --status SUCCESS" 1
}

dnf_down_for_good_fails_and_asks_for_a_replacement() {
  export FAKE_FAIL_DNF=always
  signals_answered
  failure_reported
  boot
  [[ $STATUS != 0 ]] || check_failed "a failed boot exited 0"
  assert_called "dnf install *" 5
  [[ $(sleeps | tr '\n' ' ') == '5 10 20 30 ' ]] || check_failed "waited '$(sleeps | tr '\n' ' ')'"
  assert_output_has "gave up after 5 attempts: dnf install"
  assert_not_called "systemctl *"
  assert_not_called "s3 cp *"
  assert_failure_path
  # The end of the boot log reached CloudWatch, the agent never having been installed.
  [[ $(shipped_log) == *"gave up after 5 attempts: dnf install"* ]] || check_failed "shipped: $(shipped_log)"
}

app_that_does_not_start_fails_with_its_logs_shipping() {
  export FAKE_FAIL_APP_START=always
  signals_answered
  package_downloads
  failure_reported
  boot
  [[ $STATUS != 0 ]] || check_failed "a failed boot exited 0"
  assert_output_has "Job for hrapp.service failed"
  # The agent and the journal copy were running before the app was started.
  assert_called_before "amazon-cloudwatch-agent-ctl *" "systemctl start hrapp.service"
  assert_called_before "systemctl enable --now hrapp-log-forward.service" "systemctl start hrapp.service"
  assert_not_called "curl * http://127.0.0.1:5000/health"
  assert_failure_path
}

app_that_never_answers_health_fails() {
  export FAKE_FAIL_HEALTH=always
  signals_answered
  package_downloads
  failure_reported
  boot
  [[ $STATUS != 0 ]] || check_failed "a failed boot exited 0"
  assert_called "curl * http://127.0.0.1:5000/health" 6
  assert_output_has "gave up after 6 attempts: curl"
  assert_failure_path
}

bundle_that_is_not_aws_fails() {
  local label=$1
  export FAKE_RDS_BUNDLE=$CASE_DIR/rds-bundle.pem
  : >"$FAKE_RDS_BUNDLE"
  case $label in
    page) echo '<html><body>Access Denied</body></html>' >"$FAKE_RDS_BUNDLE" ;;
    foreign) rds_ca RSA2048 && add_ca "/C=US/O=Someone Else/CN=Some CA" ;;
    key) rds_ca RSA2048 && cat "$CASE_DIR/ca.key" >>"$FAKE_RDS_BUNDLE" ;;
  esac
  signals_answered
  package_downloads
  failure_reported
  boot
  [[ $STATUS != 0 ]] || check_failed "a boot with a bad bundle exited 0"
  assert_output_has "the RDS CA bundle is not AWS's"
  assert_not_called "systemctl start hrapp.service"
  [[ ! -e $ROOT/etc/hrapp/rds-ca-bundle.pem ]] || check_failed "a bad bundle was installed"
  assert_failure_path
}
error_page_for_a_bundle_fails() { bundle_that_is_not_aws_fails page; }
foreign_ca_in_the_bundle_fails() { bundle_that_is_not_aws_fails foreign; }
key_in_the_bundle_fails() { bundle_that_is_not_aws_fails key; }

slow_app_gets_its_health_retries() {
  export FAKE_FAIL_HEALTH=3
  signals_answered
  package_downloads
  boot
  assert_status 0
  assert_called "curl * http://127.0.0.1:5000/health" 4
  assert_called "* --status SUCCESS" 1
}

signal_nobody_waits_for_is_not_a_failure() {
  aws_reply "cloudformation signal-resource *" "" 254
  package_downloads
  boot
  assert_status 0
  assert_called "cloudformation signal-resource * --status SUCCESS" 3
  assert_output_has "no CloudFormation operation took the SUCCESS signal"
  assert_not_called "autoscaling *"
}

run_case "a healthy boot: logs first, the app, /health, then SUCCESS; the files it writes" healthy_boot_in_order
run_case "transient dnf failures are retried with growing waits" transient_dnf_failures_are_retried
run_case "a failed package download is retried" a_failed_download_is_retried
run_case "dnf down for good: FAILURE, the boot log shipped, the instance marked unhealthy" \
  dnf_down_for_good_fails_and_asks_for_a_replacement
run_case "an app that does not start: logs were already shipping; FAILURE and unhealthy" \
  app_that_does_not_start_fails_with_its_logs_shipping
run_case "an app that never answers /health fails after 6 tries" app_that_never_answers_health_fails
run_case "a slow app gets its /health retries" slow_app_gets_its_health_retries
run_case "a SUCCESS signal nobody waits for (a scale-out) does not fail the boot" signal_nobody_waits_for_is_not_a_failure
run_case "an error page instead of the RDS CA bundle fails the boot" error_page_for_a_bundle_fails
run_case "a foreign CA in the RDS CA bundle fails the boot" foreign_ca_in_the_bundle_fails
run_case "a private key in the RDS CA bundle fails the boot" key_in_the_bundle_fails
finish
