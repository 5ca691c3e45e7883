import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flatten, only, synth } from './support.ts';

// Validation 11 of the seed: the secret rotates automatically every 30 days.
const lab = synth({ deployment_id: 'seclab' });

describe('secrets stack', () => {
  const [, schedule] = only(lab.secrets, 'AWS::SecretsManager::RotationSchedule');
  const hosted = schedule.Properties!.HostedRotationLambda;

  it('rotates the database secret every 30 days with hosted single-user rotation', () => {
    assert.deepEqual(schedule.Properties!.RotationRules, { ScheduleExpression: 'rate(30 days)' });
    assert.equal(hosted.RotationType, 'PostgreSQLSingleUser');
    assert.equal(hosted.RotationLambdaName, 'hrapp-seclab-db-rotation');
    assert.equal(hosted.MasterSecretArn, undefined, 'single user: the secret rotates its own password');
    assert.match(flatten(schedule.Properties!.SecretId), /hrapp-seclab-data:ExportsOutputRefDatabaseSecretAttachment/);
    assert.match(String(lab.secrets.toJSON().Transform), /^AWS::SecretsManager-/);
  });

  it('runs the rotation in the private subnets with the group the database admits', () => {
    const subnets = flatten(hosted.VpcSubnetIds);
    assert.match(subnets, /privateSubnet1/);
    assert.match(subnets, /privateSubnet2/);
    assert.doesNotMatch(subnets, /publicSubnet/);
    assert.match(flatten(hosted.VpcSecurityGroupIds), /hrapp-seclab-network:ExportsOutputFnGetAttAppSecurityGroup/);
  });

  it('publishes the secret ARN as DbSecretArn', () => {
    const outputs = lab.secrets.toJSON().Outputs;
    assert.match(flatten(outputs.DbSecretArn.Value), /hrapp-seclab-data:ExportsOutputRefDatabaseSecretAttachment/);
  });

  it('deploys after the data stack and before compute', () => {
    const { data, secrets, compute } = lab.stacks;
    assert.ok(secrets.dependencies.includes(data));
    assert.ok(compute.dependencies.includes(secrets));
  });
});
