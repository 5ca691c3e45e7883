import { Aws, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

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

/**
 * Inspector2 (EC2 scanning) and Security Hub for the whole account, deployed once as
 * `hrapp-security`. Both are account singletons and may already be on, so each is adopted by an
 * idempotent call (already enabled is success) and never disabled: deleting this stack, or any
 * team's stacks, leaves them running.
 */
export class SecurityStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
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

    // As of this stack's last deploy; scripts/preflight reads the live state.
    new CfnOutput(this, 'InspectorEc2Status', {
      value: inspector.getResponseField('accounts.0.resourceStatus.ec2'),
      description: 'Inspector EC2 scanning (ENABLING, ENABLED)',
    });
    new CfnOutput(this, 'SecurityHubArn', { value: hubStatus.getResponseField('HubArn'), description: 'Security Hub is on' });
    new CfnOutput(this, 'FoundationalStandardStatus', {
      value: standard.getResponseField('StandardsSubscriptions.0.StandardsStatus'),
      description: 'Foundational Security Best Practices (PENDING, READY); its controls need AWS Config recording',
    });

    // The one function that performs the calls above, shared by all four resources.
    const provider = this.node.findChild(cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '').replace(/^/, 'AWS'));
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "CDK's custom resource function writes its own logs with the basic execution policy.",
    });
  }
}
