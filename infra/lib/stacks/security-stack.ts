import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, CfnCondition, CfnOutput, CfnResource, CustomResource, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { alarmTopic } from '../constructs/alarm-topic.ts';
import { awsCustomResourceFunction } from '../function-logs.ts';

/** Security Hub's AWS Foundational Security Best Practices standard, enabled explicitly. */
export const FOUNDATIONAL_STANDARD_ARN = `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}::standards/aws-foundational-security-best-practices/v/1.0.0`;
export const INSPECTOR_PRODUCT_ARN = `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}::product/aws/inspector`;

/** Actions the adopting custom resources may call (and one read for the outputs); nothing that disables a service. */
export const SECURITY_SERVICE_ACTIONS = [
  'inspector2:Enable',
  'securityhub:EnableSecurityHub',
  'securityhub:BatchEnableStandards',
  'securityhub:EnableImportFindingsForProduct',
  'securityhub:DescribeHub',
];

/** What the ConfigRecorder function may do: read and create a recorder and its channel, never delete. */
export const CONFIG_RECORDER_ACTIONS = [
  'config:DescribeConfigurationRecorders',
  'config:PutConfigurationRecorder',
  'config:DescribeDeliveryChannels',
  'config:PutDeliveryChannel',
  'config:StartConfigurationRecorder',
];

/** The only region where AWS publishes `AWS/Billing` metrics (for the whole account). */
export const BILLING_METRIC_REGION = 'us-east-1';
export const BILLING_ALARM_NAME = 'hrapp-billing-estimated-charges';

export interface SecurityStackProps extends StackProps {
  /** The billing alarm fires when the account's month-to-date estimate exceeds this, in USD. */
  readonly billingAlarmUsd: number;
  /** Where the billing alarm's topic sends e-mail. */
  readonly alarmEmail?: string;
}

const CONFIG_RECORDER_CODE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'config-recorder');

/**
 * Inspector2 (EC2 scanning) and Security Hub for the whole account, deployed once as
 * `hrapp-security`. Both are account singletons and may already be on, so each is adopted by an
 * idempotent call (already enabled is success) and never disabled: deleting this stack, or any
 * team's stacks, leaves them running. Deployed in us-east-1, it also carries the account's
 * billing alarm.
 */
