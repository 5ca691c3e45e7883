#!/bin/bash
# Boots one hrapp instance on Amazon Linux 2023. The CDK app (infra/lib/user-data.ts) fills in
# every placeholder at synthesis; cloud-init logs the output to /var/log/cloud-init-output.log.
#
# Order matters: logs are shipped before the app starts, and CloudFormation (the group's
# creation policy and rolling updates wait for it) hears SUCCESS only once the app's /health
# answers. Transient failures (dnf mirrors, the package download) are retried; a final failure
# signals FAILURE, ships the end of this log and marks the instance unhealthy, so the group
# replaces it.
#
# HRAPP_BOOT_ROOT, unset on an instance, roots every file this script writes: the boot
# rehearsal (tests/scripts/test_user_data.sh) runs it for real in a scratch directory.
set -euo pipefail

readonly root=${HRAPP_BOOT_ROOT:-}
readonly region='@@AWS_REGION@@'
readonly log_group='@@LOG_GROUP_NAME@@'
readonly agent_dir=/opt/aws/amazon-cloudwatch-agent
readonly boot_log=/var/log/cloud-init-output.log
instance_id=''

say() { printf 'hrapp-boot: %s\n' "$*" >&2; }

# retry ATTEMPTS COMMAND...: waits 5, 10, 20, 30, 30... seconds between attempts.
retry() {
  local attempts=$1 attempt=1 delay=5
  shift
  until "$@"; do
    if ((attempt >= attempts)); then
      say "gave up after $attempts attempts: $*"
      return 1
    fi
    say "attempt $attempt of $attempts failed, again in ${delay}s: $*"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

imds() {
  local token
  token=$(curl -sSf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token) &&
    curl -sSf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

# Answers the group's creation policy or rolling update; outside one there is nothing to answer.
signal() {
  aws cloudformation signal-resource --region "$region" --stack-name '@@STACK_NAME@@' \
    --logical-resource-id '@@FLEET_LOGICAL_ID@@' --unique-id "$instance_id" --status "$1"
}

# The end of this log as one event, sent with the CLI: the agent may be what failed.
ship_boot_log() {
  local events
  events=$(tail -n 200 "$root$boot_log" 2>/dev/null | python3 -c \
    'import json, sys, time; print(json.dumps([{"timestamp": int(time.time() * 1000), "message": sys.stdin.read() or "(empty boot log)"}]))')
  aws logs create-log-stream --region "$region" --log-group-name "$log_group" \
    --log-stream-name "$instance_id/boot-failure" 2>/dev/null || true
  aws logs put-log-events --region "$region" --log-group-name "$log_group" \
    --log-stream-name "$instance_id/boot-failure" --log-events "$events" >/dev/null
}

boot_failed() {
  local status=$?
  ((status != 0)) || return 0
  set +e
  say "boot failed (exit $status)"
  [[ -n $instance_id ]] || instance_id=$(imds instance-id)
  signal FAILURE || say "could not signal FAILURE to CloudFormation"
  ship_boot_log || say "could not ship the boot log to $log_group"
  aws autoscaling set-instance-health --region "$region" --instance-id "$instance_id" \
    --health-status Unhealthy --no-should-respect-grace-period ||
    say "could not mark the instance unhealthy"
  exit "$status"
}
trap boot_failed EXIT

instance_id=$(retry 5 imds instance-id)
say "instance $instance_id"

# 1. The binary's shared libraries (deploy/runtime-packages.txt), the log shipper, and openssl
# to check the database's certificate bundle.
retry 5 dnf install -y @@RUNTIME_PACKAGES@@ amazon-cloudwatch-agent openssl

# 2. Logs before anything can fail at start-up: this boot log, and the app's journal, which
# a small unit copies to a file (the agent reads files, not the journal), resuming from its
# cursor.
install -d -m 0755 "$root/var/log/hrapp" "$root/var/lib/hrapp-log-forward" "$root$agent_dir/etc"
cat >"$root$agent_dir/etc/hrapp-logs.json" <<'AGENT'
{
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          {
            "file_path": "/var/log/cloud-init-output.log",
            "log_group_name": "@@LOG_GROUP_NAME@@",
            "log_stream_name": "{instance_id}/boot"
          },
          {
            "file_path": "/var/log/hrapp/app.log",
            "log_group_name": "@@LOG_GROUP_NAME@@",
            "log_stream_name": "{instance_id}/app"
          }
        ]
      }
    }
  }
}
AGENT
"$root$agent_dir/bin/amazon-cloudwatch-agent-ctl" -a fetch-config -m ec2 -s \
  -c "file:$root$agent_dir/etc/hrapp-logs.json"
cat >"$root/etc/systemd/system/hrapp-log-forward.service" <<'UNIT'
[Unit]
Description=Copy hrapp's journal to /var/log/hrapp/app.log for the CloudWatch agent
After=systemd-journald.service

