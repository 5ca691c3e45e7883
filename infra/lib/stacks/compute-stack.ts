import { Aws, CfnOutput, type CfnResource, CfnRule, Duration, Fn, Lazy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { AppPackage, RuntimeLibrary } from '../app-package.ts';
import { runtimePackageNames } from '../app-package.ts';
import type { DeploymentConfig } from '../config.ts';
import { CostGuardrails } from '../constructs/cost-guardrails.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import { WebFirewall } from '../constructs/web-firewall.ts';
import {
  APP_PORT,
  DATABASE_OWNER_ROLE,
  HEALTH_CHECK_PATH,
  accountWideName,
  databaseInstanceIdentifier,
  deploymentPrefix,
  instanceRoleName,
  isLab,
  resourceName,
  uploadsBucketName,
  uploadsPrefix,
} from '../defaults.ts';
import { renderUserData } from '../user-data.ts';
import { LOAD_BALANCER_LOG_PREFIX } from './network-stack.ts';
import { UPLOAD_OBJECT_ACTIONS } from './storage-stack.ts';

export interface ComputeStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly vpc: ec2.IVpc;
  readonly albSecurityGroup: ec2.ISecurityGroup;
  readonly appSecurityGroup: ec2.ISecurityGroup;
  readonly bucket: s3.IBucket;
  /** The app's database credentials (never the master's). */
  readonly credentials: secretsmanager.ISecret;
  /** The master's, whose failed rotation alarms too. */
  readonly masterCredentials: secretsmanager.ISecret;
  /** Where the instances ship their boot and app logs (the logs stack, which outlives a rollback of this one). */
  readonly appLogGroup: logs.ILogGroup;
  readonly appPackage: AppPackage;
  readonly runtimeLibraries: readonly RuntimeLibrary[];
  /** The NAT gateways whose port allocation errors alarm. */
  readonly natGatewayIds: readonly string[];
  /** Where the load balancer writes its access logs (production). */
  readonly logBucket?: s3.IBucket;
}

/** Target tracking keeps each instance near this many requests a minute. */
export const REQUESTS_PER_TARGET_PER_MINUTE = 1000;

export const LOG_STREAM_ACTIONS = ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'];

/**
 * What the SSM agent needs for Session Manager and Inspector's inventory: the calls of
 * AmazonSSMManagedInstanceCore without its ssm:GetParameter(s) on every parameter of the account.
 */
export const SESSION_MANAGER_ACTIONS = [
  'ssm:DescribeAssociation',
  'ssm:GetDeployablePatchSnapshotForInstance',
  'ssm:GetDocument',
  'ssm:DescribeDocument',
  'ssm:GetManifest',
  'ssm:ListAssociations',
  'ssm:ListInstanceAssociations',
  'ssm:PutInventory',
  'ssm:PutComplianceItems',
  'ssm:PutConfigurePackageResult',
  'ssm:UpdateAssociationStatus',
  'ssm:UpdateInstanceAssociationStatus',
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
];

/**
 * The fleet's size, also what lab hours scale it back to; a rolling update keeps all of
 * DESIRED_CAPACITY in service, so it briefly runs one more.
 */
export const FLEET_CAPACITY = { min: 1, desired: 2, max: 4 } as const;
/**
 * Settings of the app that depend on the deployment, beside those the user data writes to
 * /etc/hrapp/hrapp.env: the group role its migrations run as, open sign-up in a lab (the seed's
 * workflow), two-factor sign-in for admin and hr in production.
 */
export function appSettings(config: Pick<DeploymentConfig, 'environment'>): Record<string, string> {
  return { DB_OWNER_ROLE: DATABASE_OWNER_ROLE, ...(isLab(config) ? { REGISTRATION: 'open' } : { MFA_REQUIRED_ROLES: 'admin,hr' }) };
}

/** Where cloud-init puts `appSettings`: a drop-in of the app's systemd unit. */
export const APP_SETTINGS_DROP_IN = '/etc/systemd/system/hrapp.service.d/50-deployment.conf';

/** How long CloudFormation waits for an instance's signal, at creation and per rolling-update batch. */
export const SIGNAL_TIMEOUT = Duration.minutes(15);

