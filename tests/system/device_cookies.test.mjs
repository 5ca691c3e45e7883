// A shared address is not one person (issue 19, item 8): a guesser flooding wrong passwords
// from an office's address gets 429, while a colleague on the same address who signed in before
// (and holds the device cookie it was given) signs in at once; a colleague without one waits.
// The device cookie is bound to its account, cannot be forged, and has a small limit of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { login } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';
import { dbTimestamp } from './lib/database.mjs';
import { uniqueUsername } from './lib/http.mjs';

const deviceCookie = 'hrapp_device';

/** A client that signed in once (holding the device cookie) and signed out again. */
async function colleague(app, prefix) {
  const client = app.client();
  const user = await client.signUp(prefix);
  assert.ok(client.cookies.get(deviceCookie), `a device cookie after signing in: ${[...client.cookies.keys()]}`);
  assert.equal((await client.post('/logout')).status, 200);
  return { client, user };
}

async function floodUntilThrottled(app, most = 40) {
  const guesser = app.client();
  const statuses = [];
  for (let i = 0; i < most; i++) {
    const reply = await login(guesser, uniqueUsername('guess'), 'wrong password!');
    statuses.push(reply.status);
    if (reply.status === 429) return statuses;
  }
  assert.fail(`the guesser was never throttled: ${statuses}`);
}

test('the device cookie: set on a successful sign-in only, HttpOnly, SameSite=Strict, a year; __Host- with HTTPS_ONLY', async () => {
  const app = await startApp();
  try {
    const client = app.client();
    const username = uniqueUsername('cookie');
    assert.equal((await client.register(username, 'a good long passphrase')).status, 201);
    const failed = await login(client, username, 'wrong password!');
    assert.ok(!failed.setCookies.some((c) => c.startsWith(`${deviceCookie}=`)), 'no device cookie for a failure');
    const ok = await login(client, username, 'a good long passphrase');
    const cookie = ok.setCookies.find((c) => c.startsWith(`${deviceCookie}=`));
    assert.ok(cookie, `Set-Cookie ${deviceCookie}: ${ok.setCookies}`);
    assert.match(cookie, /;\s*HttpOnly/i);
    assert.match(cookie, /;\s*SameSite=Strict/i);
    assert.match(cookie, /;\s*Path=\/(;|$)/i);
    const maxAge = Number(/;\s*Max-Age=(\d+)/i.exec(cookie)?.[1]);
    assert.ok(maxAge >= 365 * 86400 && maxAge <= 366 * 86400, `a year: ${cookie}`);
    const value = cookie.split(';')[0].slice(deviceCookie.length + 1);
    assert.ok(!value.includes(username) || value.length > username.length + 20, 'a signed token, not the bare name');
  } finally {
    assert.equal(await app.stop(), 0);
  }
  const https = await startApp({ env: { HTTPS_ONLY: 'true' } });
  try {
    const client = https.client();
    const username = uniqueUsername('secure');
    assert.equal((await client.register(username, 'a good long passphrase')).status, 201);
    const ok = await login(client, username, 'a good long passphrase');
    const cookie = ok.setCookies.find((c) => c.startsWith(`__Host-${deviceCookie}=`));
    assert.ok(cookie, `Set-Cookie __Host-${deviceCookie}: ${ok.setCookies}`);
    assert.match(cookie, /;\s*Secure/i);
    assert.match(cookie, /;\s*Path=\/(;|$)/i);
    assert.doesNotMatch(cookie, /;\s*Domain=/i);
  } finally {
    assert.equal(await https.stop(), 0);
  }
});

test('a guesser floods from the office\'s address: a colleague with a device cookie signs in, one without waits', async () => {
  const app = await startApp({ env: { SIGNIN_ADDRESS_FAILURES: '5' } });
  try {
    const known = await colleague(app, 'known');
    const other = await colleague(app, 'other');
    const newcomer = app.client();
    const newcomerUser = await newcomer.signUp('newcomer');
    newcomer.cookies.delete(deviceCookie); // a browser that never kept it
    assert.equal((await newcomer.post('/logout')).status, 200);

    const statuses = await floodUntilThrottled(app);
    assert.ok(statuses.length >= 6, `five free failures first: ${statuses}`);
    // The guesser has kept at it for a while: the address's wait is long now (the first waits
    // last a second, over before the next try could show them).
    await app.database.execute(`UPDATE sign_in_failures SET failures = 30, last_failure_at = '${dbTimestamp(new Date())}' WHERE subject = 'address:127.0.0.1'`);

    // The colleague who signed in before: at once, no 429, and again.
    for (let i = 0; i < 3; i++) {
      const reply = await login(known.client, known.user.username, known.user.password);
      assert.equal(reply.status, 200, `the colleague with a device cookie signs in: ${reply}`);
      assert.equal((await known.client.get('/me')).status, 200);
    }
    // The guesser keeps going, and is still refused.
    assertError(await login(app.client(), uniqueUsername('guess'), 'wrong password!'), 429, 'too_many_requests');

    // Without the cookie: the address's wait.
    assertError(await login(newcomer, newcomerUser.username, newcomerUser.password), 429, 'too_many_requests');
    // Another account's device cookie does not exempt this one.
    const borrowed = app.client();
    borrowed.cookies.set(deviceCookie, known.client.cookies.get(deviceCookie));
    assertError(await login(borrowed, newcomerUser.username, newcomerUser.password), 429, 'too_many_requests');
    // Nor does a forged or tampered cookie.
    const forged = app.client();
    const real = known.client.cookies.get(deviceCookie);
    forged.cookies.set(deviceCookie, `${real.slice(0, -2)}${real.endsWith('AA') ? 'BB' : 'AA'}`);
    assertError(await login(forged, known.user.username, known.user.password), 429, 'too_many_requests');
    // The other colleague, with its own cookie, signs in too.
    assert.equal((await login(other.client, other.user.username, other.user.password)).status, 200);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('a device cookie has a small limit of its own: failing with it waits, and does not lock the address\'s other devices out', async () => {
  const app = await startApp({ env: { SIGNIN_ADDRESS_FAILURES: '5', SIGNIN_ACCOUNT_FAILURES: '100' } });
  try {
    const known = await colleague(app, 'known');
    const other = await colleague(app, 'other');
    const statuses = [];
    for (let i = 0; i < 30; i++) {
      const reply = await login(known.client, known.user.username, 'wrong password!');
      statuses.push(reply.status);
      if (reply.status === 429) break;
    }
    assert.equal(statuses.at(-1), 429, `failures with a device cookie are throttled too: ${statuses}`);
    assert.ok(statuses.length <= 12, `a small limit: ${statuses}`);
    assert.equal((await login(other.client, other.user.username, other.user.password)).status, 200, 'another device is not held');
  } finally {
    assert.equal(await app.stop(), 0);
  }
});
