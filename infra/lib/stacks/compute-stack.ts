import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { AppPackage, RuntimeLibrary } from '../app-package.ts';
import { runtimePackageNames } from '../app-package.ts';
import type { DeploymentConfig } from '../config.ts';
import { APP_PORT, HEALTH_CHECK_PATH, UPLOADS_PREFIX, instanceRoleName, isLab, resourceName, uploadsBucketName } from '../defaults.ts';
import { renderUserData } from '../user-data.ts';
import { UPLOAD_OBJECT_ACTIONS } from './storage-stack.ts';

export interface ComputeStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly vpc: ec2.IVpc;
  readonly albSecurityGroup: ec2.ISecurityGroup;
  readonly appSecurityGroup: ec2.ISecurityGroup;
  readonly bucket: s3.IBucket;
  readonly credentials: secretsmanager.ISecret;
  readonly appPackage: AppPackage;
  readonly runtimeLibraries: readonly RuntimeLibrary[];
}

export const LOG_STREAM_ACTIONS = ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'];

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

    // Rules live in the network stack; immutable views keep CDK from adding duplicates here.
    const albSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'AlbSecurityGroup', props.albSecurityGroup.securityGroupId, {
      mutable: false,
      allowAllOutbound: false,
    });
    const appSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'AppSecurityGroup', props.appSecurityGroup.securityGroupId, {
      mutable: false,
      allowAllOutbound: false,
    });

    const logGroup = new logs.LogGroup(this, 'AppLogs', {
      logGroupName: `/hrapp/${config.deploymentId}/app`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: isLab(config) ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });

    const role = new iam.Role(this, 'InstanceRole', {
      roleName: instanceRoleName(config.deploymentId),
      description: 'hrapp instances: SSM, the database secret, uploads/* in the photo bucket, app logs',
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'Session Manager access (no SSH) and Inspector coverage need the SSM agent core policy, as the lab design specifies.',
    });
    // By name rather than from the bucket's import, so the acknowledgement below can quote it.
    const uploadsObjectsArn = `arn:${Aws.PARTITION}:s3:::${uploadsBucketName(config.deploymentId)}/${UPLOADS_PREFIX}*`;
    const appPolicy = new iam.Policy(this, 'InstancePolicy', {
      policyName: name('ec2-policy'),
      roles: [role],
      statements: [
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
    Validations.of(appPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${resourceName(config.deploymentId, 'uploads')}-<AWS::AccountId>/${UPLOADS_PREFIX}*]`,
      reason: 'Photos get random names under uploads/{deployment_id}/; the uploads/ prefix is the scope the design grants.',
    });

    const appPackage = new s3assets.Asset(this, 'AppPackage', { path: props.appPackage.path });
    appPolicy.addStatements(
      new iam.PolicyStatement({
        sid: 'DownloadAppPackage',
        actions: ['s3:GetObject'],
        resources: [appPackage.bucket.arnForObjects(appPackage.s3ObjectKey)],
      }),
    );

    const userData = ec2.UserData.custom(
      renderUserData({
        RUNTIME_PACKAGES: runtimePackageNames(props.runtimeLibraries).join(' '),
        PACKAGE_S3_URL: appPackage.s3ObjectUrl,
        AWS_REGION: Aws.REGION,
        APP_PORT: String(APP_PORT),
        DB_SECRET_ARN: props.credentials.secretArn,
        S3_BUCKET_NAME: props.bucket.bucketName,
        DEPLOYMENT_ID: config.deploymentId,
        LOG_GROUP_NAME: logGroup.logGroupName,
      }),
    );

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      launchTemplateName: name('lt'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
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
      autoScalingGroupName: name('asg'),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: 1,
      maxCapacity: 4,
      desiredCapacity: 2,
      healthChecks:
        config.asgHealthCheck === 'elb'
          ? autoscaling.HealthChecks.withAdditionalChecks({
              additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
              gracePeriod: Duration.seconds(300),
            })
          : autoscaling.HealthChecks.ec2({ gracePeriod: Duration.seconds(300) }),
      // A new app package or setting replaces instances one at a time.
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({ maxBatchSize: 1, minInstancesInService: 1 }),
    });
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
    Validations.of(loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'Access logs are optional in the lab design; a log bucket per team would outlive the lab teardown.',
    });
    const listener = loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
    listener.addTargets('App', {
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

    new CfnOutput(this, 'AlbDnsName', { value: loadBalancer.loadBalancerDnsName, description: 'http://<this>/ is the app' });
    new CfnOutput(this, 'AutoScalingGroupName', { value: fleet.autoScalingGroupName });
    new CfnOutput(this, 'InstanceRoleArn', { value: role.roleArn });
  }
}
