// Instance credentials from the metadata fake (IMDSv2), used for S3 through the verifying
// fake: a token first and on every read, credentials cached, refreshed five minutes before
// they expire and never used past that, kept while metadata is briefly down, and a new token
// when the old one is refused.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SLOW_MS, startImds } from '../fakes/imds.mjs';
import { startS3 } from '../fakes/s3.mjs';
import { startApp, tempDir } from '../system/lib/app.mjs';
import { Database } from '../system/lib/database.mjs';
import { png } from '../system/lib/images.mjs';
import { BUCKET, KeyRing, imdsEnv, newRoleCredentials, recordedSince, s3Env, sleep } from './lib/aws.mjs';

const REFRESH_AHEAD_MS = 5 * 60 * 1000;
const TOKEN_PATH = '/latest/api/token';

const keyring = new KeyRing();
let s3;
before(async () => {
  s3 = await startS3({ credentials: keyring.lookup, bucket: BUCKET });
});
after(() => s3?.close());

/** Role credentials that reach the app's refresh point (five minutes before expiry) in `ms`. */
function dueIn(ms) {
  const expiration = new Date(Math.floor((Date.now() + REFRESH_AHEAD_MS + ms) / 1000) * 1000);
  return { role: newRoleCredentials(expiration), refreshAt: expiration.getTime() - REFRESH_AHEAD_MS };
}

/** An app that has only the metadata fake to get credentials from, signed in. */
async function instanceWith(role) {
  const imds = await startImds({ credentials: role });
  const app = await startApp({ env: { ...s3Env(s3), ...imdsEnv(imds) } });
  const client = app.client();
  await client.signUp('instance');
  return { imds, app, client };
}

let seed = 500;
/** Creates an employee with an image; returns the reply and the PutObject the fake saw. */
async function createWithImage(client) {
  const mark = s3.requests.length;
  const reply = await client.createEmployee({ name: 'Instance Role', role: 'Uploader', department: 'Ops', image: { bytes: png({ seed: ++seed }) } });
  const puts = (await recordedSince(s3, mark)).filter((r) => r.method === 'PUT');
  return { reply, put: puts.at(-1) };
}

