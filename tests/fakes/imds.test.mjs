import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { send } from './aws-client.mjs';
import { startImds } from './imds.mjs';

const ROLE = 'hrapp-lab-instance-role';
const FIRST = { AccessKeyId: 'ASIAFIRST', SecretAccessKey: 'first-secret', Token: 'first-token', Expiration: '2030-01-01T00:00:00Z' };
let clock = Date.now();
let imds;
before(async () => { imds = await startImds({ role: ROLE, credentials: FIRST, region: 'eu-west-2', now: () => new Date(clock) }); });
after(() => imds.close());

const call = (method, url, headers = {}) => send(imds.endpoint, { method, url, headers })
  .then((r) => ({ ...r, text: r.body.toString() }));
async function token(ttl = '21600') {
  const answer = await call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': ttl });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['x-aws-ec2-metadata-token-ttl-seconds'], ttl);
  return answer.text;
}
const get = (path, tok, headers = {}) => call('GET', path, { 'X-aws-ec2-metadata-token': tok, ...headers });

test('a token, then the role, then its credentials', async () => {
  const tok = await token();
  const roles = await get('/latest/meta-data/iam/security-credentials/', tok);
  assert.deepEqual([roles.status, roles.text], [200, ROLE]);
  const creds = await get(`/latest/meta-data/iam/security-credentials/${ROLE}`, tok);
  assert.equal(creds.status, 200);
  const json = JSON.parse(creds.text);
  assert.deepEqual(Object.keys(json).sort(), ['AccessKeyId', 'Code', 'Expiration', 'LastUpdated', 'SecretAccessKey', 'Token', 'Type']);
  assert.deepEqual([json.Code, json.Type, json.AccessKeyId, json.SecretAccessKey, json.Token, json.Expiration],
    ['Success', 'AWS-HMAC', 'ASIAFIRST', 'first-secret', 'first-token', '2030-01-01T00:00:00Z']);
  assert.match(json.LastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal((await get('/latest/meta-data/iam/security-credentials/other-role', tok)).status, 404);
});

test('the token TTL must be 1 to 21600 seconds', async () => {
  for (const ttl of ['0', '21601', 'abc', '-5', '']) {
    assert.equal((await call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': ttl })).status, 400, ttl);
  }
  assert.equal((await call('PUT', '/latest/api/token')).status, 400);
  await token('1');
  assert.equal((await call('GET', '/latest/api/token')).status, 405);
});

test('requests without a valid token get 401', async () => {
  assert.equal((await call('GET', '/latest/meta-data/iam/security-credentials/')).status, 401);
  assert.equal((await get('/latest/meta-data/iam/security-credentials/', 'made-up')).status, 401);
});

test('a token stops working after its TTL', async () => {
  const tok = await token('60');
  clock += 59 * 1000;
  assert.equal((await get('/latest/meta-data/iam/security-credentials/', tok)).status, 200);
  clock += 2 * 1000;
  assert.equal((await get('/latest/meta-data/iam/security-credentials/', tok)).status, 401);
});

test('expireTokens makes every issued token invalid; a new one works', async () => {
  const tok = await token();
  imds.expireTokens();
  assert.equal((await get('/latest/meta-data/iam/security-credentials/', tok)).status, 401);
  assert.equal((await get('/latest/meta-data/iam/security-credentials/', await token())).status, 200);
});

test('requests through a proxy (X-Forwarded-For) are refused', async () => {
  const put = await call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '60', 'X-Forwarded-For': '10.0.0.1' });
  assert.equal(put.status, 403);
  assert.equal((await get('/latest/meta-data/iam/security-credentials/', await token(), { 'X-Forwarded-For': '1.2.3.4' })).status, 403);
});

test('setCredentials rotates what the role returns', async () => {
  imds.setCredentials({ AccessKeyId: 'ASIASECOND', SecretAccessKey: 's2', Token: 't2', Expiration: new Date(Date.UTC(2031, 0, 1)) });
  const json = JSON.parse((await get(`/latest/meta-data/iam/security-credentials/${ROLE}`, await token())).text);
  assert.deepEqual([json.AccessKeyId, json.SecretAccessKey, json.Token, json.Expiration], ['ASIASECOND', 's2', 't2', '2031-01-01T00:00:00Z']);
});

test('the instance identity document names the region', async () => {
  const doc = JSON.parse((await get('/latest/dynamic/instance-identity/document', await token())).text);
  assert.equal(doc.region, 'eu-west-2');
  assert.match(doc.instanceId, /^i-[0-9a-f]{17}$/);
});

test("'down' refuses connections until cleared", async () => {
  await imds.setFault('down');
  await assert.rejects(call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '60' }), { code: 'ECONNREFUSED' });
  await imds.setFault(null);
  await token();
  assert.deepEqual(imds.calls.at(-1), { method: 'PUT', path: '/latest/api/token', status: 200 });
});
