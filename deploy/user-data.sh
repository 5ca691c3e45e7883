#!/bin/bash
# Boots one hrapp instance on Amazon Linux 2023. The CDK app (infra/lib/user-data.ts) fills in
# every placeholder at synthesis; cloud-init logs the output to
# /var/log/cloud-init-output.log.
set -euo pipefail

# The binary's shared libraries (deploy/runtime-packages.txt) and the log shipper.
dnf install -y @@RUNTIME_PACKAGES@@ amazon-cloudwatch-agent

id hrapp >/dev/null 2>&1 ||
  useradd --system --user-group --home-dir /var/lib/hrapp --no-create-home --shell /sbin/nologin hrapp

# The app package, a CDK asset: hrapp-<version>/{bin/hrapp,web/,hrapp.service,VERSION}.
package=$(mktemp /tmp/hrapp-package.XXXXXX)
aws s3 cp --only-show-errors --region '@@AWS_REGION@@' '@@PACKAGE_S3_URL@@' "$package"
rm -rf /opt/hrapp
install -d -m 0755 /opt/hrapp
tar -xzf "$package" -C /opt/hrapp --strip-components=1 --no-same-owner
rm -f "$package"
test -x /opt/hrapp/bin/hrapp

# Settings from the stacks' outputs; readable by the service user only.
install -d -m 0750 -o root -g hrapp /etc/hrapp
install -m 0640 -o root -g hrapp /dev/null /etc/hrapp/hrapp.env
cat > /etc/hrapp/hrapp.env <<'ENV'
APP_HOST=0.0.0.0
APP_PORT=@@APP_PORT@@
DB_SECRET_ARN=@@DB_SECRET_ARN@@
S3_BUCKET_NAME=@@S3_BUCKET_NAME@@
DEPLOYMENT_ID=@@DEPLOYMENT_ID@@
AWS_REGION=@@AWS_REGION@@
LOG_LEVEL=info
DATA_DIR=/var/lib/hrapp
WEB_DIR=/opt/hrapp/web
ENV
install -m 0644 /opt/hrapp/hrapp.service /etc/systemd/system/hrapp.service

# journald to CloudWatch Logs: the agent reads files, not the journal, so a small unit copies
# the app's journal entries (one JSON object per line) to a file, resuming from its cursor.
install -d -m 0755 /var/log/hrapp /var/lib/hrapp-log-forward
cat > /etc/systemd/system/hrapp-log-forward.service <<'UNIT'
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
cat > /etc/logrotate.d/hrapp <<'ROTATE'
/var/log/hrapp/app.log {
  daily
  rotate 3
  missingok
  notifempty
  copytruncate
}
ROTATE
cat > /opt/aws/amazon-cloudwatch-agent/etc/hrapp-logs.json <<'AGENT'
{
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          {
            "file_path": "/var/log/hrapp/app.log",
            "log_group_name": "@@LOG_GROUP_NAME@@",
            "log_stream_name": "{instance_id}"
          }
        ]
      }
    }
  }
}
AGENT

systemctl daemon-reload
systemctl enable --now hrapp-log-forward.service hrapp.service
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c file:/opt/aws/amazon-cloudwatch-agent/etc/hrapp-logs.json
