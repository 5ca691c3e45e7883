import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATABASE_APP_USERNAME, DATABASE_OWNER_ROLE } from '../lib/defaults.ts';
import { secretShapeOf } from './secret-shape.ts';
import { flatten, only, resourcesOf, synth } from './support.ts';

// Validation 11 of the seed (automatic rotation), with the app on a login of its own.
const lab = synth({ deployment_id: 'seclab' });

describe('secrets stack', () => {
  const schedules = Object.fromEntries(resourcesOf(lab.secrets, 'AWS::SecretsManager::RotationSchedule').map(([id, schedule]) => [schedule.Properties!.HostedRotationLambda.RotationType, { id, ...schedule }]));
  const app = schedules.PostgreSQLMultiUser;
  const master = schedules.PostgreSQLSingleUser;
  const [, appSecret] = only(lab.secrets, 'AWS::SecretsManager::Secret');
  const masterArn = /^\{Fn::ImportValue:"hrapp-seclab-data:ExportsOutputRefDatabaseSecretAttachment\w+"\}$/;

  it("gives the app its own secret with every field it reads: host, port, username, password, dbname", () => {
    const shape = secretShapeOf(lab.secrets);
    assert.deepEqual(shape, { username: DATABASE_APP_USERNAME, dbname: 'hrappdb', masterarn: null, password: null, engine: null, host: null, port: null, dbInstanceIdentifier: null });
    const template = appSecret.Properties!.GenerateSecretString.SecretStringTemplate;
    assert.match(flatten(template), /"masterarn":"\{Fn::ImportValue:"hrapp-seclab-data:ExportsOutputRefDatabaseSecretAttachment\w+"\}"/);
    assert.match(flatten(appSecret.Properties!.Name), /^hrapp-seclab-db-app-credentials-/);
    assert.equal(appSecret.DeletionPolicy, 'Delete');
  });

  it("rotates the app's secret with hosted multi-user rotation, as the master", () => {
    assert.equal(app.Properties!.HostedRotationLambda.RotationLambdaName, 'hrapp-seclab-db-rotation');
    assert.match(flatten(app.Properties!.HostedRotationLambda.MasterSecretArn), masterArn);
    assert.match(flatten(app.Properties!.SecretId), /^\{AppSecretAttachment\w+\}$/);
    assert.match(String(lab.secrets.toJSON().Transform), /^AWS::SecretsManager-/);
  });

  it("rotates the master's own secret single-user, in the same stack", () => {
    assert.equal(master.Properties!.HostedRotationLambda.RotationLambdaName, 'hrapp-seclab-db-master-rotation');
    assert.equal(master.Properties!.HostedRotationLambda.MasterSecretArn, undefined);
    assert.match(flatten(master.Properties!.SecretId), masterArn);
  });

  it('rotates every 30 days without lab hours, in a 3-hour window', () => {
    for (const schedule of [app, master]) assert.deepEqual(schedule.Properties!.RotationRules, { ScheduleExpression: 'rate(30 days)', Duration: '3h' });
  });

  it("creates the group role and the app's login before the first rotation, and never rotates both at once", () => {
    const [rolesId, roles] = only(lab.secrets, 'Custom::DatabaseRoles');
    assert.deepEqual([roles.Properties!.database, roles.Properties!.ownerRole, roles.Properties!.appUsername], ['hrappdb', DATABASE_OWNER_ROLE, DATABASE_APP_USERNAME]);
    assert.match(flatten(roles.Properties!.masterSecretArn), masterArn);
    assert.match(flatten(roles.Properties!.appSecretArn), /^\{AppSecretAttachment\w+\}$/);
    assert.match(roles.Properties!.codeVersion, /^[0-9a-f]{16}$/);
    assert.ok((app as any).DependsOn.includes(rolesId));
    assert.ok((app as any).DependsOn.includes(master.id));
  });

  it('runs the roles function (bundled, the latest Node.js) in the private subnets with the group the database admits, reading the two secrets only', () => {
    const [fnId, fn] = only(lab.secrets, 'AWS::Lambda::Function', (f) => f.Properties!.FunctionName === 'hrapp-seclab-db-roles');
    assert.equal(fn.Properties!.Runtime, 'nodejs24.x');
    assert.equal(fn.Properties!.Handler, 'index.handler');
    assert.ok(fn.Properties!.Code.S3Key, 'code is a bundled asset');
    assert.equal(fn.Properties!.Environment.Variables.NODE_EXTRA_CA_CERTS, '/var/runtime/ca-cert.pem');
    const subnets = flatten(fn.Properties!.VpcConfig.SubnetIds);
    assert.match(subnets, /privateSubnet1.*privateSubnet2/);
    assert.doesNotMatch(subnets, /publicSubnet/);
    assert.match(flatten(fn.Properties!.VpcConfig.SecurityGroupIds), /hrapp-seclab-network:ExportsOutputFnGetAttAppSecurityGroup/);
    const roleRef = fn.Properties!.Role['Fn::GetAtt'][0];
    const statements = resourcesOf(lab.secrets, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties!.Roles) === JSON.stringify([{ Ref: roleRef }]))
      .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement);
    const read = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
    assert.deepEqual(statements.map((s: any) => s.Action), [read, read], fnId);
    assert.match(flatten(statements[0].Resource), masterArn);
    assert.match(flatten(statements[1].Resource), /^\{AppSecretAttachment\w+\}$/);
  });

  it("publishes the app's secret ARN as DbSecretArn", () => {
    const outputs = lab.secrets.toJSON().Outputs;
    assert.match(flatten(outputs.DbSecretArn.Value), /^\{AppSecretAttachment\w+\}$/);
  });

  it('deploys after the data stack and before compute', () => {
    const { data, secrets, compute } = lab.stacks;
    assert.ok(secrets.dependencies.includes(data));
    assert.ok(compute.dependencies.includes(secrets));
  });
});
