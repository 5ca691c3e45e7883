// The seed's Property 5: every protected route answers 401 `unauthorized` without a valid
// session: no cookie, a forged token (fixed and random), a signed-out token, an expired one;
// and a refused request changes nothing.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { assertError } from './lib/assertions.mjs';
import { startApp } from './lib/app.mjs';
import { multipart } from './lib/http.mjs';
import { png } from './lib/images.mjs';

let app;
let owner;
let employee;
let signedOutToken;
let expiredToken;

before(async () => {
  app = await startApp();
  owner = app.client();
  await owner.signUp('owner');
  const created = await owner.createEmployee({ name: 'Target', role: 'R', department: 'D', image: { bytes: png(), filename: 'a.png' } });
  assert.equal(created.status, 201);
  employee = created.body;

  const leaver = app.client();
  await leaver.signUp('leaver');
  signedOutToken = leaver.token;
  assert.equal((await leaver.post('/logout')).status, 200);

  const sleeper = app.client();
  await sleeper.signUp('sleeper');
  expiredToken = sleeper.token;
  const id = createHash('sha256').update(expiredToken).digest('hex');
  await app.database.execute(`UPDATE sessions SET expires_at = '2000-01-01 00:00:00.000000' WHERE id = '${id}'`);
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

/** Every route that needs a session, each with a body it would otherwise accept. */
function protectedRequests() {
  const fields = () => multipart({ name: 'Changed', role: 'R', department: 'D', image: { bytes: png({ seed: 5 }), filename: 'b.png' } });
  return [
    ['POST', '/logout', {}],
    ['GET', '/me', {}],
    ['POST', '/employees', { form: fields() }],
    ['GET', '/employees', {}],
    ['GET', '/employees?department=D&q=Target&limit=5', {}],
    ['GET', `/employees/${employee.id}`, {}],
    // What a session could be told as 400 or 404 is a stranger's 401.
    ['GET', '/employees/not-a-number', {}],
    ['GET', '/employees/99999999999', {}],
    ['GET', `/employees/${employee.id + 1000}`, {}],
    ['GET', '/employees?limit=0&offset=-1', {}],
    ['GET', '/employees?offset=1000', {}],
    ['PUT', `/employees/${employee.id}`, { form: fields() }],
    ['PATCH', `/employees/${employee.id}`, { json: { name: 'Changed' } }],
    ['PATCH', `/employees/${employee.id}`, { form: fields() }],
    ['DELETE', `/employees/${employee.id}`, {}],
    ['GET', '/departments', {}],
    ['GET', employee.image_url, {}],
  ];
}

async function assertRefusedEverywhere(cookie) {
  const client = app.client();
  for (const [method, path, options] of protectedRequests()) {
    const headers = cookie === undefined ? {} : { cookie };
    const reply = await client.request(method, path, { ...options, headers });
    assertError(reply, 401, 'unauthorized');
    assert.deepEqual(reply.setCookies, [], `${method} ${path} sets no cookie`);
    assert.equal(reply.headers.get('cache-control'), 'no-store');
  }
}

async function assertNothingChanged() {
  assert.deepEqual((await owner.get(`/employees/${employee.id}`)).body, employee, 'the profile is untouched');
  assert.equal(await app.database.value('SELECT count(*) AS n FROM employees'), 1, 'no profile was added');
}

test('no cookie', async () => {
  await assertRefusedEverywhere(undefined);
  await assertNothingChanged();
});

test('forged, malformed and other cookies', async () => {
  for (const cookie of [
    `hrapp_session=${randomBytes(32).toString('base64url')}`,
    'hrapp_session=',
    `hrapp_session=${'A'.repeat(4000)}`,
    "hrapp_session=' OR '1'='1",
    `other=${owner.token}`, // the real token under another name is not a session
    `hrapp_session=${owner.token.slice(0, -1)}`,
    `hrapp_session=${createHash('sha256').update(owner.token).digest('hex')}`, // the stored hash is not a token
  ]) {
    await assertRefusedEverywhere(cookie);
  }
  await assertNothingChanged();
});

test('a signed-out token and an expired token', async () => {
  await assertRefusedEverywhere(`hrapp_session=${signedOutToken}`);
  await assertRefusedEverywhere(`hrapp_session=${expiredToken}`);
  await assertNothingChanged();
});

test('random forged tokens on random protected routes', async () => {
  const client = app.client();
  const requests = protectedRequests().length;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: requests - 1 }),
      fc.stringMatching(/^[A-Za-z0-9_\-.~+/=%]{1,200}$/),
      async (index, token) => {
        fc.pre(token !== owner.token);
        const [method, path, options] = protectedRequests()[index];
        const reply = await client.request(method, path, { ...options, headers: { cookie: `hrapp_session=${token}` } });
        assertError(reply, 401, 'unauthorized');
      },
    ),
    { numRuns: 100 },
  );
  await assertNothingChanged();
});

test('the same requests succeed with the owner\'s session, so the 401s above are about the session', async () => {
  const reply = await owner.get('/departments');
  assert.equal(reply.status, 200);
  assert.equal((await owner.get(employee.image_url)).status, 200);
  assert.equal((await owner.request('PATCH', `/employees/${employee.id}`, { json: { role: 'R' } })).status, 200);
});