/**
 * The app fleet: an instance role with only what the app does, a launch template (Amazon
 * Linux 2023, IMDSv2, the app package as an asset), an Auto Scaling group of 1–4 in the private
 * subnets, and an internet-facing load balancer on port 80 that checks `/health`.
 */
export class ComputeStack extends Stack {
  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const name = (resource: string) => resourceName(config.deploymentId, resource);
    const https = config.certificateArn !== undefined;

    // Rules live in the network stack; immutable views keep CDK from adding duplicates here.
    const albSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'AlbSecurityGroup', props.albSecurityGroup.securityGroupId, {
      mutable: false,
      allowAllOutbound: false,
    });
    const appSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'AppSecurityGroup', props.appSecurityGroup.securityGroupId, {
      mutable: false,
      allowAllOutbound: false,
    });

    const logGroup = props.appLogGroup;
    if (https) certificateInDeployRegion(this, config.certificateArn!);

    const role = new iam.Role(this, 'InstanceRole', {
      roleName: instanceRoleName(config.deploymentId),
      description: 'hrapp instances: SSM, the database secret, uploads/* in the photo bucket, app logs',
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    });
    // By name rather than from the bucket's import, so the acknowledgement below can quote it.
    const uploadsObjectsArn = `arn:${Aws.PARTITION}:s3:::${uploadsBucketName(config.deploymentId)}/${uploadsPrefix(config.deploymentId)}*`;
    const fleetName = name('asg');
    const appPolicy = new iam.Policy(this, 'InstancePolicy', {
      policyName: name('ec2-policy'),
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'SessionManager',
          actions: SESSION_MANAGER_ACTIONS,
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ReportFailedBoot',
          actions: ['autoscaling:SetInstanceHealth'],
          resources: [`arn:${Aws.PARTITION}:autoscaling:${Aws.REGION}:${Aws.ACCOUNT_ID}:autoScalingGroup:*:autoScalingGroupName/${fleetName}`],
        }),
        new iam.PolicyStatement({
          sid: 'ReadDatabaseCredentials',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [props.credentials.secretArn],
        }),
        new iam.PolicyStatement({
          sid: 'ProfilePhotos',
          actions: UPLOAD_OBJECT_ACTIONS,
          resources: [uploadsObjectsArn],
        }),
        new iam.PolicyStatement({
          sid: 'AppLogs',
          actions: LOG_STREAM_ACTIONS,
          resources: [`${logGroup.logGroupArn}`],
        }),
      ],
    });
    Validations.of(appPolicy).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${resourceName(config.deploymentId, 'uploads')}-<AWS::AccountId>-<AWS::Region>/${uploadsPrefix(config.deploymentId)}*]`,
        reason: 'Photos get random names under uploads/{deployment_id}/, the prefix the app writes to.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'The SSM agent calls of Session Manager and inventory take no narrower resource; ssm:GetParameter is deliberately not granted.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/${fleetName}]`,
        reason: "The group's id is unknown until creation; the name fixes the group.",
      },
    );

    const appPackage = new s3assets.Asset(this, 'AppPackage', { path: props.appPackage.path });
    appPolicy.addStatements(
      new iam.PolicyStatement({
        sid: 'DownloadAppPackage',
        actions: ['s3:GetObject'],
        resources: [appPackage.bucket.arnForObjects(appPackage.s3ObjectKey)],
      }),
    );

    // The group's logical id is known only once it exists; the launch template comes first.
    let fleetLogicalId: string | undefined;
    const userData = new ec2.MultipartUserData();
    userData.addPart(ec2.MultipartBody.fromRawBody({ contentType: 'text/cloud-config; charset="utf-8"', body: appSettingsCloudConfig(appSettings(config)) }));
    userData.addPart(
      ec2.MultipartBody.fromRawBody({
        contentType: 'text/x-shellscript; charset="utf-8"',
        body: renderUserData({
        RUNTIME_PACKAGES: runtimePackageNames(props.runtimeLibraries).join(' '),
        PACKAGE_S3_URL: appPackage.s3ObjectUrl,
        AWS_REGION: Aws.REGION,
        APP_PORT: String(APP_PORT),
        DB_SECRET_ARN: props.credentials.secretArn,
        S3_BUCKET_NAME: props.bucket.bucketName,
        DEPLOYMENT_ID: config.deploymentId,
        LOG_GROUP_NAME: logGroup.logGroupName,
        STACK_NAME: Aws.STACK_NAME,
        FLEET_LOGICAL_ID: Lazy.string({ produce: () => fleetLogicalId }),
        HTTPS_ONLY: String(https),
        // The load balancer lives in the public subnets (below).
        TRUSTED_PROXIES: Fn.join(',', props.vpc.publicSubnets.map((subnet) => subnet.ipv4CidrBlock)),
        }),
      }),
    );

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      launchTemplateName: name('lt'),
      machineImage: machineImage(config),
      instanceType: new ec2.InstanceType(config.ec2InstanceType),
      role,
      securityGroup: appSecurityGroup,
      userData,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      associatePublicIpAddress: false,
      blockDevices: [
        { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) },
      ],
    });

    const fleet = new autoscaling.AutoScalingGroup(this, 'Fleet', {
      autoScalingGroupName: fleetName,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: FLEET_CAPACITY.min,
      maxCapacity: FLEET_CAPACITY.max,
      desiredCapacity: FLEET_CAPACITY.desired,
      healthChecks:
        config.asgHealthCheck === 'elb'
          ? autoscaling.HealthChecks.withAdditionalChecks({
              additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
              gracePeriod: Duration.seconds(300),
            })
          : autoscaling.HealthChecks.ec2({ gracePeriod: Duration.seconds(300) }),
      // Creation succeeds only when every instance has signalled that its /health answers.
      signals: autoscaling.Signals.waitForAll({ timeout: SIGNAL_TIMEOUT }),
      // Lab hours and rolling updates. The lab-end action scales the fleet to 0 but leaves MaxSize
      // at FLEET_CAPACITY.max, and CloudFormation leaves the group's sizes to the scheduled actions
      // (IgnoreUnmodifiedGroupSizeProperties, this option). So a deploy outside lab hours keeps
      // the group at 0: it has no instance to replace and launches none (one would wait for the
      // stopped database and time out), MinInstancesInService stays below MaxSize as a rolling
      // update requires, and the next lab start launches the new launch template. With MaxSize 0
      // that deploy would fail; with the sizes reset it would start 2 instances at night.
      ignoreUnmodifiedSizeProperties: true,
      // A new package or setting replaces one instance at a time, each waiting for its signal,
      // while the healthy ones keep serving; a FAILURE signal or a time-out rolls back.
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: 1,
        minInstancesInService: FLEET_CAPACITY.desired,
        waitOnResourceSignals: true,
        pauseTime: SIGNAL_TIMEOUT,
      }),
    });
    fleetLogicalId = this.getLogicalId(fleet.node.defaultChild as CfnResource);
    // Instances must not boot before their permissions exist: the app's, and the
    // cloudformation:SignalResource on this stack that `signals` grants in the role's default policy.
    fleet.node.addDependency(appPolicy, role);
    Validations.of(fleet).acknowledge(
      { id: 'AwsSolutions-AS3', reason: 'Scaling notifications are not part of the lab; activity is visible in the console and CloudTrail.' },
      { id: 'Annotation::@aws-cdk/aws-autoscaling:desiredCapacitySet', reason: 'The design fixes desired capacity at 2; a deploy restoring it is intended.' },
    );

    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      loadBalancerName: name('alb'),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      internetFacing: true,
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: false,
    });
    if (props.logBucket) {
      // The log bucket's policy (network stack) admits the load balancer's delivery.
      loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
      loadBalancer.setAttribute('access_logs.s3.bucket', props.logBucket.bucketName);
      loadBalancer.setAttribute('access_logs.s3.prefix', LOAD_BALANCER_LOG_PREFIX);
    } else {
      Validations.of(loadBalancer).acknowledge({
        id: 'AwsSolutions-ELB2',
        reason: 'environment=lab keeps no access logs: a log bucket per team would outlive the lab teardown; production writes them.',
      });
    }
    // With a certificate, HTTPS only: port 80 answers with a permanent redirect.
    const listener = https
      ? loadBalancer.addListener('Https', {
          port: 443,
          protocol: elbv2.ApplicationProtocol.HTTPS,
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          certificates: [elbv2.ListenerCertificate.fromArn(config.certificateArn!)],
          open: false,
        })
      : loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
    if (https) {
      loadBalancer.addListener('HttpRedirect', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
    }
    const targetGroup = listener.addTargets('App', {
      targetGroupName: name('tg'),
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [fleet],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: HEALTH_CHECK_PATH,
        protocol: elbv2.Protocol.HTTP,
        port: 'traffic-port',
        healthyHttpCodes: '200',
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    fleet.scaleOnRequestCount('RequestsPerTarget', { targetRequestsPerMinute: REQUESTS_PER_TARGET_PER_MINUTE });

    const firewall = config.waf ? new WebFirewall(this, 'WebFirewall', { name: name('waf'), loadBalancer }) : undefined;
    const monitoring = new Monitoring(this, 'Monitoring', {
      namePrefix: deploymentPrefix(config.deploymentId),
      dashboardName: accountWideName(config.deploymentId),
      loadBalancer,
      targetGroup,
      databaseInstanceIdentifier: databaseInstanceIdentifier(config.deploymentId),
      natGatewayIds: props.natGatewayIds,
      rotatedSecrets: [props.credentials, props.masterCredentials],
      alarmEmail: config.alarmEmail,
      webAclName: firewall ? name('waf') : undefined,
    });
    new CostGuardrails(this, 'CostGuardrails', {
      namePrefix: deploymentPrefix(config.deploymentId),
      accountWideName: accountWideName(config.deploymentId),
      deploymentId: config.deploymentId,
      monthlyBudgetUsd: config.monthlyBudgetUsd,
      topic: monitoring.topic,
      fleet,
      capacity: FLEET_CAPACITY,
      databaseInstanceIdentifier: databaseInstanceIdentifier(config.deploymentId),
      labSchedule: config.labSchedule,
    });

    new CfnOutput(this, 'AlbDnsName', { value: loadBalancer.loadBalancerDnsName, description: 'the load balancer; AppUrl says the scheme' });
    new CfnOutput(this, 'AppUrl', {
      value: `${https ? 'https' : 'http'}://${loadBalancer.loadBalancerDnsName}/`,
      description: https ? "the app (point the certificate's name at the load balancer and use that)" : 'the app',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.topic.topicArn });
    new CfnOutput(this, 'AutoScalingGroupName', { value: fleet.autoScalingGroupName });
    new CfnOutput(this, 'InstanceRoleArn', { value: role.roleArn });
  }
}

/**
 * A load balancer takes certificates from its own region only, and says so twenty minutes into
 * the deploy. The template is region-agnostic, so CloudFormation checks it before it starts.
 */
function certificateInDeployRegion(stack: Stack, certificateArn: string): void {
  const certificateRegion = certificateArn.split(':')[3];
  new CfnRule(stack, 'CertificateInDeployRegion', {
    assertions: [
      {
        assert: Fn.conditionEquals(Aws.REGION, certificateRegion),
        assertDescription: `certificate_arn is a certificate of ${certificateRegion}: deploy to ${certificateRegion}, or pass a certificate of the deploy region`,
      },
    ],
  });
}

/** cloud-init writes the settings before the user data starts the app, which reloads systemd first. */
function appSettingsCloudConfig(settings: Record<string, string>): string {
  const lines = Object.entries(settings).map(([name, value]) => `      Environment=${name}=${value}`);
  return [
    '#cloud-config',
    'write_files:',
    `  - path: ${APP_SETTINGS_DROP_IN}`,
    "    permissions: '0644'",
    '    content: |',
    '      [Service]',
    ...lines,
    '',
  ].join('\n');
}

/** The pinned image (ami_id), else the latest Amazon Linux 2023 for x86_64 at each deploy. */
function machineImage(config: DeploymentConfig): ec2.IMachineImage {
  const latest = ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.X86_64 });
  if (config.amiId === undefined) return latest;
  const imageId = config.amiId;
  return { getImage: () => ({ imageId, osType: ec2.OperatingSystemType.LINUX, userData: ec2.UserData.forLinux() }) };
}
