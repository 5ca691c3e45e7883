import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { secretShapeOf } from './secret-shape.ts';
import { PRODUCTION, flatten, only, resourcesOf, synth } from './support.ts';

// Validations 3 and 11 of the seed (database, and the secret behind its master credentials).
const lab = synth({ deployment_id: 'datalab' });
const production = synth({ deployment_id: 'dataprod', ...PRODUCTION, db_multi_az: 'true', db_instance_class: 'db.t4g.small' });

describe('data stack', () => {
  const [, db] = only(lab.data, 'AWS::RDS::DBInstance');

  it('runs PostgreSQL 15 with the database hrappdb, named hrapp-{id}-db', () => {
    assert.equal(db.Properties!.Engine, 'postgres');
    assert.match(db.Properties!.EngineVersion, /^15(\.|$)/);
    assert.equal(db.Properties!.DBName, 'hrappdb');
    assert.equal(db.Properties!.DBInstanceIdentifier, 'hrapp-datalab-db');
    assert.equal(db.Properties!.DBInstanceClass, 'db.t3.micro');
    assert.equal(db.Properties!.Port, '5432');
    lab.data.hasOutput('DbEndpoint', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Database'), 'Endpoint.Address'] } });
  });

  it('is private: not publicly accessible, in the private subnets, behind the RDS group', () => {
    assert.equal(db.Properties!.PubliclyAccessible, false);
    const [, subnetGroup] = only(lab.data, 'AWS::RDS::DBSubnetGroup');
    assert.equal(subnetGroup.Properties!.DBSubnetGroupName, 'hrapp-datalab-db-subnets');
    const subnetImports = flatten(subnetGroup.Properties!.SubnetIds);
    assert.match(subnetImports, /privateSubnet1/);
    assert.match(subnetImports, /privateSubnet2/);
    assert.doesNotMatch(subnetImports, /publicSubnet/);
    assert.match(flatten(db.Properties!.VPCSecurityGroups), /DatabaseSecurityGroup/);
  });

  it('encrypts storage, keeps 7 days of backups, requires TLS', () => {
    assert.equal(db.Properties!.StorageEncrypted, true);
    assert.equal(db.Properties!.BackupRetentionPeriod, 7);
    assert.equal(db.Properties!.StorageType, 'gp3');
    lab.data.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres15', Parameters: { 'rds.force_ssl': '1' } });
  });

  it('follows db_multi_az and db_instance_class', () => {
    assert.equal(db.Properties!.MultiAZ, false);
    const [, prodDb] = only(production.data, 'AWS::RDS::DBInstance');
    assert.equal(prodDb.Properties!.MultiAZ, true);
    assert.equal(prodDb.Properties!.DBInstanceClass, 'db.t4g.small');
  });

  it('in lab, tears down with no final snapshot and no deletion protection', () => {
    assert.equal(db.Properties!.DeletionProtection, false);
    assert.equal(db.DeletionPolicy, 'Delete');
    assert.equal(db.Properties!.DeleteAutomatedBackups, true);
  });

  it('in production, protects the database and snapshots it on deletion', () => {
    const [, prodDb] = only(production.data, 'AWS::RDS::DBInstance');
    assert.equal(prodDb.Properties!.DeletionProtection, true);
    assert.equal(prodDb.DeletionPolicy, 'Snapshot');
    assert.equal(prodDb.UpdateReplacePolicy, 'Snapshot');
  });

  it('takes its master credentials from the generated secret', () => {
    const [secretId, secret] = only(lab.data, 'AWS::SecretsManager::Secret');
    assert.equal(db.Properties!.MasterUsername, 'hrapp_admin');
    assert.match(flatten(db.Properties!.MasterUserPassword), new RegExp(`${secretId}.*SecretString:password`));
    assert.deepEqual(JSON.parse(secret.Properties!.GenerateSecretString.SecretStringTemplate), { username: 'hrapp_admin', dbname: 'hrappdb' });
    assert.equal(secret.Properties!.GenerateSecretString.GenerateStringKey, 'password');
    lab.data.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { TargetType: 'AWS::RDS::DBInstance' });
  });

  it("names the database in the master's secret too (the secrets stack gives the app its own)", () => {
    assert.deepEqual(secretShapeOf(lab.data), {
      username: 'hrapp_admin',
      dbname: 'hrappdb',
      password: null,
      engine: null,
      host: null,
      port: null,
      dbInstanceIdentifier: null,
    });
    assert.equal(secretShapeOf(lab.data).dbname, db.Properties!.DBName);
  });

  it('in lab, gives the secret a name unique to the stack instance and deletes it', () => {
    const [, secret] = only(lab.data, 'AWS::SecretsManager::Secret');
    assert.equal(secret.DeletionPolicy, 'Delete');
    const name = flatten(secret.Properties!.Name);
    assert.ok(name.startsWith('hrapp-datalab-db-credentials-'), name);
    assert.match(name, /AWS::StackId/);
  });

  it('in production, keeps a fixed secret name and retains the secret with the snapshot', () => {
    const [, secret] = only(production.data, 'AWS::SecretsManager::Secret');
    assert.equal(secret.Properties!.Name, 'hrapp-dataprod-db-credentials');
    assert.equal(secret.DeletionPolicy, 'Retain');
  });

  it("holds nothing but the database, the master's secret and their settings (the log group is the logs stack's)", () => {
    const types = Object.values(lab.data.toJSON().Resources as Record<string, { Type: string }>).map((resource) => resource.Type).sort();
    assert.deepEqual(types, [
      'AWS::RDS::DBInstance',
      'AWS::RDS::DBParameterGroup',
      'AWS::RDS::DBSubnetGroup',
      'AWS::SecretsManager::ResourcePolicy',
      'AWS::SecretsManager::Secret',
      'AWS::SecretsManager::SecretTargetAttachment',
    ]);
    assert.equal(resourcesOf(lab.data, 'AWS::SecretsManager::RotationSchedule').length, 0, 'rotation lives in the secrets stack');
  });
});
