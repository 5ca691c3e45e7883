import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEPLOY_DIR } from '../lib/app-package.ts';
import { PUBLIC_SUBNET_CIDRS } from '../lib/defaults.ts';
import { renderUserData } from '../lib/user-data.ts';
import { PRODUCTION, flatten, only, resourcesOf, synth, type Resource } from './support.ts';

// Validations 5, 6, 7 and 14 of the seed: instance role, instances, load balancer, service.
const lab = synth({ deployment_id: 'cmplab', ec2_instance_type: 't3.small' });
const elb = synth({ deployment_id: 'cmpelb', asg_health_check: 'elb' });
const isInstanceRole = (role: Resource) => flatten(role.Properties!.RoleName) === 'hrapp-cmplab-ec2-role-{AWS::Region}';

describe('instance role', () => {
  const [roleId, role] = only(lab.compute, 'AWS::IAM::Role', isInstanceRole);
  // The app's policy, and the role's default policy that CDK adds for the group's signals; the
  // lab-hours scheduler has a role and policies of its own (operations.test.ts).
  const allPolicies = resourcesOf(lab.compute, 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties!.Roles).includes(roleId));
  const policies = allPolicies.filter(([, policy]) => policy.Properties!.PolicyName === 'hrapp-cmplab-ec2-policy');
  const signalPolicies = allPolicies.filter(([, policy]) => policy.Properties!.PolicyName !== 'hrapp-cmplab-ec2-policy');
  const statements: Record<string, any>[] = policies.flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement);
  const bySid = (sid: string) => statements.find((statement) => statement.Sid === sid)!;

  it('is hrapp-{id}-ec2-role-{region}, assumable by EC2 only, exported as InstanceRoleArn', () => {
    assert.equal(flatten(role.Properties!.RoleName), 'hrapp-cmplab-ec2-role-{AWS::Region}');
    assert.deepEqual(role.Properties!.AssumeRolePolicyDocument.Statement, [
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } },
    ]);
    lab.compute.hasOutput('InstanceRoleArn', { Value: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  it('has no managed policy (AmazonSSMManagedInstanceCore would grant ssm:GetParameter on every parameter)', () => {
    assert.equal(role.Properties!.ManagedPolicyArns, undefined);
    assert.equal(policies.length, 1);
    assert.equal(signalPolicies.length, 1);
    for (const [, policy] of allPolicies) assert.deepEqual(policy.Properties!.Roles, [{ Ref: roleId }]);
    assert.ok(!statements.some((statement) => JSON.stringify(statement.Action).includes('ssm:GetParameter')), 'no parameter reads');
  });

  it('allows exactly these actions, on these resources', () => {
    assert.deepEqual(
      statements.map((statement) => [statement.Sid, statement.Effect, statement.Sid === 'SessionManager' ? 'ssm…' : statement.Action]),
      [
        ['SessionManager', 'Allow', 'ssm…'],
        ['ReportFailedBoot', 'Allow', 'autoscaling:SetInstanceHealth'],
        ['ReadDatabaseCredentials', 'Allow', ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']],
        ['ProfilePhotos', 'Allow', ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']],
        ['AppLogs', 'Allow', ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents']],
        ['DownloadAppPackage', 'Allow', 's3:GetObject'],
      ],
    );
    for (const statement of statements) {
      assert.equal(statement.Condition, undefined);
      assert.ok(!JSON.stringify(statement.Action).includes('*'), `wildcard action: ${JSON.stringify(statement.Action)}`);
      if (statement.Sid !== 'SessionManager') assert.notEqual(statement.Resource, '*');
    }
    assert.deepEqual(new Set(bySid('SessionManager').Action.map((action: string) => action.split(':')[0])), new Set(['ssm', 'ssmmessages', 'ec2messages']));
  });

  it('signals its own stack and reports only its own group unhealthy', () => {
    const signal = signalPolicies.flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement);
    assert.deepEqual(signal, [{ Action: 'cloudformation:SignalResource', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } }]);
    assert.equal(
      flatten(bySid('ReportFailedBoot').Resource),
      'arn:{AWS::Partition}:autoscaling:{AWS::Region}:{AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/hrapp-cmplab-asg',
    );
  });

  it('exists before any instance boots: the group depends on the instance policy', () => {
    const [, asg] = only(lab.compute, 'AWS::AutoScaling::AutoScalingGroup') as [string, any];
    for (const [policyId] of allPolicies) assert.ok(asg.DependsOn?.includes(policyId), `${policyId} not in DependsOn: ${asg.DependsOn}`);
  });

  it("reads the app's secret only, never the master's", () => {
    assert.match(flatten(bySid('ReadDatabaseCredentials').Resource), /^\{Fn::ImportValue:"hrapp-cmplab-secrets:ExportsOutputRefAppSecretAttachment\w+"\}$/);
  });

  it('reaches the bucket under uploads/{deployment_id}/ only', () => {
    assert.equal(flatten(bySid('ProfilePhotos').Resource), 'arn:{AWS::Partition}:s3:::hrapp-cmplab-uploads-{AWS::AccountId}-{AWS::Region}/uploads/cmplab/*');
    assert.equal(
      flatten(lab.storage.toJSON().Resources[Object.keys(lab.storage.findResources('AWS::S3::Bucket'))[0]].Properties.BucketName),
      'hrapp-cmplab-uploads-{AWS::AccountId}-{AWS::Region}',
    );
  });

  it('writes to its own log group only (in the logs stack), and fetches only its own package', () => {
    const [, logGroup] = only(lab.logs, 'AWS::Logs::LogGroup', (group) => group.Properties!.LogGroupName === '/hrapp/cmplab/app');
    assert.ok(logGroup);
    assert.match(flatten(bySid('AppLogs').Resource), /^\{Fn::ImportValue:"hrapp-cmplab-logs:ExportsOutputFnGetAttAppLogs\w+Arn\w*"\}$/);
    assert.match(flatten(bySid('DownloadAppPackage').Resource), /^arn:\{AWS::Partition\}:s3:::\{Fn::Sub:"cdk-[a-z0-9]+-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}"\}\/[0-9a-f]{64}\.gz$/);
  });
});

describe('instances', () => {
  const [, template] = only(lab.compute, 'AWS::EC2::LaunchTemplate');
  const data = template.Properties!.LaunchTemplateData;

  it('run the pinned image when ami_id is given', () => {
    const pinned = synth({ deployment_id: 'cmppin', ami_id: 'ami-0123456789abcdef0' });
    const [, pinnedTemplate] = only(pinned.compute, 'AWS::EC2::LaunchTemplate');
    assert.equal(pinnedTemplate.Properties!.LaunchTemplateData.ImageId, 'ami-0123456789abcdef0');
    assert.equal(pinned.compute.toJSON().Parameters?.[String(data.ImageId.Ref)], undefined, 'no image parameter resolved at deploy');
  });

  it('run Amazon Linux 2023 at the chosen type with the instance role', () => {
    const imageParameter = lab.compute.toJSON().Parameters[data.ImageId.Ref];
    assert.match(imageParameter.Default, /^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-[\d.]+-x86_64$/);
    assert.equal(data.InstanceType, 't3.small');
    assert.equal(template.Properties!.LaunchTemplateName, 'hrapp-cmplab-lt');
    const [profileId, profile] = only(lab.compute, 'AWS::IAM::InstanceProfile');
    assert.deepEqual(data.IamInstanceProfile, { Arn: { 'Fn::GetAtt': [profileId, 'Arn'] } });
    assert.deepEqual(profile.Properties!.Roles, [{ Ref: only(lab.compute, 'AWS::IAM::Role', isInstanceRole)[0] }]);
  });

  it('require IMDSv2, get no public address, use the app group, encrypt the disk', () => {
    assert.deepEqual(data.MetadataOptions, { HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    assert.equal(data.NetworkInterfaces.length, 1);
    assert.equal(data.NetworkInterfaces[0].AssociatePublicIpAddress, false);
    assert.match(flatten(data.NetworkInterfaces[0].Groups), /hrapp-cmplab-network:ExportsOutputFnGetAttAppSecurityGroup/);
    assert.equal(data.BlockDeviceMappings[0].Ebs.Encrypted, true);
    assert.equal(data.KeyName, undefined, 'no SSH key pair');
  });

  it('scale 1-4 (desired 2) in the private subnets, on EC2 health by default', () => {
    const [asgId, asg] = only(lab.compute, 'AWS::AutoScaling::AutoScalingGroup');
    assert.equal(asg.Properties!.AutoScalingGroupName, 'hrapp-cmplab-asg');
    assert.deepEqual([asg.Properties!.MinSize, asg.Properties!.MaxSize, asg.Properties!.DesiredCapacity], ['1', '4', '2']);
    const subnets = flatten(asg.Properties!.VPCZoneIdentifier);
    assert.match(subnets, /privateSubnet1.*privateSubnet2/);
    assert.doesNotMatch(subnets, /publicSubnet/);
    assert.equal(asg.Properties!.HealthCheckType, 'EC2');
    assert.equal(asg.Properties!.HealthCheckGracePeriod, 300);
    lab.compute.hasOutput('AutoScalingGroupName', { Value: { Ref: asgId } });
  });

  it('are created, and replaced one at a time in rolling updates, only as their signals arrive', () => {
    const [, asg] = only(lab.compute, 'AWS::AutoScaling::AutoScalingGroup') as [string, any];
    assert.deepEqual(asg.CreationPolicy, { ResourceSignal: { Count: 2, Timeout: 'PT15M' } });
    assert.deepEqual(asg.UpdatePolicy.AutoScalingRollingUpdate, {
      MaxBatchSize: 1,
      MinInstancesInService: 2,
      PauseTime: 'PT15M',
      WaitOnResourceSignals: true,
      SuspendProcesses: ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions', 'InstanceRefresh'],
    });
  });

  it("use the load balancer's health when asg_health_check=elb", () => {
    elb.compute.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { HealthCheckType: 'ELB', HealthCheckGracePeriod: 300 });
  });
});

describe('load balancer', () => {
  const [lbId, lb] = only(lab.compute, 'AWS::ElasticLoadBalancingV2::LoadBalancer');

  it('is internet-facing in both public subnets behind the ALB group', () => {
    assert.equal(lb.Properties!.Name, 'hrapp-cmplab-alb');
    assert.equal(lb.Properties!.Scheme, 'internet-facing');
    assert.equal(lb.Properties!.Type, 'application');
    const subnets = flatten(lb.Properties!.Subnets);
    assert.match(subnets, /publicSubnet1.*publicSubnet2/);
    assert.doesNotMatch(subnets, /privateSubnet/);
    assert.match(flatten(lb.Properties!.SecurityGroups), /AlbSecurityGroup/);
    lab.compute.hasOutput('AlbDnsName', { Value: { 'Fn::GetAtt': [lbId, 'DNSName'] } });
  });

  it('listens on HTTP 80 and forwards to the app target group', () => {
    const [, listener] = only(lab.compute, 'AWS::ElasticLoadBalancingV2::Listener');
    assert.equal(listener.Properties!.Port, 80);
    assert.equal(listener.Properties!.Protocol, 'HTTP');
    assert.equal(listener.Properties!.DefaultActions[0].Type, 'forward');
  });

  it("checks /health over HTTP with the seed's timings, targeting the instances on 5000", () => {
    const [tgId, tg] = only(lab.compute, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    assert.deepEqual(
      {
        name: tg.Properties!.Name,
        port: tg.Properties!.Port,
        protocol: tg.Properties!.Protocol,
        targetType: tg.Properties!.TargetType,
        path: tg.Properties!.HealthCheckPath,
        checkProtocol: tg.Properties!.HealthCheckProtocol,
        interval: tg.Properties!.HealthCheckIntervalSeconds,
        timeout: tg.Properties!.HealthCheckTimeoutSeconds,
        healthy: tg.Properties!.HealthyThresholdCount,
        unhealthy: tg.Properties!.UnhealthyThresholdCount,
      },
      { name: 'hrapp-cmplab-tg', port: 5000, protocol: 'HTTP', targetType: 'instance', path: '/health', checkProtocol: 'HTTP', interval: 30, timeout: 5, healthy: 2, unhealthy: 3 },
    );
    lab.compute.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { TargetGroupARNs: [{ Ref: tgId }] });
  });
});

describe('user data', () => {
  const [, template] = only(lab.compute, 'AWS::EC2::LaunchTemplate');
  const script = flatten(template.Properties!.LaunchTemplateData.UserData['Fn::Base64']);

  it('installs the runtime packages of deploy/runtime-packages.txt with dnf, retried', () => {
    assert.match(script, /^retry 5 dnf install -y libpq openssl-libs libgcc glibc amazon-cloudwatch-agent openssl$/m);
  });

  it('fetches the app package asset, retried, and unpacks it to /opt/hrapp', () => {
    assert.match(script, /^retry 5 aws s3 cp .*'\{Fn::Sub:"s3:\/\/cdk-[a-z0-9]+-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}\/[0-9a-f]{64}\.gz"\}' "\$package"$/m);
    assert.match(script, /tar -xzf "\$package" -C "\$root\/opt\/hrapp" --strip-components=1/);
    assert.match(script, /^test -x "\$root\/opt\/hrapp\/bin\/hrapp"$/m);
  });

  it("signals the group's own logical id in its own stack", () => {
    const [asgId] = only(lab.compute, 'AWS::AutoScaling::AutoScalingGroup');
    assert.match(script, new RegExp(`--stack-name '\\{AWS::StackName\\}' \\\\\n\\s+--logical-resource-id '${asgId}'`));
  });

  it("writes the environment file from the stacks' outputs", () => {
    const env = /cat >"\$root\/etc\/hrapp\/hrapp.env" <<'ENV'\n([\s\S]*?)\nENV\n/.exec(script)![1];
    const vars = Object.fromEntries(env.split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
    assert.match(vars.DB_SECRET_ARN, /^\{Fn::ImportValue:"hrapp-cmplab-secrets:ExportsOutputRefAppSecretAttachment\w+"\}$/);
    assert.match(vars.S3_BUCKET_NAME, /^\{Fn::ImportValue:"hrapp-cmplab-storage:ExportsOutputRefUploadsBucket\w+"\}$/);
    // Only the public subnets, where the load balancer is, are believed about X-Forwarded-For.
    assert.equal(vars.TRUSTED_PROXIES, PUBLIC_SUBNET_CIDRS.join(','));
    delete vars.DB_SECRET_ARN;
    delete vars.S3_BUCKET_NAME;
    delete vars.TRUSTED_PROXIES;
    assert.deepEqual(vars, {
      APP_HOST: '0.0.0.0',
      APP_PORT: '5000',
      DEPLOYMENT_ID: 'cmplab',
      AWS_REGION: '{AWS::Region}',
      LOG_LEVEL: 'info',
      DATA_DIR: '/var/lib/hrapp',
      WEB_DIR: '/opt/hrapp/web',
      DB_SSL_ROOT_CERT: '/etc/hrapp/rds-ca-bundle.pem',
      HTTPS_ONLY: 'false',
    });
  });

  it('gives the app its deployment settings in a drop-in of its unit, which cloud-init writes before the script runs', () => {
    const cloudConfig = /Content-Type: text\/cloud-config; charset="utf-8"\n\n([\s\S]*?)\n--/.exec(script)![1];
    const dropIn = (config: string) => /^ {6}\[Service\]\n((?: {6}Environment=.*\n?)+)/m.exec(config)![1].trim().split(/\n\s*/);
    assert.match(cloudConfig, /^#cloud-config\nwrite_files:\n {2}- path: \/etc\/systemd\/system\/hrapp\.service\.d\/50-deployment\.conf\n/);
    assert.deepEqual(dropIn(cloudConfig), ['Environment=DB_OWNER_ROLE=hrapp_owner', 'Environment=REGISTRATION=open']);
    const production = flatten(only(synth({ deployment_id: 'cmpprod', ...PRODUCTION }).compute, 'AWS::EC2::LaunchTemplate')[1].Properties!.LaunchTemplateData.UserData['Fn::Base64']);
    assert.deepEqual(dropIn(production), ['Environment=DB_OWNER_ROLE=hrapp_owner', 'Environment=MFA_REQUIRED_ROLES=admin,hr']);
    assert.ok(script.indexOf('text/cloud-config') < script.indexOf('text/x-shellscript'));
  });

  it("fetches the region's RDS CA bundle from AWS's trust store, retried, before the app starts (the rehearsal checks it)", () => {
    assert.match(script, /^retry 5 curl -sSf --proto '=https' -o "\$rds_ca.new" "https:\/\/truststore\.pki\.rds\.amazonaws\.com\/\$region\/\$region-bundle\.pem"$/m);
    assert.ok(script.indexOf('mv "$rds_ca.new" "$rds_ca"') < script.indexOf('systemctl start hrapp.service'));
  });

  it('installs the unit, enables it (so it starts on boot) and starts it after the log shipping', () => {
    assert.match(script, /^install -m 0644 "\$root\/opt\/hrapp\/hrapp.service" "\$root\/etc\/systemd\/system\/hrapp.service"$/m);
    assert.match(script, /^systemctl enable hrapp.service$/m);
    const start = script.indexOf('systemctl start hrapp.service');
    assert.ok(script.indexOf('hrapp.env <<') < start);
    assert.ok(script.indexOf('amazon-cloudwatch-agent-ctl -a fetch-config') < start, 'the agent runs before the app starts');
    assert.ok(script.indexOf('systemctl enable --now hrapp-log-forward.service') < start, 'the journal is copied before the app starts');
  });

  it('ships the boot log and the journal to the log group (the rehearsal checks the order of every step)', () => {
    assert.match(script, /"file_path": "\/var\/log\/cloud-init-output.log",\n\s+"log_group_name": "\{Fn::ImportValue:"hrapp-cmplab-logs:ExportsOutputRefAppLogs\w+"\}",\n\s+"log_stream_name": "\{instance_id\}\/boot"/);
    assert.match(script, /"file_path": "\/var\/log\/hrapp\/app.log",\n\s+"log_group_name": "\{Fn::ImportValue:"hrapp-cmplab-logs:ExportsOutputRefAppLogs\w+"\}",\n\s+"log_stream_name": "\{instance_id\}\/app"/);
    assert.match(script, /journalctl --unit=hrapp.service --output=cat --follow --cursor-file=/);
  });

  it('fits the 16 KB user data limit and stops on the first error', () => {
    assert.ok(Buffer.byteLength(script) < 16 * 1024 * 0.75, `${Buffer.byteLength(script)} bytes before base64`);
    assert.match(script, /^#!\/bin\/bash\n[\s\S]*^set -euo pipefail$/m);
  });

  it('fails on a placeholder without a value, and on a value without a placeholder', () => {
    const values = {
      RUNTIME_PACKAGES: 'a',
      PACKAGE_S3_URL: 'b',
      AWS_REGION: 'c',
      APP_PORT: 'd',
      DB_SECRET_ARN: 'e',
      S3_BUCKET_NAME: 'f',
      DEPLOYMENT_ID: 'g',
      LOG_GROUP_NAME: 'h',
      STACK_NAME: 'i',
      FLEET_LOGICAL_ID: 'j',
      HTTPS_ONLY: 'i',
      TRUSTED_PROXIES: 'k',
    };
    const template = readFileSync(path.join(DEPLOY_DIR, 'user-data.sh'), 'utf8');
    assert.throws(() => renderUserData(values, `${template}\necho @@SECRET_KEY@@\n`), /uses @@SECRET_KEY@@/);
    assert.throws(() => renderUserData(values, template.replaceAll('@@LOG_GROUP_NAME@@', 'x')), /no longer uses @@LOG_GROUP_NAME@@/);
    assert.doesNotMatch(renderUserData(values, template), /@@/);
  });
});

describe('deploy/hrapp.service', () => {
  const unit = readFileSync(path.join(DEPLOY_DIR, 'hrapp.service'), 'utf8');
  const settings = new Map<string, string[]>();
  let section = '';
  for (const line of unit.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1];
    const setting = /^(\w+)=(.*)$/.exec(line);
    if (setting) settings.set(`${section}.${setting[1]}`, [...(settings.get(`${section}.${setting[1]}`) ?? []), setting[2]]);
  }
  const value = (key: string) => settings.get(key)?.join(' ');

  it('restarts always and is watched by the systemd watchdog', () => {
    assert.equal(value('Service.Restart'), 'always');
    assert.equal(value('Service.Type'), 'notify');
    assert.ok(Number(value('Service.WatchdogSec')) > 0);
  });

  it('runs the binary as the unprivileged hrapp user with the environment file', () => {
    assert.equal(value('Service.User'), 'hrapp');
    assert.equal(value('Service.ExecStart'), '/opt/hrapp/bin/hrapp serve');
    assert.equal(value('Service.EnvironmentFile'), '/etc/hrapp/hrapp.env');
    assert.equal(value('Service.StateDirectory'), 'hrapp');
    assert.equal(value('Service.CapabilityBoundingSet'), '', 'port 5000 needs no capability');
    assert.equal(value('Service.NoNewPrivileges'), 'yes');
  });

  it('logs to the journal and starts at boot once the network is up', () => {
    assert.equal(value('Service.StandardOutput'), 'journal');
    assert.equal(value('Service.SyslogIdentifier'), 'hrapp');
    assert.equal(value('Install.WantedBy'), 'multi-user.target');
    assert.equal(value('Unit.After'), 'network-online.target');
  });
});
