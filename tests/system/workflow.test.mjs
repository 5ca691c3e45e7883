// The seed's end-to-end workflow against the real binary: register, sign in, create a profile
// with a real image, list, get (and fetch the image), replace the image, delete; health and
// liveness; /me; and sign-out revoking the session on the server.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startApp, testEnv } from './lib/app.mjs';
import { gif, imageSize, png, storedSizesOf } from './lib/images.mjs';

const uuidName = /^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.(jpg|webp)$/;

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  assert.equal(await app.stop(), 0, 'SIGTERM must end hrapp with exit code 0');
});

function storedFile(key) {
  return path.join(app.dataDir, key);
}

test('health and liveness answer without a session', async () => {
  const client = app.client();
  const health = await client.get('/health');
  assert.equal(health.status, 200);
  assert.deepEqual(health.body, { status: 'healthy', database: 'connected' });
  const live = await client.get('/livez');
  assert.equal(live.status, 200);
  assert.deepEqual(live.body, { status: 'alive' });
});

test('register, sign in, create, list, get, replace the image, delete', async () => {
  const client = app.client();
  const user = await client.signUp('workflow');

  const me = await client.get('/me');
  assert.equal(me.status, 200);
  assert.deepEqual(me.body, { id: user.id, username: user.username, role: 'member', mfa_enabled: false, mfa_enrolment_required: false });

  const photo = png({ width: 8, height: 6, seed: 42 });
  const created = await client.createEmployee({
    name: 'Ada Lovelace', role: 'Engineer', department: 'IT',
    image: { bytes: photo, filename: 'ada.png', type: 'image/png' },
  });
  assert.equal(created.status, 201, `create: ${created}`);
  const employee = created.body;
  assert.equal(typeof employee.id, 'number');
  assert.equal(employee.name, 'Ada Lovelace');
  assert.equal(employee.role, 'Engineer');
  assert.equal(employee.department, 'IT');
  assert.equal(employee.user_id, user.id);
  assert.match(employee.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(employee.updated_at, employee.created_at);
  assert.match(employee.image_url, /^\/images\/[^/]+$/);
  const imageName = employee.image_url.slice('/images/'.length);
  assert.match(imageName, uuidName);
  assert.equal(imageName.split('.')[1], 'jpg', 'an opaque picture is stored as JPEG');

  const key = `uploads/${testEnv.DEPLOYMENT_ID}/${imageName}`;
  assert.deepEqual(await app.database.rows(`SELECT image_s3_key, user_id FROM employees WHERE id = ${employee.id}`), [
    { image_s3_key: key, user_id: user.id },
  ]);
  assert.deepEqual(imageSize(readFileSync(storedFile(key))), { width: 8, height: 6 }, 'the stored file holds the picture, re-encoded');
  for (const size of storedSizesOf(key).slice(1))
    assert.deepEqual(imageSize(readFileSync(storedFile(size))), { width: 8, height: 6 }, `a small picture keeps its size in ${size}`);

  const list = await client.get('/employees');
  assert.equal(list.status, 200);
  assert.ok(Array.isArray(list.body));
  assert.deepEqual(list.body.find((e) => e.id === employee.id), employee);
  assert.equal(list.headers.get('x-total-count'), String(list.body.length));

  const got = await client.get(`/employees/${employee.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, employee);

  const image = await client.get(employee.image_url);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get('content-type'), 'image/jpeg');
  assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(image.bytes, readFileSync(storedFile(key)), 'the stored image is served');
  for (const size of storedSizesOf(employee.image_url).slice(1)) assert.equal((await client.get(size)).status, 200, `so is ${size}`);

  const replaced = await client.request('PUT', `/employees/${employee.id}`, {
    form: { name: 'Ada King', role: 'Countess', department: 'Research', image: { bytes: gif, filename: 'new.gif', type: 'image/gif' } },
  });
  assert.equal(replaced.status, 200, `replace: ${replaced}`);
  assert.equal(replaced.body.name, 'Ada King');
  assert.equal(replaced.body.department, 'Research');
  assert.equal(replaced.body.created_at, employee.created_at);
  assert.ok(replaced.body.updated_at >= employee.updated_at);
  const newName = replaced.body.image_url.slice('/images/'.length);
  assert.match(newName, uuidName);
  assert.equal(newName.split('.')[1], 'webp', 'a picture with transparency is stored as WebP');
  assert.notEqual(newName, imageName);
  assert.equal(existsSync(storedFile(key)), false, 'the replaced image file is deleted');
  for (const size of storedSizesOf(key).slice(1)) assert.equal(existsSync(storedFile(size)), false, `and ${size}`);
  const newKey = `uploads/${testEnv.DEPLOYMENT_ID}/${newName}`;
  assert.deepEqual(imageSize(readFileSync(storedFile(newKey))), { width: 1, height: 1 });
  assert.equal((await client.get(employee.image_url)).status, 404, 'the old image URL is gone');
  const newImage = await client.get(replaced.body.image_url);
  assert.equal(newImage.headers.get('content-type'), 'image/webp');
  assert.deepEqual(newImage.bytes, readFileSync(storedFile(newKey)));

  const deleted = await client.request('DELETE', `/employees/${employee.id}`);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.bytes.length, 0);
  assert.equal((await client.get(`/employees/${employee.id}`)).status, 404);
  assert.equal(await app.database.value(`SELECT count(*) AS n FROM employees WHERE id = ${employee.id}`), 0);
  assert.equal(existsSync(storedFile(newKey)), false, 'the deleted profile\'s image file is deleted');
  for (const size of storedSizesOf(newKey).slice(1)) assert.equal(existsSync(storedFile(size)), false, `and ${size}`);
  assert.equal((await client.get(replaced.body.image_url)).status, 404);
});

test('every sign-in gets a new token, and sign-out revokes it on the server', async () => {
  const client = app.client();
  const user = await client.signUp('signout');
  const first = client.token;
  assert.equal((await client.login(user.username, user.password)).status, 200);
  const second = client.token;
  assert.notEqual(second, first, 'a new token at every sign-in');

  const out = await client.post('/logout');
  assert.equal(out.status, 200);
  assert.deepEqual(out.body, { status: 'signed_out' });
  assert.match(out.setCookies.join('\n'), /hrapp_session=;.*Max-Age=0/i, 'the cookie is cleared');
  assert.equal(client.token, undefined);

  // The browser forgets the cookie; a copy kept by an attacker must be refused too.
  const replay = app.client();
  replay.token = second;
  const refused = await replay.get('/me');
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error, 'unauthorized');
  const hashOfSecond = createHash('sha256').update(second).digest('hex');
  assert.equal(await app.database.value(`SELECT count(*) AS n FROM sessions WHERE id = '${hashOfSecond}'`), 0,
    'the session row is deleted at sign-out');
  // The second sign-in arrived with the first token's cookie, and ended that session.
  replay.token = first;
  assert.equal((await replay.get('/me')).status, 401);
});

test('a file of several MiB, under the 5 MiB default limit, is accepted, and only its picture is kept', async () => {
  const client = app.client();
  await client.signUp('bigphoto');
  const photo = Buffer.concat([png({ seed: 3 }), Buffer.alloc(3 * 1024 * 1024, 7)]);
  const created = await client.createEmployee({ name: 'Big', role: 'R', department: 'D', image: { bytes: photo, filename: 'big.png' } });
  assert.equal(created.status, 201, `${created}`);
  const stored = (await client.get(created.body.image_url)).bytes;
  assert.deepEqual(imageSize(stored), { width: 4, height: 4 });
  assert.ok(stored.length < 10_000, `bytes after the picture are not kept: ${stored.length}`);
});
