// A second, independent reference: requests signed by botocore (Debian's AWS CLI) must pass the
// fakes' verifier too, so the verifier cannot merely agree with the signer it is built on.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { send } from './aws-client.mjs';
import { startS3 } from './s3.mjs';
import { startSecretsManager } from './secretsmanager.mjs';

const AWS_CLI = '/usr/bin/aws'; // Debian's awscli package, bundling botocore
const credentials = { accessKeyId: 'ASIABOTOCORE', secretAccessKey: 'botocore/secret+key', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE==' };
const KEY = 'uploads/lab/a b+c=é.txt';
let s3;
let sm;
let dir;
before(async () => {
  s3 = await startS3({ credentials, bucket: 'hrapp-boto' });
  sm = await startSecretsManager({ credentials });
  dir = await mkdtemp(join(tmpdir(), 'hrapp-boto-'));
});
after(async () => {
  await Promise.all([s3.close(), sm.close()]);
  await rm(dir, { recursive: true, force: true });
});

const aws = async (endpoint, ...args) => (await promisify(execFile)(AWS_CLI, ['--endpoint-url', endpoint, ...args], {
  env: {
    PATH: process.env.PATH, HOME: dir, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken, AWS_DEFAULT_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true',
  },
})).stdout;

test('botocore-signed S3 requests, header and presigned, pass the proxy', async () => {
  const file = join(dir, 'body.txt');
  await writeFile(file, 'signed by botocore');
  await aws(s3.endpoint, 's3api', 'put-object', '--bucket', 'hrapp-boto', '--key', KEY, '--body', file,
    '--content-type', 'text/plain', '--server-side-encryption', 'AES256');
  assert.equal(s3.requests.at(-1).headers['x-amz-server-side-encryption'], 'AES256');
  assert.equal(await aws(s3.endpoint, 's3', 'cp', `s3://hrapp-boto/${KEY}`, '-'), 'signed by botocore');
  const listing = JSON.parse(await aws(s3.endpoint, 's3api', 'list-objects-v2', '--bucket', 'hrapp-boto', '--prefix', 'uploads/'));
  assert.deepEqual(listing.Contents.map((o) => o.Key), [KEY]);
  const url = new URL((await aws(s3.endpoint, 's3', 'presign', `s3://hrapp-boto/${KEY}`, '--expires-in', '60')).trim());
  const got = await send(s3.endpoint, { method: 'GET', url: url.pathname + url.search, headers: {} });
  assert.equal(got.body.toString(), 'signed by botocore');
  assert.ok(s3.requests.length >= 4);
  assert.ok(s3.requests.every((r) => r.verdict.ok), JSON.stringify(s3.requests.map((r) => r.verdict)));
});

test('a botocore-signed GetSecretValue passes the Secrets Manager fake', async () => {
  sm.setSecret('hrapp/lab/db', { current: { username: 'hrapp', password: 'pw' } });
  const answer = JSON.parse(await aws(sm.endpoint, 'secretsmanager', 'get-secret-value', '--secret-id', 'hrapp/lab/db'));
  assert.deepEqual(JSON.parse(answer.SecretString), { username: 'hrapp', password: 'pw' });
  assert.deepEqual(sm.calls['hrapp/lab/db'], { AWSCURRENT: 1 });
});
