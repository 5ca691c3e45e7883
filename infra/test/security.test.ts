import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BILLING_ALARM_NAME, CONFIG_RECORDER_ACTIONS } from '../lib/stacks/security-stack.ts';
import { flatten, resourcesOf, synth } from './support.ts';

// Validation 12 of the seed, as one account-level stack that adopts and never disables.
const { security, stacks } = synth({ deployment_id: 'seca' });

/** The SDK call each adopting custom resource makes on create and on update (the Config recorder has a function of its own). */
function calls(): Record<string, { create: any; update: any; delete: unknown }> {
  const result: Record<string, { create: any; update: any; delete: unknown }> = {};
  for (const [, resource] of Object.entries(security.toJSON().Resources as Record<string, any>)) {
    if (!String(resource.Type).startsWith('Custom::') || resource.Type === 'Custom::ConfigRecorder') continue;
    const parse = (value: unknown) => (value === undefined ? undefined : JSON.parse(flatten(value)));
    result[resource.Type] = { create: parse(resource.Properties.Create), update: parse(resource.Properties.Update), delete: resource.Properties.Delete };
  }
  return result;
}

describe('security stack (hrapp-security)', () => {
  const made = calls();

  it('is named hrapp-security and belongs to no team', () => {
    assert.equal(stacks.security.stackName, 'hrapp-security');
    for (const team of [stacks.network, stacks.storage, stacks.data, stacks.secrets, stacks.compute]) {
      assert.ok(!team.dependencies.includes(stacks.security));
      assert.ok(!stacks.security.dependencies.includes(team));
    }
  });

  it('enables Inspector2 EC2 scanning for the account', () => {
    const call = made['Custom::Inspector2'].create;
    assert.equal(call.service, 'Inspector2');
    assert.equal(call.action, 'enable');
    assert.deepEqual(call.parameters, { resourceTypes: ['EC2'], accountIds: ['{AWS::AccountId}'] });
  });

  it('enables Security Hub without its default standards, adopting a hub that is already on', () => {
    const call = made['Custom::SecurityHub'].create;
    assert.equal(call.service, 'SecurityHub');
    assert.equal(call.action, 'enableSecurityHub');
    assert.equal(call.parameters.EnableDefaultStandards, false);
    assert.equal(call.ignoreErrorCodesMatching, 'ResourceConflictException');
  });

  it('subscribes the Foundational Security Best Practices standard explicitly', () => {
    const call = made['Custom::FoundationalStandard'].create;
    assert.equal(call.action, 'batchEnableStandards');
    assert.deepEqual(call.parameters.StandardsSubscriptionRequests, [
      { StandardsArn: 'arn:{AWS::Partition}:securityhub:{AWS::Region}::standards/aws-foundational-security-best-practices/v/1.0.0' },
    ]);
  });

  it('publishes Inspector findings to Security Hub', () => {
    const call = made['Custom::InspectorFindingsToSecurityHub'].create;
    assert.equal(call.action, 'enableImportFindingsForProduct');
    assert.equal(call.parameters.ProductArn, 'arn:{AWS::Partition}:securityhub:{AWS::Region}::product/aws/inspector');
    assert.equal(call.ignoreErrorCodesMatching, 'ResourceConflictException');
  });

  it('re-applies on update and does nothing on delete: teardown never disables a service', () => {
    assert.equal(Object.keys(made).length, 5);
    for (const [type, call] of Object.entries(made)) {
      assert.deepEqual(call.update, call.create, type);
      assert.equal(call.delete, undefined, `${type} must not act on delete`);
    }
    for (const call of Object.values(made)) assert.doesNotMatch(call.create.action, /disable/i);
  });

  it('may call exactly the enabling actions and create only their service-linked roles', () => {
    const statements = resourcesOf(security, 'AWS::IAM::Policy').flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement);
    const actions = new Set(statements.flatMap((statement: any) => [statement.Action].flat()));
    assert.deepEqual([...actions].sort(), [
      ...[...CONFIG_RECORDER_ACTIONS].sort(),
      'iam:CreateServiceLinkedRole',
      'iam:PassRole',
      'inspector2:Enable',
      'lambda:GetFunction',
      'lambda:InvokeFunction',
      'securityhub:BatchEnableStandards',
      'securityhub:DescribeHub',
      'securityhub:EnableImportFindingsForProduct',
      'securityhub:EnableSecurityHub',
    ]);
    const linkedRoles = statements
      .filter((s: any) => s.Action === 'iam:CreateServiceLinkedRole')
      .map((s: any) => JSON.stringify(s.Condition.StringEquals['iam:AWSServiceName']));
    assert.deepEqual([...new Set(linkedRoles)].sort(), ['"config.amazonaws.com"', '["inspector2.amazonaws.com","securityhub.amazonaws.com"]']);
    const passRole = statements.find((s: any) => s.Action === 'iam:PassRole');
    assert.equal(flatten(passRole.Resource), 'arn:{AWS::Partition}:iam::{AWS::AccountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig');
    assert.ok(![...actions].some((action) => /^config:(Delete|Stop)/.test(String(action))), 'never deletes or stops a recorder');
  });

  it('turns on a Config recorder through its own function, delivering to a retained bucket only Config may write', () => {
    const [, recorder] = resourcesOf(security, 'Custom::ConfigRecorder')[0];
    assert.match(flatten(recorder.Properties!.recorderRoleArn), /AWSServiceRoleForConfig$/);
    const [bucketId, bucket] = resourcesOf(security, 'AWS::S3::Bucket')[0];
    assert.deepEqual(recorder.Properties!.bucketName, { Ref: bucketId });
    assert.equal(bucket.DeletionPolicy, 'Retain');
    const [, policy] = resourcesOf(security, 'AWS::S3::BucketPolicy')[0];
    const allows = policy.Properties!.PolicyDocument.Statement.filter((statement: any) => statement.Effect === 'Allow');
    assert.deepEqual(allows.map((statement: any) => [statement.Principal, statement.Condition]), [
      [{ Service: 'config.amazonaws.com' }, { StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } } }],
      [{ Service: 'config.amazonaws.com' }, { StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } } }],
    ]);
    assert.match(flatten(allows[1].Resource), /\/AWSLogs\/\{AWS::AccountId\}\/Config\/\*$/);
    const [, fn] = resourcesOf(security, 'AWS::Lambda::Function').find(([, f]) => /AWS Config recording/.test(f.Properties!.Description))!;
    assert.equal(fn.Properties!.Runtime, 'nodejs22.x');
  });

  it('reports the status of Inspector, Security Hub and the standard as outputs', () => {
    const outputs = security.toJSON().Outputs;
    assert.deepEqual(outputs.InspectorEc2Status.Value, { 'Fn::GetAtt': [Object.keys(security.findResources('Custom::Inspector2'))[0], 'accounts.0.resourceStatus.ec2'] });
    assert.deepEqual(outputs.SecurityHubArn.Value, { 'Fn::GetAtt': [Object.keys(security.findResources('Custom::SecurityHubStatus'))[0], 'HubArn'] });
    assert.deepEqual(outputs.FoundationalStandardStatus.Value, {
      'Fn::GetAtt': [Object.keys(security.findResources('Custom::FoundationalStandard'))[0], 'StandardsSubscriptions.0.StandardsStatus'],
    });
    assert.equal(made['Custom::SecurityHubStatus'].create.action, 'describeHub');
  });

  it('is tagged as account-level, never with a team id', () => {
    const [, role] = resourcesOf(security, 'AWS::IAM::Role')[0];
    const tags = Object.fromEntries(role.Properties!.Tags.map((tag: { Key: string; Value: string }) => [tag.Key, tag.Value]));
    assert.equal(tags.Project, 'HRAppLab');
    assert.equal(tags.DeploymentID, '_account');
    assert.doesNotMatch(tags.DeploymentID, /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/);
  });
});

