import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { send, signAndSend, signRequest } from './aws-client.mjs';
import { startSecretsManager } from './secretsmanager.mjs';

const credentials = { accessKeyId: 'AKIDSMFAKE', secretAccessKey: 'sm-fake/secret+key' };
const REGION = 'eu-west-2';
const DB_SECRET = { username: 'hrapp', password: 'first-password', host: 'db', port: 5432 };
let sm;
let arn;
before(async () => {
  sm = await startSecretsManager({ credentials, region: REGION });
  arn = sm.setSecret('hrapp/lab/db', { current: DB_SECRET });
});
after(() => sm.close());

const request = (input, extra = {}) => ({
  service: 'secretsmanager', region: REGION, credentials, method: 'POST', path: '/',
  headers: [['Content-Type', 'application/x-amz-json-1.1'], ['X-Amz-Target', 'secretsmanager.GetSecretValue']],
  body: JSON.stringify(input), ...extra,
});
async function getSecretValue(input, extra) {
  const answer = await signAndSend(sm.endpoint, request(input, extra));
  return { status: answer.status, json: JSON.parse(answer.body.toString()), type: answer.headers['content-type'] };
}

test('GetSecretValue by name and by ARN answers as the service does', async () => {
  assert.match(arn, new RegExp(`^arn:aws:secretsmanager:${REGION}:\\d{12}:secret:hrapp/lab/db-[A-Za-z0-9]{6}$`));
  const byName = await getSecretValue({ SecretId: 'hrapp/lab/db' });
  assert.equal(byName.status, 200);
  assert.equal(byName.type, 'application/x-amz-json-1.1');
  assert.deepEqual(Object.keys(byName.json).sort(), ['ARN', 'CreatedDate', 'Name', 'SecretString', 'VersionId', 'VersionStages']);
  assert.deepEqual(JSON.parse(byName.json.SecretString), DB_SECRET);
  assert.deepEqual([byName.json.ARN, byName.json.Name, byName.json.VersionStages], [arn, 'hrapp/lab/db', ['AWSCURRENT']]);
  assert.equal(typeof byName.json.CreatedDate, 'number');
  const byArn = await getSecretValue({ SecretId: arn });
  assert.deepEqual(byArn.json, byName.json);
});

test('an unknown secret is ResourceNotFoundException', async () => {
  const answer = await getSecretValue({ SecretId: 'hrapp/nope' });
  assert.deepEqual([answer.status, answer.json.__type], [400, 'ResourceNotFoundException']);
  assert.equal(typeof answer.json.message, 'string');
});

test('AWSPENDING when asked and set; rotation promotes it and keeps AWSPREVIOUS', async () => {
  const missing = await getSecretValue({ SecretId: 'hrapp/lab/db', VersionStage: 'AWSPENDING' });
  assert.deepEqual([missing.status, missing.json.__type], [400, 'ResourceNotFoundException']);
  const rotated = { ...DB_SECRET, password: 'second-password' };
  sm.setSecret('hrapp/lab/db', { current: DB_SECRET, pending: rotated });
  const before = await getSecretValue({ SecretId: 'hrapp/lab/db' });
  const pending = await getSecretValue({ SecretId: arn, VersionStage: 'AWSPENDING' });
  assert.equal(JSON.parse(before.json.SecretString).password, 'first-password');
  assert.equal(JSON.parse(pending.json.SecretString).password, 'second-password');
  assert.deepEqual(pending.json.VersionStages, ['AWSPENDING']);

  sm.setSecret(arn, { current: rotated });
  const after = await getSecretValue({ SecretId: 'hrapp/lab/db' });
  assert.equal(after.json.VersionId, pending.json.VersionId);
  assert.equal(JSON.parse(after.json.SecretString).password, 'second-password');
  const previous = await getSecretValue({ SecretId: 'hrapp/lab/db', VersionStage: 'AWSPREVIOUS' });
  assert.equal(previous.json.VersionId, before.json.VersionId);
  const byId = await getSecretValue({ SecretId: 'hrapp/lab/db', VersionId: before.json.VersionId });
  assert.equal(JSON.parse(byId.json.SecretString).password, 'first-password');
  sm.setSecret('hrapp/lab/db', { current: DB_SECRET });
});

