import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRODUCTION, flatten, only, synth } from './support.ts';

// Validation 4 of the seed, and the lab teardown of the bucket.
const lab = synth({ deployment_id: 'stolab' });
const production = synth({ deployment_id: 'stoprod', ...PRODUCTION });

describe('storage stack', () => {
  const [, bucket] = only(lab.storage, 'AWS::S3::Bucket');

  it('names the bucket hrapp-{id}-uploads-{account}-{region}', () => {
    assert.equal(flatten(bucket.Properties!.BucketName), 'hrapp-stolab-uploads-{AWS::AccountId}-{AWS::Region}');
    lab.storage.hasOutput('BucketName', { Value: { Ref: lab.storage.toJSON().Outputs.BucketName.Value.Ref } });
    assert.match(lab.storage.toJSON().Outputs.BucketName.Value.Ref, /^UploadsBucket/);
  });

  it('blocks all public access, encrypts with SSE-S3, keeps versions', () => {
    assert.deepEqual(bucket.Properties!.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.deepEqual(bucket.Properties!.BucketEncryption, {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    assert.deepEqual(bucket.Properties!.VersioningConfiguration, { Status: 'Enabled' });
    assert.deepEqual(bucket.Properties!.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  const [, policy] = only(lab.storage, 'AWS::S3::BucketPolicy');
  const statements: Record<string, any>[] = policy.Properties!.PolicyDocument.Statement;

  it('grants nothing to the public: its one Allow is for the lab teardown function', () => {
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    assert.equal(allows.length, 1);
    assert.match(flatten(allows[0].Principal.AWS), /^\{Fn::GetAtt:\["CustomS3AutoDeleteObjectsCustomResourceProviderRole\w+","Arn"\]\}$/);
    const [, prodPolicy] = only(production.storage, 'AWS::S3::BucketPolicy');
    for (const statement of prodPolicy.Properties!.PolicyDocument.Statement) assert.equal(statement.Effect, 'Deny', JSON.stringify(statement));
  });

  it('refuses requests without TLS', () => {
    const tls = statements.find((statement) => statement.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    assert.ok(tls);
    assert.deepEqual(tls.Action, 's3:*');
    assert.deepEqual(tls.Principal, { AWS: '*' });
  });

  it('lets only the instance role get, put and delete under uploads/{id}/', () => {
    const uploads = statements.find((statement) => statement.Sid === 'UploadsForTheInstanceRoleOnly')!;
    assert.deepEqual(uploads.Principal, { AWS: '*' });
    assert.deepEqual(uploads.Action, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']);
    assert.match(flatten(uploads.Resource), /^\{Fn::GetAtt:\["UploadsBucket\w+","Arn"\]\}\/uploads\/stolab\/\*$/);
    assert.deepEqual(Object.keys(uploads.Condition), ['ArnNotEquals']);
    assert.equal(flatten(uploads.Condition.ArnNotEquals['aws:PrincipalArn']), 'arn:{AWS::Partition}:iam::{AWS::AccountId}:role/hrapp-stolab-ec2-role-{AWS::Region}');
  });

  it('names the role the compute stack creates', () => {
    const [, role] = only(lab.compute, 'AWS::IAM::Role', (r) => flatten(r.Properties!.RoleName) === 'hrapp-stolab-ec2-role-{AWS::Region}');
    assert.equal(flatten(role.Properties!.RoleName), 'hrapp-stolab-ec2-role-{AWS::Region}');
  });

  it('in lab, deletes the bucket with every object version on teardown', () => {
    const [, labBucket] = only(lab.storage, 'AWS::S3::Bucket');
    assert.equal(labBucket.DeletionPolicy, 'Delete');
    lab.storage.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    assert.ok(
      labBucket.Properties!.Tags.some((tag: { Key: string; Value: string }) => tag.Key === 'aws-cdk:auto-delete-objects' && tag.Value === 'true'),
    );
  });

  it('in production, retains the bucket and its objects', () => {
    const [, prodBucket] = only(production.storage, 'AWS::S3::Bucket');
    assert.equal(prodBucket.DeletionPolicy, 'Retain');
    production.storage.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });
});