/** What CloudFormation would create from the stack's template in `region`: resources whose condition holds there. */
function createdIn(template: Record<string, any>, region: string): Record<string, any> {
  const value = (v: any): unknown => (v?.Ref === 'AWS::Region' ? region : v);
  const holds = (name: string): boolean => {
    const [fn, args] = Object.entries(template.Conditions[name] as Record<string, any[]>)[0];
    if (fn !== 'Fn::Equals') throw new Error(`condition ${name} uses ${fn}`);
    return value(args[0]) === value(args[1]);
  };
  return Object.fromEntries(Object.entries(template.Resources as Record<string, any>).filter(([, r]) => r.Condition === undefined || holds(r.Condition)));
}

describe('billing alarm (hrapp-security)', () => {
  const mailed = synth({ deployment_id: 'billa', alarm_email: 'trainer@example.com', billing_alarm_usd: '250' }).security.toJSON();
  const typesOf = (resources: Record<string, any>) => Object.values(resources).map((r) => r.Type);

  it('alarms on the estimated charges above billing_alarm_usd when the stack is in us-east-1', () => {
    const created = createdIn(mailed, 'us-east-1');
    const alarms = Object.values(created).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    assert.equal(alarms.length, 1);
    const p = alarms[0].Properties;
    assert.deepEqual(
      [p.AlarmName, p.Namespace, p.MetricName, p.Dimensions, p.Statistic, p.Period, p.Threshold, p.ComparisonOperator, p.EvaluationPeriods, p.TreatMissingData],
      [BILLING_ALARM_NAME, 'AWS/Billing', 'EstimatedCharges', [{ Name: 'Currency', Value: 'USD' }], 'Maximum', 21600, 250, 'GreaterThanThreshold', 1, 'notBreaching'],
    );
    const [topicId, topic] = Object.entries(created).find(([, r]) => r.Type === 'AWS::SNS::Topic')!;
    assert.equal(topic.Properties.TopicName, 'hrapp-billing-alarms');
    assert.deepEqual(p.AlarmActions, [{ Ref: topicId }]);
    const [subscription] = Object.values(created).filter((r) => r.Type === 'AWS::SNS::Subscription');
    assert.deepEqual([subscription.Properties.Protocol, subscription.Properties.Endpoint, subscription.Properties.TopicArn], ['email', 'trainer@example.com', { Ref: topicId }]);
    const [policy] = Object.values(created).filter((r) => r.Type === 'AWS::SNS::TopicPolicy');
    assert.ok(policy.Properties.PolicyDocument.Statement.some((s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'), 'TLS only');
  });

  it('creates no billing alarm or topic in any other region, and says so in an output', () => {
    for (const region of ['eu-west-1', 'us-west-2', 'eu-central-1']) {
      const types = typesOf(createdIn(mailed, region));
      for (const type of ['AWS::CloudWatch::Alarm', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SNS::Subscription']) assert.ok(!types.includes(type), `${type} in ${region}`);
      assert.ok(types.includes('Custom::SecurityHub'), 'the security services stay');
    }
    const output = mailed.Outputs.BillingAlarm.Value['Fn::If'];
    assert.equal(mailed.Conditions[output[0]]['Fn::Equals'][1], 'us-east-1');
    assert.deepEqual([output[1], output[2]], [BILLING_ALARM_NAME, 'none: AWS/Billing metrics exist only in us-east-1']);
  });

  it('defaults to 1000 USD and mails nobody without alarm_email', () => {
    const plain = synth({ deployment_id: 'billb' }).security.toJSON();
    const created = createdIn(plain, 'us-east-1');
    assert.deepEqual(Object.values(created).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties.Threshold), [1000]);
    assert.ok(!typesOf(created).includes('AWS::SNS::Subscription'));
  });

  it('refuses a threshold that is not a whole number of dollars, showing it', () => {
    for (const bad of ['0', '12.5', 'lots']) assert.throws(() => synth({ deployment_id: 'billc', billing_alarm_usd: bad }), new RegExp(`billing_alarm_usd must be a whole number.*${bad}`));
  });
});
