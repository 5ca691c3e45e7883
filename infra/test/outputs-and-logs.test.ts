import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Template } from 'aws-cdk-lib/assertions';
import { PRODUCTION, flatten, only, resourcesOf, synth } from './support.ts';

// Every output the seed lists, and no log group left to a service to create outside the stacks.
const lab = synth({ deployment_id: 'outlab' });
const production = synth({ deployment_id: 'outprod', ...PRODUCTION });

const outputKeys = (template: Template) => Object.keys(template.toJSON().Outputs ?? {}).filter((key) => !key.startsWith('ExportsOutput'));

describe('stack outputs', () => {
  it('name what a trainer looks up: network, database, secret, bucket, role, load balancer, security services', () => {
    assert.deepEqual(outputKeys(lab.network), [
      'VpcId',
      'AvailabilityZones',
      'PublicSubnetIds',
      'PrivateSubnetIds',
      'AlbSecurityGroupId',
      'AppSecurityGroupId',
      'DatabaseSecurityGroupId',
    ]);
    assert.deepEqual(outputKeys(lab.data), ['DbEndpoint', 'DbPort', 'DbName', 'DbSecretName']);
    assert.deepEqual(outputKeys(lab.secrets), ['DbSecretArn']);
    assert.deepEqual(outputKeys(lab.storage), ['BucketName', 'BucketArn']);
    for (const key of ['AlbDnsName', 'AutoScalingGroupName', 'InstanceRoleArn']) assert.ok(outputKeys(lab.compute).includes(key), key);
    assert.deepEqual(outputKeys(lab.security), ['InspectorEc2Status', 'SecurityHubArn', 'ConfigRecorderStatus', 'FoundationalStandardStatus', 'BillingAlarm']);
  });

  it('give both subnets of each tier and both zones', () => {
    const outputs = lab.network.toJSON().Outputs;
    assert.match(flatten(outputs.PublicSubnetIds.Value), /^\{VpcpublicSubnet1\w+\},\{VpcpublicSubnet2\w+\}$/);
    assert.match(flatten(outputs.PrivateSubnetIds.Value), /^\{VpcprivateSubnet1\w+\},\{VpcprivateSubnet2\w+\}$/);
    assert.deepEqual(outputs.AvailabilityZones.Value['Fn::Join'][1], [0, 1].map((index) => ({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] })));
  });

  it('give the database port and name, and the secret name (with its lab suffix, fixed in production)', () => {
    const outputs = lab.data.toJSON().Outputs;
    assert.deepEqual(outputs.DbPort.Value, { 'Fn::GetAtt': [only(lab.data, 'AWS::RDS::DBInstance')[0], 'Endpoint.Port'] });
    assert.equal(outputs.DbName.Value, 'hrappdb');
    assert.match(flatten(outputs.DbSecretName.Value), /^hrapp-outlab-db-credentials-\{Fn::Select/);
    assert.equal(production.data.toJSON().Outputs.DbSecretName.Value, 'hrapp-outprod-db-credentials');
  });
});

describe('log groups the services would create outside the stacks', () => {
  const logGroup = (template: Template, name: string) => {
    const found = resourcesOf(template, 'AWS::Logs::LogGroup').filter(([, group]) => flatten(group.Properties!.LogGroupName) === name);
    assert.equal(found.length, 1, `${name} in ${resourcesOf(template, 'AWS::Logs::LogGroup').map(([, g]) => flatten(g.Properties!.LogGroupName))}`);
    return found[0] as [string, { Properties: Record<string, any>; DeletionPolicy?: string }];
  };

  it("the database's exported logs: created before the instance, a month's retention, removed with a lab", () => {
    const [groupId, group] = logGroup(lab.data, '/aws/rds/instance/hrapp-outlab-db/postgresql');
    assert.equal(group.Properties.RetentionInDays, 30);
    assert.equal(group.DeletionPolicy, 'Delete');
    const [, db] = only(lab.data, 'AWS::RDS::DBInstance') as [string, any];
    assert.ok(db.DependsOn.includes(groupId));
    assert.deepEqual(db.Properties.EnableCloudwatchLogsExports, ['postgresql']);
    assert.equal(logGroup(production.data, '/aws/rds/instance/hrapp-outprod-db/postgresql')[1].DeletionPolicy, 'Retain');
  });

  it("the rotation function's: created before the rotation, removed with the stack", () => {
    const [groupId, group] = logGroup(lab.secrets, '/aws/lambda/hrapp-outlab-db-rotation');
    assert.equal(group.Properties.RetentionInDays, 30);
    assert.equal(group.DeletionPolicy, 'Delete');
    const [, rotation] = only(lab.secrets, 'AWS::SecretsManager::RotationSchedule') as [string, any];
    assert.ok(rotation.DependsOn.includes(groupId));
  });

  it("the custom resources' functions: named hrapp-{id}-…, each with its group created first", () => {
    for (const [template, name] of [
      [lab.network, 'hrapp-outlab-default-sg-rules'],
      [lab.storage, 'hrapp-outlab-empty-uploads'],
    ] as const) {
      const [, fn] = only(template, 'AWS::Lambda::Function') as [string, any];
      assert.equal(fn.Properties.FunctionName, name);
      const [groupId, group] = logGroup(template, `/aws/lambda/${name}`);
      assert.equal(group.DeletionPolicy, 'Delete');
      assert.ok(fn.DependsOn.includes(groupId), `${name} waits for its log group`);
    }
  });

  it('every function of a team has its log group in its stack', () => {
    for (const template of [lab.network, lab.storage, lab.data, lab.secrets, lab.compute]) {
      const groups = resourcesOf(template, 'AWS::Logs::LogGroup').map(([, group]) => flatten(group.Properties!.LogGroupName));
      for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
        assert.ok(groups.includes(`/aws/lambda/${fn.Properties!.FunctionName}`), `${fn.Properties!.FunctionName}`);
      }
    }
  });

  it('tags every team resource with its Environment, which scripts/teardown reads', () => {
    const [, bucket] = only(production.storage, 'AWS::S3::Bucket');
    assert.ok(bucket.Properties!.Tags.some((tag: { Key: string; Value: string }) => tag.Key === 'Environment' && tag.Value === 'production'));
    assert.equal(lab.stacks.data.tags.tagValues().Environment, 'lab');
  });
});
