import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readDeploymentConfig } from '../lib/config.ts';
import { ValidationError } from '../lib/errors.ts';

const context = (values: Record<string, unknown>) => (key: string) => values[key];
const valid = { deployment_id: 'team01', owner: 'trainer' };

/** Asserts that parsing fails with a ValidationError whose message shows the bad value. */
function assertRejects(values: Record<string, unknown>, shown: string) {
  assert.throws(
    () => readDeploymentConfig(context({ ...valid, ...values })),
    (error: unknown) => error instanceof ValidationError && error.message.includes(shown),
    `expected a message showing ${shown}`,
  );
}

describe('deployment parameters', () => {
  it('applies the seed defaults', () => {
    assert.deepEqual(readDeploymentConfig(context(valid)), {
      deploymentId: 'team01',
      owner: 'trainer',
      allowedIngressCidr: '0.0.0.0/0',
      natMode: 'single',
      dbMultiAz: false,
      ec2InstanceType: 't3.micro',
      dbInstanceClass: 'db.t3.micro',
      environment: 'lab',
      asgHealthCheck: 'ec2',
      amiId: undefined,
      certificateArn: undefined,
      waf: false,
      alarmEmail: undefined,
      monthlyBudgetUsd: 150,
      billingAlarmUsd: 1000,
      labSchedule: undefined,
    });
  });

  it('reads -c strings and cdk.json booleans alike', () => {
    assert.equal(readDeploymentConfig(context({ ...valid, db_multi_az: 'true' })).dbMultiAz, true);
    assert.equal(readDeploymentConfig(context({ ...valid, db_multi_az: true })).dbMultiAz, true);
    assert.equal(readDeploymentConfig(context({ ...valid, db_multi_az: 'false' })).dbMultiAz, false);
  });

  it('accepts the boundaries of deployment_id', () => {
    for (const id of ['abc', 'a-1', 'a'.repeat(20), 'team-01-x9']) {
      assert.equal(readDeploymentConfig(context({ ...valid, deployment_id: id })).deploymentId, id);
    }
  });

  it('fails without deployment_id or owner', () => {
    assert.throws(() => readDeploymentConfig(context({ owner: 'x' })), /deployment_id is required/);
    assert.throws(() => readDeploymentConfig(context({ deployment_id: 'team01' })), /owner is required/);
  });

  it('fails on a malformed deployment_id, showing it', () => {
    for (const id of ['ab', 'Team01', '1team', 'team-', 'team_01', 'a'.repeat(21), 'tëam01', 'team 01']) {
      assertRejects({ deployment_id: id }, `'${id}'`);
    }
  });

  it('fails on an owner that is blank, too long or no tag value', () => {
    assertRejects({ owner: '   ' }, "'   '");
    assertRejects({ owner: 'x'.repeat(65) }, 'x'.repeat(65));
    assertRejects({ owner: 'a;b' }, "'a;b'");
  });

  it('fails on a bad allowed_ingress_cidr, showing it', () => {
    for (const cidr of ['10.0.0.0/33', '256.0.0.0/8', '10.0.0.0', 'anywhere', '10.0.0.1/24', '::/0']) {
      assertRejects({ allowed_ingress_cidr: cidr }, `'${cidr}'`);
    }
  });

  it('fails on enums outside their values, showing them', () => {
    assertRejects({ nat_mode: 'triple' }, "'triple'");
    assertRejects({ environment: 'staging' }, "'staging'");
    assertRejects({ asg_health_check: 'both' }, "'both'");
    assertRejects({ db_multi_az: 'yes' }, '"yes"');
  });

  it("fails on a deployment_id with '--', which RDS identifiers refuse", () => {
    assertRejects({ deployment_id: 'team--01' }, "RDS refuses two hyphens in a row in hrapp-{id}-db), got 'team--01'");
  });

  it('accepts x86_64 instance types only: the package is x86_64', () => {
    for (const type of ['t3.micro', 't3a.small', 'm5.large', 'm7i-flex.large', 'c6in.xlarge', 'g4dn.xlarge', 'r5dn.large']) {
      assert.equal(readDeploymentConfig(context({ ...valid, ec2_instance_type: type })).ec2InstanceType, type);
    }
    for (const type of ['t4g.micro', 'm6g.large', 'm6gd.large', 'c7gn.large', 'r8g.large', 'a1.medium', 'im4gn.large', 'is4gen.large', 'g5g.xlarge', 'mac2.metal']) {
      assertRejects({ ec2_instance_type: type }, `must be an x86_64 type (the app package is x86_64), got '${type}'`);
    }
  });

  it('pins the image to ami_id when given, and refuses what is not an image id', () => {
    assert.equal(readDeploymentConfig(context({ ...valid, ami_id: 'ami-0123456789abcdef0' })).amiId, 'ami-0123456789abcdef0');
    assert.equal(readDeploymentConfig(context({ ...valid, ami_id: 'ami-12345678' })).amiId, 'ami-12345678');
    for (const ami of ['ami-xyz', 'resolve:ssm:/aws/service/ami', 'AMI-0123456789ABCDEF0']) assertRejects({ ami_id: ami }, `"${ami}"`);
  });

  it('fails on malformed instance types, showing them', () => {
    assertRejects({ ec2_instance_type: 'big' }, "'big'");
    assertRejects({ ec2_instance_type: 'db.t3.micro' }, "'db.t3.micro'");
    assertRejects({ db_instance_class: 't3.micro' }, "'t3.micro'");
  });
});
