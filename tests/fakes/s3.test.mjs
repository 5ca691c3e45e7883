import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { send, signAndSend, signRequest } from './aws-client.mjs';
import { startS3 } from './s3.mjs';

const credentials = { accessKeyId: 'AKIDS3FAKE', secretAccessKey: 's3-fake/secret+key' };
const BUCKET = 'hrapp-test';
let s3;
before(async () => { s3 = await startS3({ credentials, bucket: BUCKET }); });
after(() => s3.close());

const call = (spec) => signAndSend(s3.endpoint, { service: 's3', credentials, ...spec });
const put = (key, body, extra = {}) => call({
  method: 'PUT', path: `/${BUCKET}/${key}`, body,
  headers: [['Content-Type', 'image/png'], ['x-amz-server-side-encryption', 'AES256']], ...extra,
});
const errorCode = (answer) => /<Code>([^<]+)<\/Code>/.exec(answer.body.toString())?.[1];

test('binds loopback on its own port', () => {
  assert.match(s3.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(s3.endpoint, `http://127.0.0.1:${s3.port}`);
});

test('a signed PutObject is stored and its headers recorded; GetObject returns it', async () => {
  assert.equal((await put('uploads/lab/a.png', 'png bytes')).status, 200);
  const entry = s3.requests.at(-1);
  assert.equal(entry.method, 'PUT');
  assert.equal(entry.path, `/${BUCKET}/uploads/lab/a.png`);
  assert.equal(entry.headers['x-amz-server-side-encryption'], 'AES256');
  assert.equal(entry.headers['content-type'], 'image/png');
  assert.deepEqual([entry.verdict.ok, entry.status], [true, 200]);
  const got = await call({ path: `/${BUCKET}/uploads/lab/a.png` });
  assert.equal(got.status, 200);
  assert.equal(got.body.toString(), 'png bytes');
  assert.equal(got.headers['content-type'], 'image/png');
});

test('a wrong secret gets 403 SignatureDoesNotMatch and stores nothing', async () => {
  const answer = await put('uploads/lab/forged.png', 'x', { credentials: { ...credentials, secretAccessKey: 'wrong' } });
  assert.equal(answer.status, 403);
  assert.equal(errorCode(answer), 'SignatureDoesNotMatch');
  assert.match(answer.body.toString(), /<CanonicalRequest>PUT\n/);
  assert.equal(s3.requests.at(-1).verdict.code, 'SignatureDoesNotMatch');
  assert.equal((await call({ path: `/${BUCKET}/uploads/lab/forged.png` })).status, 404);
});

test('an unknown key gets 403 InvalidAccessKeyId', async () => {
  const answer = await put('k', 'x', { credentials: { ...credentials, accessKeyId: 'AKIDNOBODY' } });
  assert.deepEqual([answer.status, errorCode(answer)], [403, 'InvalidAccessKeyId']);
});

test('tampered path, query, header and body are refused', async () => {
  const wire = await signRequest(s3.endpoint, {
    service: 's3', credentials, method: 'PUT', path: `/${BUCKET}/t.png`, query: [['x-id', 'PutObject']], body: 'body',
    headers: [['Content-Type', 'image/png'], ['x-amz-server-side-encryption', 'AES256']],
  });
  const cases = [
    [{ ...wire, url: wire.url.replace('/t.png', '/u.png') }, 403, 'SignatureDoesNotMatch'],
    [{ ...wire, url: wire.url.replace('PutObject', 'GetObject') }, 403, 'SignatureDoesNotMatch'],
    [{ ...wire, headers: { ...wire.headers, 'x-amz-server-side-encryption': 'aws:kms' } }, 403, 'SignatureDoesNotMatch'],
    [{ ...wire, body: Buffer.from('evil') }, 400, 'XAmzContentSHA256Mismatch'],
  ];
  for (const [request, status, code] of cases) {
    const answer = await send(s3.endpoint, request);
    assert.deepEqual([answer.status, errorCode(answer)], [status, code]);
  }
  assert.equal((await send(s3.endpoint, wire)).status, 200);
});

test('an unsigned request gets 403 AccessDenied', async () => {
  const answer = await send(s3.endpoint, { method: 'GET', url: `/${BUCKET}/uploads/lab/a.png`, headers: {} });
  assert.deepEqual([answer.status, errorCode(answer)], [403, 'AccessDenied']);
  assert.equal(s3.requests.at(-1).verdict.code, 'MissingSignature');
});

test('a presigned GET works until it expires', async () => {
  await put('uploads/lab/p.png', 'presigned');
  const url = await signRequest(s3.endpoint, { service: 's3', credentials, path: `/${BUCKET}/uploads/lab/p.png`, presignExpires: 300 });
  const answer = await send(s3.endpoint, url);
  assert.deepEqual([answer.status, answer.body.toString()], [200, 'presigned']);
  const old = await signRequest(s3.endpoint, {
    service: 's3', credentials, path: `/${BUCKET}/uploads/lab/p.png`, presignExpires: 300, time: new Date(Date.now() - 301 * 1000),
  });
  const expired = await send(s3.endpoint, old);
  assert.deepEqual([expired.status, errorCode(expired)], [403, 'AccessDenied']);
  assert.match(expired.body.toString(), /expired/);
});

test('temporary credentials work with their session token', async () => {
  const temp = { accessKeyId: 'ASIAS3FAKE', secretAccessKey: 'temp', sessionToken: 'token-1' };
  const local = await startS3({ credentials: [credentials, temp], bucket: 'other' });
  try {
    const ok = await signAndSend(local.endpoint, { service: 's3', credentials: temp, method: 'PUT', path: '/other/k', body: 'v' });
    assert.equal(ok.status, 200);
    const wrong = await signAndSend(local.endpoint, { service: 's3', credentials: { ...temp, sessionToken: 'token-2' }, path: '/other/k' });
    assert.deepEqual([wrong.status, errorCode(wrong)], [400, 'InvalidToken']);
  } finally {
    await local.close();
  }
});

test('injected S3 errors, for the next N requests or until cleared', async () => {
  for (const [fault, status] of [['SlowDown', 503], ['InternalError', 500], ['AccessDenied', 403], ['NoSuchBucket', 404]]) {
    await s3.setFault(fault, 2);
    for (let i = 0; i < 2; i += 1) {
      const answer = await put('uploads/lab/f.png', 'f');
      assert.deepEqual([answer.status, errorCode(answer)], [status, fault]);
      assert.equal(s3.requests.at(-1).fault, fault);
    }
    assert.equal((await put('uploads/lab/f.png', 'f')).status, 200);
  }
  await s3.setFault('SlowDown');
  for (let i = 0; i < 3; i += 1) assert.equal((await put('uploads/lab/f.png', 'f')).status, 503);
  await s3.setFault(null);
  assert.equal((await put('uploads/lab/f.png', 'f')).status, 200);
  await assert.rejects(s3.setFault('Teapot'), /unknown S3 fault/);
});

test('a bad signature is reported before an injected fault', async () => {
  await s3.setFault('SlowDown', 1);
  const forged = await put('k', 'x', { credentials: { ...credentials, secretAccessKey: 'wrong' } });
  assert.equal(errorCode(forged), 'SignatureDoesNotMatch');
  assert.equal(errorCode(await put('k', 'x')), 'SlowDown');
});

test("'down' refuses connections until cleared; with a count it drops that many requests", async () => {
  await s3.setFault('down');
  await assert.rejects(put('k', 'x'), { code: 'ECONNREFUSED' });
  await s3.setFault(null);
  assert.equal((await put('k', 'x')).status, 200);
  await s3.setFault('down', 1);
  await assert.rejects(put('k', 'x'), { code: 'ECONNRESET' });
  assert.equal((await put('k', 'x')).status, 200);
});

test('close stops the server', async () => {
  const local = await startS3({ credentials, bucket: 'gone' });
  assert.equal((await signAndSend(local.endpoint, { service: 's3', credentials, method: 'PUT', path: '/gone/k', body: 'v' })).status, 200);
  await local.close();
  await assert.rejects(signAndSend(local.endpoint, { service: 's3', credentials, path: '/gone/k' }), { code: 'ECONNREFUSED' });
});