[Service]
ExecStart=/bin/sh -c 'exec journalctl --unit=hrapp.service --output=cat --follow --cursor-file=/var/lib/hrapp-log-forward/cursor >> /var/log/hrapp/app.log'
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
UNIT
cat >"$root/etc/logrotate.d/hrapp" <<'ROTATE'
/var/log/hrapp/app.log {
  daily
  rotate 3
  missingok
  notifempty
  copytruncate
}
ROTATE
systemctl daemon-reload
systemctl enable --now hrapp-log-forward.service

# 3. The app package, a CDK asset: hrapp-<version>/{bin/hrapp,web/,hrapp.service,VERSION}.
id hrapp >/dev/null 2>&1 ||
  useradd --system --user-group --home-dir /var/lib/hrapp --no-create-home --shell /sbin/nologin hrapp
package=$(mktemp "${TMPDIR:-/tmp}/hrapp-package.XXXXXX")
retry 5 aws s3 cp --only-show-errors --region "$region" '@@PACKAGE_S3_URL@@' "$package"
rm -rf "$root/opt/hrapp"
install -d -m 0755 "$root/opt/hrapp"
tar -xzf "$package" -C "$root/opt/hrapp" --strip-components=1 --no-same-owner
rm -f "$package"
test -x "$root/opt/hrapp/bin/hrapp"

# 4. Settings from the stacks' outputs; readable by the service user only.
install -d -m 0750 "$root/etc/hrapp"
install -m 0640 /dev/null "$root/etc/hrapp/hrapp.env"
chown root:hrapp "$root/etc/hrapp" "$root/etc/hrapp/hrapp.env"

# The region's RDS certificate authorities from AWS's trust store: the app checks the
# database's certificate and host name against them (sslmode=verify-full). Accepted only if
# every PEM block in it is an Amazon RDS CA certificate, and there is at least one.
rds_ca=$root/etc/hrapp/rds-ca-bundle.pem
retry 5 curl -sSf --proto '=https' -o "$rds_ca.new" "https://truststore.pki.rds.amazonaws.com/$region/$region-bundle.pem"
pem_blocks=$(grep -c -- '-----BEGIN ' "$rds_ca.new" || true)
rds_cas=$(openssl crl2pkcs7 -nocrl -certfile "$rds_ca.new" 2>/dev/null | openssl pkcs7 -print_certs -noout 2>/dev/null |
  grep -c '^subject=.*Amazon Web Services.*CN *= *Amazon RDS' || true)
if ((pem_blocks == 0 || rds_cas != pem_blocks)); then
  say "the RDS CA bundle is not AWS's: $pem_blocks PEM block(s), $rds_cas Amazon RDS CA(s)"
  exit 1
fi
chmod 0644 "$rds_ca.new"
mv "$rds_ca.new" "$rds_ca"
cat >"$root/etc/hrapp/hrapp.env" <<'ENV'
APP_HOST=0.0.0.0
APP_PORT=@@APP_PORT@@
DB_SECRET_ARN=@@DB_SECRET_ARN@@
S3_BUCKET_NAME=@@S3_BUCKET_NAME@@
DEPLOYMENT_ID=@@DEPLOYMENT_ID@@
AWS_REGION=@@AWS_REGION@@
LOG_LEVEL=info
TRUSTED_PROXIES=@@TRUSTED_PROXIES@@
DATA_DIR=/var/lib/hrapp
WEB_DIR=/opt/hrapp/web
DB_SSL_ROOT_CERT=/etc/hrapp/rds-ca-bundle.pem
HTTPS_ONLY=@@HTTPS_ONLY@@
ENV
install -m 0644 "$root/opt/hrapp/hrapp.service" "$root/etc/systemd/system/hrapp.service"
# A memory ceiling sized from this instance: a bug costs the app a restart (Restart=always), not
# the instance its sshd, agents and journal. High is where the kernel starts reclaiming from it.
mem_kib=$(awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)
install -d -m 0755 "$root/etc/systemd/system/hrapp.service.d"
cat >"$root/etc/systemd/system/hrapp.service.d/memory.conf" <<MEMORY
[Service]
MemoryHigh=$((mem_kib * 60 / 100 / 1024))M
MemoryMax=$((mem_kib * 75 / 100 / 1024))M
MEMORY

# 5. Start (systemd waits for the app's READY=1), check /health from here, then signal.
systemctl daemon-reload
systemctl enable hrapp.service
systemctl start hrapp.service
retry 6 curl -sSf -o /dev/null --max-time 5 'http://127.0.0.1:@@APP_PORT@@/health'
say "the app answers /health"
retry 3 signal SUCCESS || say "no CloudFormation operation took the SUCCESS signal (normal after a scale-out)"
