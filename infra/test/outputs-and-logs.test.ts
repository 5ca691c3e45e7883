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
    assert.deepEqual(outputKeys(lab.secrets), ['DbSecretArn', 'DbAppSecretName']);
    assert.deepEqual(outputKeys(lab.logs), ['AppLogGroupName', 'DatabaseLogGroupName']);
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

  it("the database's exported logs and the instances' boot and app logs: in the logs stack, a month's retention, kept in production", () => {
    for (const name of ['/aws/rds/instance/hrapp-outlab-db/postgresql', '/hrapp/outlab/app']) {
      const [, group] = logGroup(lab.logs, name);
      assert.equal(group.Properties.RetentionInDays, 30);
      assert.equal(group.DeletionPolicy, 'Delete');
    }
    for (const name of ['/aws/rds/instance/hrapp-outprod-db/postgresql', '/hrapp/outprod/app']) assert.equal(logGroup(production.logs, name)[1].DeletionPolicy, 'Retain');
    assert.deepEqual(resourcesOf(lab.logs, 'AWS::Logs::LogGroup').length, 2, 'nothing else there');
  });

  it('outlive a rollback of the stacks that write to them: the database and the fleet deploy after the logs stack', () => {
    const { logs, data, compute } = lab.stacks;
    assert.ok(data.dependencies.includes(logs), 'the instance exports to a group that exists');
    assert.ok(compute.dependencies.includes(logs));
    const [, db] = only(lab.data, 'AWS::RDS::DBInstance') as [string, any];
    assert.deepEqual(db.Properties.EnableCloudwatchLogsExports, ['postgresql']);
    assert.deepEqual(resourcesOf(lab.compute, 'AWS::Logs::LogGroup').map(([, group]) => flatten(group.Properties!.LogGroupName)), ['/aws/lambda/hrapp-outlab-aws-api-calls']);
  });

  it("the rotation functions': created before the rotations, removed with the stack", () => {
    for (const name of ['hrapp-outlab-db-rotation', 'hrapp-outlab-db-master-rotation']) {
      const [groupId, group] = logGroup(lab.secrets, `/aws/lambda/${name}`);
      assert.equal(group.Properties.RetentionInDays, 30);
      assert.equal(group.DeletionPolicy, 'Delete');
      const [, rotation] = only(lab.secrets, 'AWS::SecretsManager::RotationSchedule', (r) => r.Properties!.HostedRotationLambda.RotationLambdaName === name) as [string, any];
      assert.ok(rotation.DependsOn.includes(groupId));
    }
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
    for (const template of [lab.logs, lab.network, lab.storage, lab.data, lab.secrets, lab.compute]) {
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