test('calls are counted by SecretId and stage', async () => {
  sm.setSecret('hrapp/count', { current: 'plain text', pending: 'next' });
  await getSecretValue({ SecretId: 'hrapp/count' });
  await getSecretValue({ SecretId: 'hrapp/count', VersionStage: 'AWSCURRENT' });
  await getSecretValue({ SecretId: 'hrapp/count', VersionStage: 'AWSPENDING' });
  assert.deepEqual(sm.calls['hrapp/count'], { AWSCURRENT: 2, AWSPENDING: 1 });
  assert.equal((await getSecretValue({ SecretId: 'hrapp/count' })).json.SecretString, 'plain text');
});

test('signature failures answer in the JSON error shape', async () => {
  const wrongSecret = await getSecretValue({ SecretId: 'hrapp/lab/db' }, { credentials: { ...credentials, secretAccessKey: 'x' } });
  assert.deepEqual([wrongSecret.status, wrongSecret.json.__type], [400, 'InvalidSignatureException']);
  const unknownKey = await getSecretValue({ SecretId: 'hrapp/lab/db' }, { credentials: { ...credentials, accessKeyId: 'AKIDNOBODY' } });
  assert.equal(unknownKey.json.__type, 'UnrecognizedClientException');
  const skewed = await getSecretValue({ SecretId: 'hrapp/lab/db' }, { time: new Date(Date.now() - 20 * 60 * 1000) });
  assert.equal(skewed.json.__type, 'InvalidSignatureException');
  const wrongRegion = await getSecretValue({ SecretId: 'hrapp/lab/db' }, { region: 'us-east-1' });
  assert.equal(wrongRegion.json.__type, 'IncompleteSignatureException');

  const wire = await signRequest(sm.endpoint, request({ SecretId: 'hrapp/lab/db' }));
  const tamperedBody = await send(sm.endpoint, { ...wire, body: Buffer.from(JSON.stringify({ SecretId: 'hrapp/other' })) });
  assert.equal(JSON.parse(tamperedBody.body).__type, 'InvalidSignatureException');
  const tamperedTarget = await send(sm.endpoint, { ...wire, headers: { ...wire.headers, 'x-amz-target': 'secretsmanager.DeleteSecret' } });
  assert.equal(JSON.parse(tamperedTarget.body).__type, 'InvalidSignatureException');
  const { authorization, ...unsigned } = wire.headers;
  const missing = await send(sm.endpoint, { ...wire, headers: unsigned });
  assert.deepEqual([missing.status, JSON.parse(missing.body).__type], [400, 'MissingAuthenticationTokenException']);
  assert.ok(authorization.startsWith('AWS4-HMAC-SHA256 Credential=AKIDSMFAKE/'));
});

test('only GetSecretValue, as JSON 1.1', async () => {
  const other = await getSecretValue({ SecretId: 'hrapp/lab/db' }, {
    headers: [['Content-Type', 'application/x-amz-json-1.1'], ['X-Amz-Target', 'secretsmanager.ListSecrets']],
  });
  assert.equal(other.json.__type, 'UnknownOperationException');
  const wrongType = await getSecretValue({ SecretId: 'hrapp/lab/db' }, {
    headers: [['Content-Type', 'application/json'], ['X-Amz-Target', 'secretsmanager.GetSecretValue']],
  });
  assert.equal(wrongType.json.__type, 'SerializationException');
  const noId = await getSecretValue({});
  assert.equal(noId.json.__type, 'InvalidParameterException');
});

test('injected errors, for the next N calls or until cleared', async () => {
  for (const [fault, status] of [['AccessDeniedException', 400], ['ThrottlingException', 400], ['InternalServiceError', 500]]) {
    await sm.setFault(fault, 1);
    const failed = await getSecretValue({ SecretId: 'hrapp/lab/db' });
    assert.deepEqual([failed.status, failed.json.__type], [status, fault]);
    assert.equal((await getSecretValue({ SecretId: 'hrapp/lab/db' })).status, 200);
  }
  await sm.setFault('ThrottlingException');
  assert.equal((await getSecretValue({ SecretId: 'hrapp/lab/db' })).json.__type, 'ThrottlingException');
  assert.equal((await getSecretValue({ SecretId: 'hrapp/lab/db' })).json.__type, 'ThrottlingException');
  await sm.setFault('down');
  await assert.rejects(getSecretValue({ SecretId: 'hrapp/lab/db' }), { code: 'ECONNREFUSED' });
  await sm.setFault(null);
  assert.equal((await getSecretValue({ SecretId: 'hrapp/lab/db' })).status, 200);
});