export class SecurityStack extends Stack {
  constructor(scope: Construct, id: string, props: SecurityStackProps) {
    super(scope, id, props);

    const policy = cr.AwsCustomResourcePolicy.fromStatements([
      // None of these actions has a resource type narrower than the account.
      new iam.PolicyStatement({ actions: SECURITY_SERVICE_ACTIONS, resources: ['*'] }),
      new iam.PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/*`],
        conditions: { StringEquals: { 'iam:AWSServiceName': ['inspector2.amazonaws.com', 'securityhub.amazonaws.com'] } },
      }),
    ]);
    const adopt = (id: string, call: cr.AwsSdkCall) => {
      const resource = new cr.AwsCustomResource(this, id, {
        onCreate: call,
        onUpdate: call,
        // No onDelete: removing the stack must never switch the services off.
        policy,
        installLatestAwsSdk: false,
        resourceType: `Custom::${id}`,
      });
      Validations.of(resource).acknowledge(
        { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Enabling Inspector2 and Security Hub acts on the account; these actions take no narrower resource.' },
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/aws-service-role/*]',
          reason: 'Service-linked roles of inspector2 and securityhub only, by the iam:AWSServiceName condition.',
        },
      );
      return resource;
    };

    const inspector = adopt('Inspector2', {
      service: 'Inspector2',
      action: 'enable',
      parameters: { resourceTypes: ['EC2'], accountIds: [Aws.ACCOUNT_ID] },
      physicalResourceId: cr.PhysicalResourceId.of('hrapp-inspector2-ec2'),
    });
    const hub = adopt('SecurityHub', {
      service: 'SecurityHub',
      action: 'enableSecurityHub',
      // The default standards are not switched on wholesale; the foundational one is, below.
      parameters: { EnableDefaultStandards: false, ControlFindingGenerator: 'SECURITY_CONTROL' },
      physicalResourceId: cr.PhysicalResourceId.of('hrapp-securityhub'),
      ignoreErrorCodesMatching: 'ResourceConflictException',
    });
    const standard = adopt('FoundationalStandard', {
      service: 'SecurityHub',
      action: 'batchEnableStandards',
      parameters: { StandardsSubscriptionRequests: [{ StandardsArn: FOUNDATIONAL_STANDARD_ARN }] },
      physicalResourceId: cr.PhysicalResourceId.of('hrapp-securityhub-fsbp'),
    });
    standard.node.addDependency(hub);
    const inspectorFindings = adopt('InspectorFindingsToSecurityHub', {
      service: 'SecurityHub',
      action: 'enableImportFindingsForProduct',
      parameters: { ProductArn: INSPECTOR_PRODUCT_ARN },
      physicalResourceId: cr.PhysicalResourceId.of('hrapp-securityhub-inspector'),
      ignoreErrorCodesMatching: 'ResourceConflictException',
    });
    inspectorFindings.node.addDependency(hub);
    const hubStatus = adopt('SecurityHubStatus', {
      service: 'SecurityHub',
      action: 'describeHub',
      parameters: {},
      physicalResourceId: cr.PhysicalResourceId.of('hrapp-securityhub-status'),
      outputPaths: ['HubArn'],
    });
    hubStatus.node.addDependency(hub);

    // Security Hub's foundational standard evaluates its controls through AWS Config: a
    // recorder is created and started when the region has none; one that exists is left alone.
    const configBucket = new s3.Bucket(this, 'ConfigDeliveryBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-config-history', expiration: Duration.days(90) }],
      // Config keeps delivering while its recorder runs, and the recorder outlives this stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const fromConfig = { StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID } };
    configBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ConfigChecksTheBucket',
        principals: [new iam.ServicePrincipal('config.amazonaws.com')],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [configBucket.bucketArn],
        conditions: fromConfig,
      }),
    );
    configBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ConfigDelivers',
        principals: [new iam.ServicePrincipal('config.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [configBucket.arnForObjects(`AWSLogs/${Aws.ACCOUNT_ID}/Config/*`)],
        conditions: fromConfig,
      }),
    );
    configBucket.policy!.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(configBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'AWS Config history only, written by Config itself; access logs of it would add a bucket for nothing.',
    });
    const recorderRoleArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
    const recorderFunction = new lambda.Function(this, 'ConfigRecorderFunction', {
      description: 'hrapp: turns on AWS Config recording when the region has no recorder',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(CONFIG_RECORDER_CODE),
      timeout: Duration.minutes(1),
    });
    recorderFunction.addToRolePolicy(new iam.PolicyStatement({ actions: CONFIG_RECORDER_ACTIONS, resources: ['*'] }));
    recorderFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [recorderRoleArn],
        conditions: { StringEquals: { 'iam:AWSServiceName': 'config.amazonaws.com' } },
      }),
    );
    recorderFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [recorderRoleArn] }));
    const recorderProvider = new cr.Provider(this, 'ConfigRecorderProvider', { onEventHandler: recorderFunction });
    const recorder = new CustomResource(this, 'ConfigRecorder', {
      serviceToken: recorderProvider.serviceToken,
      resourceType: 'Custom::ConfigRecorder',
      properties: { recorderRoleArn, bucketName: configBucket.bucketName },
    });
    for (const scope of [recorderFunction, recorderProvider]) {
      Validations.of(scope).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'The functions of the ConfigRecorder resource write their own logs with the basic execution policy.',
        },
        { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'The Config recorder and delivery channel calls take no narrower resource.' },
        {
          id: 'AwsSolutions-IAM5[Resource::<ConfigRecorderFunction57DF15CE.Arn>:*]',
          reason: "CDK's provider framework invokes any version of the one recorder function.",
        },
        { id: 'AwsSolutions-L1', reason: "Node.js 22 for the recorder; the provider framework's runtime is chosen by CDK." },
      );
    }

    // As of this stack's last deploy; scripts/preflight reads the live state.
    new CfnOutput(this, 'InspectorEc2Status', {
      value: inspector.getResponseField('accounts.0.resourceStatus.ec2'),
      description: 'Inspector EC2 scanning (ENABLING, ENABLED)',
    });
    new CfnOutput(this, 'SecurityHubArn', { value: hubStatus.getResponseField('HubArn'), description: 'Security Hub is on' });
    new CfnOutput(this, 'ConfigRecorderStatus', {
      value: `${recorder.getAttString('Recorder')}: ${recorder.getAttString('Action')}`,
      description: 'AWS Config recorder of this region, which the foundational standard needs',
    });
    new CfnOutput(this, 'FoundationalStandardStatus', {
      value: standard.getResponseField('StandardsSubscriptions.0.StandardsStatus'),
      description: 'Foundational Security Best Practices (PENDING, READY); its controls need AWS Config recording',
    });

    // The one function that performs the calls above, shared by all four resources.
    Validations.of(awsCustomResourceFunction(this)).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "CDK's custom resource function writes its own logs with the basic execution policy.",
    });

    this.billingAlarm(props);
  }

  /**
   * A CloudWatch alarm on the account's `EstimatedCharges`, which AWS publishes (once "Receive
   * Billing Alerts" is on) only in us-east-1. The template stays region-agnostic like the rest of
   * the stack: the alarm and its topic exist only where the stack is deployed in that region, and
   * the `BillingAlarm` output says which.
   */
  private billingAlarm(props: SecurityStackProps): void {
    const inBillingRegion = new CfnCondition(this, 'InBillingMetricRegion', { expression: Fn.conditionEquals(Aws.REGION, BILLING_METRIC_REGION) });
    const topic = alarmTopic(this, 'BillingAlarmTopic', { topicName: 'hrapp-billing-alarms', displayName: 'hrapp billing alarms', email: props.alarmEmail });
    const alarm = new cloudwatch.Alarm(this, 'EstimatedChargesAlarm', {
      alarmName: BILLING_ALARM_NAME,
      alarmDescription: `The account's estimated charges this month exceed ${props.billingAlarmUsd} USD (billing_alarm_usd)`,
      // Published a few times a day and cumulative over the month: the highest value in 6 hours.
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Billing',
        metricName: 'EstimatedCharges',
        dimensionsMap: { Currency: 'USD' },
        statistic: 'Maximum',
        period: Duration.hours(6),
      }),
      threshold: props.billingAlarmUsd,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data before billing alerts are on, and at the start of a month: no spend to alarm on.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(topic));
    for (const construct of [...topic.node.findAll(), ...alarm.node.findAll()]) {
      if (construct instanceof CfnResource) construct.cfnOptions.condition = inBillingRegion;
    }
    new CfnOutput(this, 'BillingAlarm', {
      value: Fn.conditionIf(inBillingRegion.logicalId, BILLING_ALARM_NAME, `none: AWS/Billing metrics exist only in ${BILLING_METRIC_REGION}`).toString(),
      description: 'CloudWatch alarm on the account estimated charges (deploy this stack in us-east-1 to have it)',
    });
  }
}
