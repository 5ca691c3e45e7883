// The employee workflow with images in S3, through the fake that verifies every signature:
// what the app stores (key, type, encryption, the re-encoded picture and its thumbnail), the
// presigned URLs it hands out, image bombs stored nowhere,
// and what the fake refuses (a wrong secret, a tampered URL, an expired one).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startImds } from '../fakes/imds.mjs';
import { startS3 } from '../fakes/s3.mjs';
import { startApp } from '../system/lib/app.mjs';
import { bombs, imageSize, jpeg, png, storedSizesOf, thumbnailOf } from '../system/lib/images.mjs';
import {
  BUCKET, DEPLOYMENT_ID, KeyRing, REGION, getObject, imdsEnv, keyEnv, keyOfUrl, listKeys, newKeys, newRoleCredentials,
  objectKey, recordedSince, s3Env, s3ErrorCode, sleep,
} from './lib/aws.mjs';

const uuidFile = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.(jpg|webp)$/;

const keyring = new KeyRing();
const keys = keyring.add(newKeys());
let s3;
let app;
before(async () => {
  s3 = await startS3({ credentials: keyring.lookup, bucket: BUCKET });
  app = await startApp({ env: { ...s3Env(s3), ...keyEnv(keys) } });
});
after(async () => {
  const code = await app?.stop();
  await s3?.close();
  assert.equal(code, 0, 'SIGTERM ends hrapp with exit code 0');
});

const rowCount = (instance) => instance.database.value('SELECT count(*) AS n FROM employees').then(Number);

