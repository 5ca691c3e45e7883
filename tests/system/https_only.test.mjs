// HTTPS_ONLY=true, as behind the load balancer's HTTPS listener: the session cookie is
// __Host-hrapp_session and always Secure (the load balancer speaks plain HTTP to the app), and
// every response carries Strict-Transport-Security. Without it, neither.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertError } from './lib/assertions.mjs';
import { runHrapp, startApp } from './lib/app.mjs';
import { defaultPassword, uniqueUsername } from './lib/http.mjs';

const hsts = 'max-age=31536000';
let https;
let plain;
before(async () => {
  [https, plain] = await Promise.all([startApp({ env: { HTTPS_ONLY: 'true' } }), startApp({ env: { HTTPS_ONLY: 'false' } })]);
});
after(async () => {
  assert.equal(await https.stop(), 0);
  assert.equal(await plain.stop(), 0);
});

/** Registers and signs in a fresh user; returns the client and the login reply. */
async function signIn(app) {
  const client = app.client();
  const username = uniqueUsername('tls');
  assert.equal((await client.register(username, defaultPassword)).status, 201);
  const login = await client.login(username, defaultPassword);
  assert.equal(login.status, 200, String(login));
  return { client, login };
}

const attributes = (cookie) => cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());

describe('HTTPS_ONLY=true', () => {
  test('names the session cookie __Host-hrapp_session and the device cookie __Host-hrapp_device, Secure over the plain HTTP hop, Path=/ and no Domain', async () => {
    const { login } = await signIn(https);
    assert.equal(login.setCookies.length, 2);
    const session = login.setCookies.find((c) => c.startsWith('__Host-hrapp_session='));
    const device = login.setCookies.find((c) => c.startsWith('__Host-hrapp_device='));
    assert.match(session, /^__Host-hrapp_session=[A-Za-z0-9_-]+;/);
    assert.match(device, /^__Host-hrapp_device=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;/);
    for (const [cookie, sameSite] of [[session, 'samesite=lax'], [device, 'samesite=strict']]) {
      for (const expected of ['secure', 'httponly', sameSite, 'path=/']) assert.ok(attributes(cookie).includes(expected), cookie);
      assert.ok(!attributes(cookie).some((a) => a.startsWith('domain=')), cookie);
    }
  });

  test('reads the session from that cookie only', async () => {
    const { client } = await signIn(https);
    const token = client.cookies.get('__Host-hrapp_session');
    assert.ok(token);
    assert.equal((await client.get('/me', { headers: { cookie: `__Host-hrapp_session=${token}` } })).status, 200);
    assertError(await client.get('/me', { headers: { cookie: `hrapp_session=${token}` } }), 401, 'unauthorized');
  });

  test('clears the __Host- cookie at sign-out, Secure too', async () => {
    const { client } = await signIn(https);
    const logout = await client.post('/logout');
    assert.equal(logout.status, 200);
    assert.match(logout.setCookies[0], /^__Host-hrapp_session=;/);
    assert.ok(attributes(logout.setCookies[0]).includes('secure'), logout.setCookies[0]);
    assert.ok(attributes(logout.setCookies[0]).includes('max-age=0'), logout.setCookies[0]);
  });

  test('sends HSTS on every response: pages, API answers, errors and refusals', async () => {
    const client = https.client();
    const replies = [await client.get('/health'), await client.get('/'), await client.get('/employees'), await client.get('/no-such-page'), await client.post('/login', { body: 'x', headers: { 'content-type': 'text/plain' } })];
    for (const reply of replies) assert.equal(reply.headers.get('strict-transport-security'), hsts, `${reply.status}`);
  });
});

describe('HTTPS_ONLY=false (the default)', () => {
  test('keeps the plain hrapp_session cookie, without Secure over plain HTTP, and sends no HSTS', async () => {
    const { login } = await signIn(plain);
    assert.match(login.setCookies[0], /^hrapp_session=/);
    assert.ok(!attributes(login.setCookies[0]).includes('secure'), login.setCookies[0]);
    assert.equal(login.headers.get('strict-transport-security'), null);
    assert.equal((await plain.client().get('/health')).headers.get('strict-transport-security'), null);
  });
});

test('HTTPS_ONLY refuses anything but true or false, naming itself', async () => {
  const result = await runHrapp(['serve'], { HTTPS_ONLY: 'yes' });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /HTTPS_ONLY must be true or false, got 'yes'/);
});
