// S3 failing under the app: each failure maps to the documented answer and leaves neither an
// employee row nor an object behind; throttling and server errors are retried, each retry
// signed afresh.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { startS3 } from '../fakes/s3.mjs';
import { startApp } from '../system/lib/app.mjs';
import { assertError } from '../system/lib/assertions.mjs';
import { imageSize, mediumOf, png, smallOf, thumbnailOf } from '../system/lib/images.mjs';
import { BUCKET, KeyRing, getObject, keyEnv, keyOfUrl, listKeys, newKeys, recordedSince, s3Env } from './lib/aws.mjs';

const keyring = new KeyRing();
const keys = keyring.add(newKeys());
let s3;
let app;
let client;
before(async () => {
  s3 = await startS3({ credentials: keyring.lookup, bucket: BUCKET });
  app = await startApp({ env: { ...s3Env(s3), ...keyEnv(keys) } });
  client = app.client();
  await client.signUp('faults');
});
afterEach(() => s3.setFault(null));
after(async () => {
  const code = await app?.stop();
  await s3?.close();
  assert.equal(code, 0, 'SIGTERM ends hrapp with exit code 0');
});

const rowCount = () => app.database.value('SELECT count(*) AS n FROM employees').then(Number);
let seed = 100;
const createWithImage = () => client.createEmployee({ name: 'Fault Case', role: 'Tester', department: 'QA', image: { bytes: png({ seed: ++seed }) } });

/**
 * Creates an employee while S3 shows `fault` and checks that it failed with `status` and
 * `code` and left nothing behind. Returns the reply and the PutObject attempts the fake saw.
 */
async function failedCreate(fault, status, code) {
  const rows = await rowCount();
  const objects = await listKeys(s3, keys);
  await s3.setFault(fault);
  const mark = s3.requests.length;
  const reply = await createWithImage();
  await s3.setFault(null);
  assertError(reply, status, code);
  assert.equal(await rowCount(), rows, 'no employee row');
  assert.deepEqual(await listKeys(s3, keys), objects, 'no orphaned object');
  return { reply, puts: (await recordedSince(s3, mark)).filter((r) => r.method === 'PUT') };
}

test('S3 down during create: 503 unavailable with Retry-After, then recovers', async () => {
  const { reply, puts } = await failedCreate('down', 503, 'unavailable');
  assert.match(reply.headers.get('retry-after') ?? '', /^\d+$/);
  assert.deepEqual(puts, [], 'nothing reached S3');
  const recovered = await createWithImage();
  assert.equal(recovered.status, 201, `after S3 is back: ${recovered}`);
});

test('AccessDenied: 500 upload_failed, not retried', async () => {
  const { puts } = await failedCreate('AccessDenied', 500, 'upload_failed');
  assert.deepEqual(puts.map((p) => [p.verdict.ok, p.fault, p.status]), [[true, 'AccessDenied', 403]]);
});

test('NoSuchBucket: 500 storage_unavailable, not retried', async () => {
  const { puts } = await failedCreate('NoSuchBucket', 500, 'storage_unavailable');
  assert.deepEqual(puts.map((p) => [p.verdict.ok, p.fault, p.status]), [[true, 'NoSuchBucket', 404]]);
});

test('InternalError on every attempt: a bounded number of signed retries, then 503', async () => {
  const { puts } = await failedCreate('InternalError', 503, 'unavailable');
  assert.ok(puts.length >= 2 && puts.length <= 5, `retried a few times, not forever: ${puts.length} attempts`);
  for (const p of puts) assert.deepEqual([p.verdict.ok, p.fault, p.status], [true, 'InternalError', 500]);
  assert.equal(new Set(puts.map((p) => p.path)).size, 1, 'every attempt is the same PutObject');
});

for (const [fault, status] of [['SlowDown', 503], ['InternalError', 500]]) {
  test(`${fault} once: retried with a fresh valid signature, and the image is stored`, async () => {
    await s3.setFault(fault, 1);
    const mark = s3.requests.length;
    const photo = png({ seed: ++seed });
    const reply = await client.createEmployee({ name: 'Retried', role: 'Tester', department: 'QA', image: { bytes: photo } });
    assert.equal(reply.status, 201, `create: ${reply}`);
    const key = keyOfUrl(s3, reply.body.image_url);
    const puts = (await recordedSince(s3, mark)).filter((r) => r.method === 'PUT');
    assert.deepEqual(puts.map((p) => [p.path, p.verdict.ok, p.fault, p.status]), [
      [`/${BUCKET}/${key}`, true, fault, status],
      [`/${BUCKET}/${key}`, true, undefined, 200],
      [`/${BUCKET}/${mediumOf(key)}`, true, undefined, 200],
      [`/${BUCKET}/${smallOf(key)}`, true, undefined, 200],
      [`/${BUCKET}/${thumbnailOf(key)}`, true, undefined, 200],
    ]);
    const [first, retry] = puts.map((p) => p.headers['x-amz-date']);
    assert.ok(retry >= first, `the retry is signed at its own time: ${first} then ${retry}`);
    assert.deepEqual(imageSize((await getObject(s3, keys, key)).body), { width: 4, height: 4 });
    assert.deepEqual(await app.database.rows(`SELECT image_s3_key FROM employees WHERE id = ${reply.body.id}`), [{ image_s3_key: key }]);
  });
}