/** Fetches a presigned URL as a browser would, with nothing but the URL. */
async function fetchUrl(url) {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

/** The PutObject the app sent for `key`, as the fake saw it. */
async function putOf(key, from) {
  const puts = (await recordedSince(s3, from)).filter((r) => r.method === 'PUT' && r.path === `/${BUCKET}/${key}`);
  assert.equal(puts.length, 1, `one PutObject for ${key}`);
  return puts[0];
}

test('create, serve, replace and delete an image and its smaller sizes: signed, encrypted, typed, cacheable', async () => {
  const client = app.client();
  await client.signUp('s3flow');

  // The declared name and type lie: the app must go by the bytes.
  const photo = png({ width: 9, height: 7, seed: 7 });
  let mark = s3.requests.length;
  const created = await client.createEmployee({
    name: 'Grace Hopper', role: 'Admiral', department: 'Navy', image: { bytes: photo, filename: 'grace.gif', type: 'image/gif' },
  });
  assert.equal(created.status, 201, `create: ${created}`);
  const employee = created.body;
  const key = keyOfUrl(s3, employee.image_url);
  assert.ok(key, `image_url points into the bucket: ${employee.image_url}`);
  assert.match(key.slice(`uploads/${DEPLOYMENT_ID}/`.length), uuidFile);
  assert.equal(key, objectKey(key.split('/').at(-1)));
  assert.ok(key.endsWith('.jpg'), 'an opaque picture is stored as JPEG');

  for (const variant of storedSizesOf(key)) {
    const put = await putOf(variant, mark);
    assert.deepEqual([put.verdict.ok, put.verdict.accessKeyId, put.status], [true, keys.accessKeyId, 200]);
    assert.equal(put.headers['x-amz-server-side-encryption'], 'AES256');
    assert.equal(put.headers['content-type'], 'image/jpeg');
    assert.equal(put.headers['cache-control'], 'private, max-age=31536000, immutable', 'a key never changes its bytes');
    assert.match(put.headers.authorization, /SignedHeaders=[^,]*x-amz-server-side-encryption/, 'the encryption header is signed');
  }
  assert.equal(employee.thumbnail_url.split('?')[0], thumbnailOf(employee.image_url.split('?')[0]));
  assert.equal((await fetchUrl(employee.thumbnail_url)).status, 200, 'the thumbnail URL is presigned too');
  assert.deepEqual(await app.database.rows(`SELECT image_s3_key FROM employees WHERE id = ${employee.id}`), [{ image_s3_key: key }]);

  const stored = await getObject(s3, keys, key);
  assert.equal(stored.status, 200);
  assert.deepEqual(imageSize(stored.body), { width: 9, height: 7 }, 'the bucket holds the re-encoded picture');
  assert.equal(stored.headers['content-type'], 'image/jpeg');

  // The presigned URL of a read, fetched with nothing else, gives the same bytes.
  const got = await client.get(`/employees/${employee.id}`);
  assert.equal(got.status, 200);
  const url = new URL(got.body.image_url);
  // Signed as of the hour, valid for the hour and 15 minutes more: the same URL all the hour.
  assert.match(url.searchParams.get('X-Amz-Date'), /^\d{8}T\d{2}0000Z$/, 'signed as of the hour');
  assert.equal(url.searchParams.get('X-Amz-Expires'), '4500', 'presigned URLs last the hour and 15 minutes');
  assert.equal((await client.get(`/employees/${employee.id}`)).body.image_url, got.body.image_url, 'the next read gives the same URL');
  assert.match(url.searchParams.get('X-Amz-Credential'), new RegExp(`^${keys.accessKeyId}/\\d{8}/${REGION}/s3/aws4_request$`));
  mark = s3.requests.length;
  const served = await fetchUrl(got.body.image_url);
  assert.equal(served.status, 200);
  assert.deepEqual(served.body, stored.body);
  assert.equal(served.type, 'image/jpeg');
  const [presignedGet] = await recordedSince(s3, mark);
  assert.deepEqual([presignedGet.method, presignedGet.verdict.ok, presignedGet.headers.authorization], ['GET', true, undefined]);

  // Replacing the image stores the new one and deletes the old objects.
  mark = s3.requests.length;
  const replaced = await client.request('PUT', `/employees/${employee.id}`, {
    form: { name: 'Grace Hopper', role: 'Rear Admiral', department: 'Navy', image: { bytes: jpeg, filename: 'new.png', type: 'image/png' } },
  });
  assert.equal(replaced.status, 200, `replace: ${replaced}`);
  const newKey = keyOfUrl(s3, replaced.body.image_url);
  assert.ok(newKey.endsWith('.jpg') && newKey !== key, `a new key for the new image: ${newKey}`);
  assert.equal((await putOf(newKey, mark)).headers['content-type'], 'image/jpeg');
  const deletes = (await recordedSince(s3, mark)).filter((r) => r.method === 'DELETE');
  assert.deepEqual(deletes.map((r) => [r.path, r.verdict.ok, r.status]),
    storedSizesOf(key).map((k) => [`/${BUCKET}/${k}`, true, 204]));
  assert.equal((await getObject(s3, keys, key)).status, 404, 'the old object is gone');
  assert.equal((await getObject(s3, keys, thumbnailOf(key))).status, 404, 'and its thumbnail');
  assert.deepEqual(imageSize((await fetchUrl(replaced.body.image_url)).body), { width: 1, height: 1 });

  // Deleting the profile deletes its objects.
  mark = s3.requests.length;
  const removed = await client.request('DELETE', `/employees/${employee.id}`);
  assert.equal(removed.status, 204);
  const removals = (await recordedSince(s3, mark)).filter((r) => r.method === 'DELETE');
  assert.deepEqual(removals.map((r) => [r.path, r.verdict.ok, r.status]),
    storedSizesOf(newKey).map((k) => [`/${BUCKET}/${k}`, true, 204]));
  assert.equal((await getObject(s3, keys, newKey)).status, 404);
  assert.equal((await getObject(s3, keys, thumbnailOf(newKey))).status, 404);
  assert.deepEqual(await app.database.rows(`SELECT id FROM employees WHERE id = ${employee.id}`), []);
  const left = await listKeys(s3, keys);
  assert.ok(!left.includes(newKey) && !left.includes(thumbnailOf(newKey)));
  assert.ok(s3.requests.every((r) => r.verdict.ok), 'every request the app sent carried a valid signature');
});

test('image bombs and damaged images are refused with nothing sent to S3', async () => {
  const client = app.client();
  await client.signUp('s3bombs');
  const rows = await rowCount(app);
  const mark = s3.requests.length;
  for (const bomb of Object.values(bombs)) {
    const reply = await client.createEmployee({ name: 'Bomb', role: 'R', department: 'D', image: { bytes: bomb() } });
    assert.equal(reply.status, 413, `${reply}`);
    assert.equal(reply.body.error, 'image_too_large');
  }
  const damaged = png({ width: 32, height: 32 });
  const reply = await client.createEmployee({ name: 'Damaged', role: 'R', department: 'D', image: { bytes: damaged.subarray(0, damaged.length - 30) } });
  assert.equal(reply.status, 400, `${reply}`);
  assert.equal(reply.body.error, 'invalid_image');
  assert.deepEqual((await recordedSince(s3, mark)).filter((r) => r.method === 'PUT'), [], 'no object was written');
  assert.equal(await rowCount(app), rows);
});

test('an app with a wrong secret key is refused by S3 and stores nothing', async () => {
  const wrong = { ...keys, secretAccessKey: `${keys.secretAccessKey.slice(0, -4)}AAAA` };
  const impostor = await startApp({ env: { ...s3Env(s3), ...keyEnv(wrong) } });
  try {
    const client = impostor.client();
    await client.signUp('wrongkey');
    const before = await listKeys(s3, keys);
    const mark = s3.requests.length;
    const created = await client.createEmployee({ name: 'Mallory', role: 'Spy', department: 'Ops', image: { bytes: png({ seed: 3 }) } });
    assert.ok(created.status >= 500, `the upload fails on the server side: ${created}`);
    assert.equal(typeof created.body?.error, 'string', `a JSON error: ${created}`);
    const puts = (await recordedSince(s3, mark)).filter((r) => r.method === 'PUT');
    assert.ok(puts.length >= 1, 'the app tried to upload');
    for (const p of puts) assert.deepEqual([p.verdict.code, p.status], ['SignatureDoesNotMatch', 403]);
    assert.equal(await rowCount(impostor), 0, 'no employee row');
    assert.deepEqual(await listKeys(s3, keys), before, 'no object');
  } finally {
    assert.equal(await impostor.stop(), 0);
  }
});

test('a tampered presigned URL is refused; the genuine one still works', async () => {
  const client = app.client();
  await client.signUp('tamper');
  const first = await client.createEmployee({ name: 'A', role: 'R', department: 'D', image: { bytes: png({ seed: 11 }) } });
  const second = await client.createEmployee({ name: 'B', role: 'R', department: 'D', image: { bytes: png({ seed: 12 }) } });
  assert.deepEqual([first.status, second.status], [201, 201]);
  const genuine = first.body.image_url;
  const url = new URL(genuine);
  const signature = url.searchParams.get('X-Amz-Signature');
  const variant = (change) => {
    const copy = new URL(genuine);
    change(copy);
    return copy.href;
  };
  const tampered = {
    'another object, same signature': variant((u) => { u.pathname = new URL(second.body.image_url).pathname; }),
    'a flipped signature digit': variant((u) => u.searchParams.set('X-Amz-Signature', signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0'))),
    'a longer lifetime': variant((u) => u.searchParams.set('X-Amz-Expires', '604800')),
  };
  for (const [what, target] of Object.entries(tampered)) {
    const answer = await fetchUrl(target);
    assert.equal(answer.status, 403, `${what}: ${answer.status} ${answer.body}`);
    assert.equal(s3ErrorCode(answer.body), 'SignatureDoesNotMatch', what);
    assert.ok(!answer.body.includes(png({ seed: 11 })), `${what}: no image bytes`);
  }
  assert.equal((await fetchUrl(genuine)).status, 200);
});

test('a presigned URL expires with the short-lived credentials that signed it', async () => {
  // Instance credentials with seconds to live: the app must not promise a URL past them.
  const expiration = new Date(Date.now() + 6000);
  const role = keyring.addRole(newRoleCredentials(expiration), Infinity);
  const imds = await startImds({ credentials: role });
  const instance = await startApp({ env: { ...s3Env(s3), ...imdsEnv(imds) } });
  try {
    const client = instance.client();
    await client.signUp('expiry');
    const photo = png({ seed: 21 });
    const created = await client.createEmployee({ name: 'Short', role: 'Lived', department: 'Ops', image: { bytes: photo } });
    assert.equal(created.status, 201, `create: ${created}`);
    const url = new URL(created.body.image_url);
    const lifetime = Number(url.searchParams.get('X-Amz-Expires'));
    const signedAt = Date.parse(url.searchParams.get('X-Amz-Date').replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    assert.ok(lifetime >= 1, `X-Amz-Expires ${lifetime} s`);
    assert.ok(signedAt + lifetime * 1000 <= expiration.getTime(), `the URL (signed ${url.searchParams.get('X-Amz-Date')}, ${lifetime} s) ends by the credentials' expiry`);
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), role.Token);
    assert.ok(url.searchParams.get('X-Amz-Credential').startsWith(`${role.AccessKeyId}/`));

    const fresh = await fetchUrl(url.href);
    assert.equal(fresh.status, 200);
    assert.deepEqual(imageSize(fresh.body), { width: 4, height: 4 });

    await sleep(Math.max(0, signedAt + lifetime * 1000 + 1500 - Date.now()));
    const mark = s3.requests.length;
    const stale = await fetchUrl(url.href);
    assert.equal(stale.status, 403, `an expired URL: ${stale.status} ${stale.body}`);
    assert.equal(s3ErrorCode(stale.body), 'AccessDenied');
    const [seen] = await recordedSince(s3, mark);
    assert.equal(seen.verdict.code, 'RequestExpired', 'refused for its age, not its signature');
  } finally {
    assert.equal(await instance.stop(), 0);
    await imds.close();
  }
});