const credentialReads = (imds, role) => imds.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/security-credentials/${role}`)).length;

test('credentials from IMDSv2: a token first, the token on every read, then cached', async () => {
  const role = keyring.addRole(newRoleCredentials(new Date(Date.now() + 6 * 3600 * 1000)));
  const { imds, app, client } = await instanceWith(role);
  try {
    for (let i = 0; i < 3; i++) {
      const { reply, put } = await createWithImage(client);
      assert.equal(reply.status, 201, `create: ${reply}`);
      assert.deepEqual([put.verdict.ok, put.verdict.accessKeyId], [true, role.AccessKeyId]);
      assert.equal(put.headers['x-amz-security-token'], role.Token);
      assert.ok(new URL(reply.body.image_url).searchParams.get('X-Amz-Credential').startsWith(`${role.AccessKeyId}/`));
    }
    assert.deepEqual(imds.calls[0], { method: 'PUT', path: TOKEN_PATH, status: 200 }, 'a session token first');
    const reads = imds.calls.slice(1);
    assert.ok(reads.length >= 1);
    for (const call of reads) assert.deepEqual([call.method, call.status], ['GET', 200], `every read carries a valid token: ${call.path}`);
    assert.equal(credentialReads(imds, 'hrapp-instance-role'), 1, 'the credentials are cached, not read per request');
  } finally {
    assert.equal(await app.stop(), 0);
    await imds.close();
  }
});

test('credentials are refreshed five minutes before expiry and never used past that', async () => {
  const { role: first, refreshAt } = dueIn(6000);
  // To S3, the first keys are dead from the app's refresh point on (plus a second for the
  // request in flight): any use after it is refused.
  keyring.addRole(first, refreshAt + 1000);
  const { imds, app, client } = await instanceWith(first);
  try {
    const second = keyring.addRole(newRoleCredentials(new Date(Date.now() + 6 * 3600 * 1000)));
    const used = [];
    let rotated = false;
    while (Date.now() < refreshAt + 4000) {
      if (!rotated && Date.now() > refreshAt - 3000) {
        imds.setCredentials(second);
        rotated = true;
      }
      const { reply, put } = await createWithImage(client);
      assert.equal(reply.status, 201, `create: ${reply}`);
      assert.ok(put.verdict.ok, `a valid key at ${new Date().toISOString()}: ${put.verdict.code}`);
      used.push([Date.now(), put.verdict.accessKeyId]);
      await sleep(150);
    }
    assert.ok(used.some(([, key]) => key === first.AccessKeyId), 'the first credentials served while fresh');
    assert.ok(used.filter(([at]) => at > refreshAt + 1000).every(([, key]) => key === second.AccessKeyId), 'only the new ones after the refresh point');
    assert.ok(used.length >= 20, `${used.length} uploads`);
    assert.ok(credentialReads(imds, 'hrapp-instance-role') <= 4, `read when due, not per request: ${credentialReads(imds, 'hrapp-instance-role')}`);
  } finally {
    assert.equal(await app.stop(), 0);
    await imds.close();
  }
});

test('metadata briefly down: unexpired credentials keep serving, then the new ones are picked up', async () => {
  const { role: first, refreshAt } = dueIn(1500);
  keyring.addRole(first);
  const { imds, app, client } = await instanceWith(first);
  try {
    assert.equal((await createWithImage(client)).reply.status, 201);
    await imds.setFault('down');
    await sleep(Math.max(0, refreshAt + 500 - Date.now()));
    for (let i = 0; i < 3; i++) {
      const { reply, put } = await createWithImage(client);
      assert.equal(reply.status, 201, `create while metadata is down: ${reply}`);
      assert.deepEqual([put.verdict.ok, put.verdict.accessKeyId], [true, first.AccessKeyId]);
    }
    await app.waitForLog((entry) => entry.level === 'warn' && /instance metadata unreachable/.test(entry.msg), 1000);

    const second = keyring.addRole(newRoleCredentials(new Date(Date.now() + 6 * 3600 * 1000)));
    imds.setCredentials(second);
    await imds.setFault(null);
    const { reply, put } = await createWithImage(client);
    assert.equal(reply.status, 201);
    assert.deepEqual([put.verdict.ok, put.verdict.accessKeyId], [true, second.AccessKeyId]);
  } finally {
    assert.equal(await app.stop(), 0);
    await imds.close();
  }
});

test('slow metadata holds no I/O thread: /livez answers at once while due credentials are fetched', async () => {
  const { role: first, refreshAt } = dueIn(1500);
  keyring.addRole(first);
  const imds = await startImds({ credentials: first });
  // One I/O thread, and SQLite, whose reads run on it: a fetch made there would hold every
  // request of the process.
  const dataDir = tempDir();
  const app = await startApp({
    dataDir, database: new Database({ sqliteFile: path.join(dataDir, 'hrapp.db') }),
    env: { ...s3Env(s3), ...imdsEnv(imds), IO_THREADS: '1' },
  });
  const client = app.client();
  await client.signUp('slowmeta');
  try {
    const created = (await createWithImage(client)).reply;
    assert.equal(created.status, 201);
    const second = keyring.addRole(newRoleCredentials(new Date(Date.now() + 6 * 3600 * 1000)));
    imds.setCredentials(second);
    await imds.setFault('slow');
    await sleep(Math.max(0, refreshAt + 200 - Date.now()));
    // The read's presigned URL needs the due credentials: it waits for metadata, off the loop.
    const read = client.get(`/employees/${created.body.id}`);
    await sleep(300);
    const started = Date.now();
    assert.equal((await fetch(`${app.url}/livez`)).status, 200);
    assert.ok(Date.now() - started < SLOW_MS / 2, `/livez took ${Date.now() - started} ms while metadata answers in ${SLOW_MS} ms`);
    const reply = await read;
    assert.equal(reply.status, 200, `${reply}`);
    assert.ok(new URL(reply.body.image_url).searchParams.get('X-Amz-Credential').startsWith(`${second.AccessKeyId}/`), 'signed with the new credentials');
  } finally {
    await imds.setFault(null);
    assert.equal(await app.stop(), 0);
    await imds.close();
  }
});

test('a token refused with 401 is replaced by a new one', async () => {
  const { role: first, refreshAt } = dueIn(1500);
  keyring.addRole(first);
  const { imds, app, client } = await instanceWith(first);
  try {
    assert.equal((await createWithImage(client)).reply.status, 201);
    const second = keyring.addRole(newRoleCredentials(new Date(Date.now() + 6 * 3600 * 1000)));
    imds.setCredentials(second);
    imds.expireTokens();
    const mark = imds.calls.length;
    await sleep(Math.max(0, refreshAt + 500 - Date.now()));
    const { reply, put } = await createWithImage(client);
    assert.equal(reply.status, 201, `create: ${reply}`);
    assert.deepEqual([put.verdict.ok, put.verdict.accessKeyId], [true, second.AccessKeyId]);
    const [refused, renewed, ...reads] = imds.calls.slice(mark);
    assert.deepEqual([refused?.method, refused?.status], ['GET', 401], 'the old token is tried and refused');
    assert.deepEqual(renewed, { method: 'PUT', path: TOKEN_PATH, status: 200 }, 'then a new token');
    assert.ok(reads.length >= 1);
    for (const call of reads) assert.deepEqual([call.method, call.status], ['GET', 200], call.path);
  } finally {
    assert.equal(await app.stop(), 0);
    await imds.close();
  }
});
