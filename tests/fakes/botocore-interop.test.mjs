// The fakes read through AWS's own client code, botocore (Debian's python3-botocore and the
// AWS CLI that bundles it): its signer must pass their verifiers, and every answer they give,
// errors included, must parse into what the service's answer parses into. So a fake cannot
// drift into a shape of its own that only our client accepts.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { send, signRequest } from './aws-client.mjs';
import { startImds } from './imds.mjs';
import { startS3 } from './s3.mjs';
import { startSecretsManager } from './secretsmanager.mjs';

const AWS_CLI = '/usr/bin/aws'; // Debian's awscli package, bundling botocore
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-botocore
const credentials = { accessKeyId: 'ASIABOTOCORE', secretAccessKey: 'botocore/secret+key', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE==' };
const BUCKET = 'hrapp-boto';
const KEY = 'uploads/lab/a b+c=é.txt';
let s3;
let sm;
let imds;
let dir;
let botocore;

/** The long-lived botocore driver (botocore_driver.py): one JSON request, one JSON answer. */
function startBotocore() {
  const child = spawn(PYTHON, [join(import.meta.dirname, 'botocore_driver.py')], {
    stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: process.env.PATH, HOME: dir, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let queue = Promise.resolve();
  return {
    ask(request) {
      const answer = queue.then(async () => {
        child.stdin.write(`${JSON.stringify(request)}\n`);
        const { value, done } = await lines.next();
        if (done) throw new Error('the botocore driver exited');
        return JSON.parse(value);
      });
      queue = answer.catch(() => {});
      return answer;
    },
    close: () => new Promise((resolve) => { child.once('exit', resolve); child.stdin.end(); }),
  };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hrapp-boto-'));
  s3 = await startS3({ credentials, bucket: BUCKET });
  sm = await startSecretsManager({ credentials });
  imds = await startImds({ credentials: { AccessKeyId: 'ASIAIMDS', SecretAccessKey: 'imds/secret', Token: 'imds-token' } });
  botocore = startBotocore();
});
after(async () => {
  await Promise.all([s3.close(), sm.close(), imds.close(), botocore.close()]);
  await rm(dir, { recursive: true, force: true });
});

const aws = async (endpoint, ...args) => (await promisify(execFile)(AWS_CLI, ['--endpoint-url', endpoint, ...args], {
  env: {
    PATH: process.env.PATH, HOME: dir, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken, AWS_DEFAULT_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true',
  },
})).stdout;

/** A botocore client call to a fake; `as` replaces the credentials (null: unsigned). */
const call = (fake, service, operation, params = {}, as = credentials) =>
  botocore.ask({ op: 'call', service, operation, params, endpoint: fake.endpoint, credentials: as });

/** Sends a request as the wire carries it and has botocore parse the fake's answer. */
async function parseAnswer(fake, service, operation, wire) {
  const answer = await send(fake.endpoint, wire);
  return botocore.ask({
    op: 'parse', service, operation, status: answer.status, headers: answer.headers,
    body_base64: answer.body.toString('base64'),
  });
}

const wrongSecret = { ...credentials, secretAccessKey: 'not the secret' };
const unknownKey = { ...credentials, accessKeyId: 'ASIANOBODY' };
const wrongToken = { ...credentials, sessionToken: 'not the token' };
const minutesAgo = (n) => new Date(Date.now() - n * 60_000);

describe('S3 (s3rver behind the verifying proxy)', () => {
  test('botocore-signed S3 requests, header and presigned, pass the proxy', async () => {
    const file = join(dir, 'body.txt');
    await writeFile(file, 'signed by botocore');
    await aws(s3.endpoint, 's3api', 'put-object', '--bucket', BUCKET, '--key', KEY, '--body', file,
      '--content-type', 'text/plain', '--server-side-encryption', 'AES256');
    assert.equal(s3.requests.at(-1).headers['x-amz-server-side-encryption'], 'AES256');
    assert.equal(await aws(s3.endpoint, 's3', 'cp', `s3://${BUCKET}/${KEY}`, '-'), 'signed by botocore');
    const url = new URL((await aws(s3.endpoint, 's3', 'presign', `s3://${BUCKET}/${KEY}`, '--expires-in', '60')).trim());
    const got = await send(s3.endpoint, { method: 'GET', url: url.pathname + url.search, headers: {} });
    assert.equal(got.body.toString(), 'signed by botocore');
    assert.ok(s3.requests.every((r) => r.verdict.ok), JSON.stringify(s3.requests.map((r) => r.verdict)));
  });

  test('the operations the app uses parse into their output shapes', async () => {
    const key = 'uploads/lab/shape.png';
    const put = await call(s3, 's3', 'PutObject', { Bucket: BUCKET, Key: key, Body: 'png bytes', ContentType: 'image/png' });
    assert.equal(put.ok, true, JSON.stringify(put));
    assert.match(put.result.ETag, /^"[0-9a-f]{32}"$/);
    const head = await call(s3, 's3', 'HeadObject', { Bucket: BUCKET, Key: key });
    assert.deepEqual([head.result.ContentLength, head.result.ContentType, head.result.ETag], [9, 'image/png', put.result.ETag]);
    assert.match(head.result.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    const get = await call(s3, 's3', 'GetObject', { Bucket: BUCKET, Key: key });
    assert.equal(Buffer.from(get.result.Body.base64, 'base64').toString(), 'png bytes');
    const listing = await call(s3, 's3', 'ListObjectsV2', { Bucket: BUCKET, Prefix: 'uploads/lab/' });
    assert.deepEqual(listing.result.Contents.map((o) => [o.Key, o.Size]), [[KEY, 18], [key, 9]]);
    const deleted = await call(s3, 's3', 'DeleteObject', { Bucket: BUCKET, Key: key });
    assert.deepEqual([deleted.ok, deleted.status], [true, 204]);
  });

  test('a missing key: NoSuchKey for GET, a bare 404 for HEAD, as from S3', async () => {
    const get = await call(s3, 's3', 'GetObject', { Bucket: BUCKET, Key: 'uploads/none.png' });
    assert.deepEqual([get.status, get.code, get.message], [404, 'NoSuchKey', 'The specified key does not exist.']);
    const head = await call(s3, 's3', 'HeadObject', { Bucket: BUCKET, Key: 'uploads/none.png' });
    assert.deepEqual([head.status, head.code], [404, '404']);
  });

  for (const [fault, status, message] of [
    ['AccessDenied', 403, 'Access Denied'],
    ['NoSuchBucket', 404, 'The specified bucket does not exist'],
    ['SlowDown', 503, 'Please reduce your request rate.'],
    ['InternalError', 500, 'We encountered an internal error. Please try again.'],
  ]) {
    test(`injected ${fault} parses as S3's ${fault}, with its request id`, async () => {
      await s3.setFault(fault, 1);
      const answer = await call(s3, 's3', 'GetObject', { Bucket: BUCKET, Key: KEY });
      assert.deepEqual([answer.status, answer.code, answer.message], [status, fault, message]);
      assert.match(answer.request_id, /^[0-9a-f-]{36}$/);
    });
  }

  test('signature failures of botocore-signed requests parse as S3 reports them', async () => {
    const get = (as) => call(s3, 's3', 'GetObject', { Bucket: BUCKET, Key: KEY }, as);
    assert.deepEqual(Object.values(await get(wrongSecret)).slice(0, 3), [false, 403, 'SignatureDoesNotMatch']);
    assert.deepEqual(Object.values(await get(unknownKey)).slice(0, 3), [false, 403, 'InvalidAccessKeyId']);
    assert.deepEqual(Object.values(await get(wrongToken)).slice(0, 3), [false, 400, 'InvalidToken']);
    assert.deepEqual(Object.values(await get(null)).slice(0, 3), [false, 403, 'AccessDenied']);
  });

  test('every other refusal of the verifier parses with its S3 code', async () => {
    const wire = (spec) => signRequest(s3.endpoint, { service: 's3', credentials, path: `/${BUCKET}/k`, ...spec });
    const put = await wire({ method: 'PUT', body: 'body' });
    const cases = [
      ['GetObject', { ...(await wire({})), headers: { ...(await wire({})).headers, authorization: 'AWS4-HMAC-SHA256 nonsense' } }, 400, 'AuthorizationHeaderMalformed'],
      ['GetObject', await wire({ time: minutesAgo(20) }), 403, 'RequestTimeTooSkewed'],
      ['GetObject', await wire({ time: minutesAgo(5), presignExpires: 60 }), 403, 'AccessDenied'],
      ['PutObject', { ...put, headers: Object.fromEntries(Object.entries(put.headers).filter(([k]) => k !== 'x-amz-content-sha256')) }, 400, 'InvalidRequest'],
      ['PutObject', { ...put, body: Buffer.from('tampered') }, 400, 'XAmzContentSHA256Mismatch'],
    ];
    for (const [operation, request, status, code] of cases) {
      const answer = await parseAnswer(s3, 's3', operation, request);
      assert.deepEqual([answer.status, answer.code], [status, code], `${code}: ${JSON.stringify(answer)}`);
      assert.ok(answer.message, `${code} has a message`);
    }
  });
});

describe('Secrets Manager', () => {
  test('a botocore-signed GetSecretValue by the CLI passes the fake', async () => {
    sm.setSecret('hrapp/lab/db', { current: { username: 'hrapp', password: 'pw' } });
    const answer = JSON.parse(await aws(sm.endpoint, 'secretsmanager', 'get-secret-value', '--secret-id', 'hrapp/lab/db'));
    assert.deepEqual(JSON.parse(answer.SecretString), { username: 'hrapp', password: 'pw' });
    assert.deepEqual(sm.calls['hrapp/lab/db'], { AWSCURRENT: 1 });
  });

  test('GetSecretValue parses into its output shape, by name, ARN and stage', async () => {
    const arn = sm.setSecret('hrapp/shape/db', { current: 'one' });
    sm.setSecret('hrapp/shape/db', { pending: 'two' });
    const byName = await call(sm, 'secretsmanager', 'GetSecretValue', { SecretId: 'hrapp/shape/db' });
    assert.equal(byName.ok, true, JSON.stringify(byName));
    assert.deepEqual([byName.result.ARN, byName.result.Name, byName.result.SecretString, byName.result.VersionStages],
      [arn, 'hrapp/shape/db', 'one', ['AWSCURRENT']]);
    assert.match(byName.result.VersionId, /^[0-9a-f-]{36}$/);
    // CreatedDate is epoch seconds on the wire; the parser makes it a timestamp.
    assert.ok(Math.abs(Date.parse(byName.result.CreatedDate) - Date.now()) < 60_000, byName.result.CreatedDate);
    const pending = await call(sm, 'secretsmanager', 'GetSecretValue', { SecretId: arn, VersionStage: 'AWSPENDING' });
    assert.deepEqual([pending.result.SecretString, pending.result.VersionStages], ['two', ['AWSPENDING']]);
  });

  test('errors parse with their exception names and messages', async () => {
    const get = (params, as) => call(sm, 'secretsmanager', 'GetSecretValue', { SecretId: 'hrapp/shape/db', ...params }, as);
    const expect = async (answerPromise, status, code, message) => {
      const answer = await answerPromise;
      assert.deepEqual([answer.ok, answer.status, answer.code], [false, status, code], JSON.stringify(answer));
      if (message) assert.equal(answer.message, message);
      assert.match(answer.request_id, /^[0-9a-f-]{36}$/);
    };
    await expect(get({ SecretId: 'hrapp/none' }), 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    await expect(get({ VersionStage: 'AWSPREVIOUS' }), 400, 'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS");
    await expect(get({}, wrongSecret), 400, 'InvalidSignatureException');
    await expect(get({}, unknownKey), 400, 'UnrecognizedClientException');
    await expect(get({}, null), 400, 'MissingAuthenticationTokenException');
    await expect(call(sm, 'secretsmanager', 'DescribeSecret', { SecretId: 'hrapp/shape/db' }), 400, 'UnknownOperationException');
    for (const [fault, status] of [['AccessDeniedException', 400], ['ThrottlingException', 400], ['InternalServiceError', 500]]) {
      await sm.setFault(fault, 1);
      await expect(get({}), status, fault);
    }
  });

  test('refusals of malformed requests parse too', async () => {
    const wire = (body, contentType = 'application/x-amz-json-1.1') => signRequest(sm.endpoint, {
      service: 'secretsmanager', credentials, method: 'POST', body,
      headers: [['content-type', contentType], ['x-amz-target', 'secretsmanager.GetSecretValue']],
    });
    for (const [request, code] of [
      [await wire('{"SecretId":""}'), 'InvalidParameterException'],
      [await wire('not json'), 'SerializationException'],
      [await wire('{}', 'application/json'), 'SerializationException'],
    ]) {
      const answer = await parseAnswer(sm, 'secretsmanager', 'GetSecretValue', request);
      assert.deepEqual([answer.status, answer.code], [400, code], JSON.stringify(answer));
      assert.ok(answer.message);
    }
  });
});

describe('IMDS', () => {
  test("botocore's fetcher reads the role's credentials, expiry included", async () => {
    const got = await botocore.ask({ op: 'imds_credentials', endpoint: imds.endpoint });
    assert.deepEqual(
      [got.role_name, got.access_key, got.secret_key, got.token],
      ['hrapp-instance-role', 'ASIAIMDS', 'imds/secret', 'imds-token'],
    );
    assert.match(got.expiry_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(imds.calls.slice(-3).map((c) => [c.method, c.status]), [['PUT', 200], ['GET', 200], ['GET', 200]]);
  });

  test('a token TTL out of range is the 400 botocore reads as a bad request', async () => {
    const answer = await botocore.ask({ op: 'imds_token', endpoint: imds.endpoint, token_ttl: '21601' });
    assert.equal(answer.exception, 'BadIMDSRequestError');
    assert.deepEqual(imds.calls.at(-1), { method: 'PUT', path: '/latest/api/token', status: 400 });
  });

  test('an expired token is refused with the 401 botocore does not take for a role', async () => {
    const { token } = await botocore.ask({ op: 'imds_token', endpoint: imds.endpoint });
    const path = 'latest/meta-data/iam/security-credentials/';
    assert.deepEqual(await botocore.ask({ op: 'imds_get', endpoint: imds.endpoint, path, token }), { status: 200, text: 'hrapp-instance-role' });
    imds.expireTokens();
    assert.equal((await botocore.ask({ op: 'imds_get', endpoint: imds.endpoint, path, token })).status, 401);
  });

  test("a service that is down leaves botocore's fetcher with no credentials, not an error", async () => {
    await imds.setFault('down');
    try {
      assert.deepEqual(await botocore.ask({ op: 'imds_credentials', endpoint: imds.endpoint }), {});
    } finally {
      await imds.setFault(null);
    }
  });
});
