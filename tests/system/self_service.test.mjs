// Self-service (issue 19, item 6): changing one's password ends the account's other sessions
// and keeps this one; signing out everywhere ends them all; at most 10 live sessions an account,
// the oldest ending first; passwords of 8 to 72 bytes, not among the most common breached
// passwords, not containing the username.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { login, register } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';
import { defaultPassword, uniqueUsername } from './lib/http.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

/** `count` more signed-in clients of the account of `user`. */
async function moreSessions(user, count) {
  const clients = [];
  for (let i = 0; i < count; i++) {
    const client = app.client();
    assert.equal((await login(client, user.username, user.password)).status, 200);
    clients.push(client);
  }
  return clients;
}

test('changing the password ends the other sessions and keeps this one', async () => {
  const client = app.client();
  const user = await client.signUp('changer');
  const others = await moreSessions(user, 2);
  const bystander = app.client();
  await bystander.signUp('bystander');

  assertError(await client.post('/me/password', { json: { current_password: 'not the password', new_password: 'a new long passphrase' } }), 400, 'validation_failed', ['current_password']);
  for (const other of others) assert.equal((await other.get('/me')).status, 200, 'a refused change ends nothing');

  const newPassword = 'a new long passphrase';
  const changed = await client.post('/me/password', { json: { current_password: user.password, new_password: newPassword } });
  assert.equal(changed.status, 200, `${changed}`);
  assert.deepEqual(changed.body, { status: 'password_changed' });
  assert.equal((await client.get('/me')).status, 200, 'this session goes on');
  for (const other of others) assertError(await other.get('/me'), 401, 'unauthorized');
  assert.equal((await bystander.get('/me')).status, 200, 'another account is untouched');
  assert.equal(Number(await app.database.value(`SELECT COUNT(*) FROM sessions WHERE user_id = ${user.id}`)), 1);
  assertError(await login(app.client(), user.username, user.password), 401, 'unauthorized');
  assert.equal((await login(app.client(), user.username, newPassword)).status, 200);

  assertError(await app.client().post('/me/password', { json: { current_password: newPassword, new_password: 'whatever passphrase' } }), 401, 'unauthorized');
});

test('the new password follows the rules', async () => {
  const client = app.client();
  const user = await client.signUp('rules');
  const cases = ['short', 'x'.repeat(73), 'é'.repeat(37), 'password', 'iloveyou', '12345678', `my ${user.username} pass`, `${user.username}!!`];
  for (const newPassword of cases) {
    assertError(await client.post('/me/password', { json: { current_password: user.password, new_password: newPassword } }), 400, 'validation_failed', ['new_password']);
  }
  for (const body of [{ current_password: user.password }, { new_password: 'a fine new passphrase' }, {}]) {
    const reply = await client.post('/me/password', { json: body });
    assertError(reply, 400, 'validation_failed');
  }
  assert.equal((await login(app.client(), user.username, user.password)).status, 200, 'the password did not change');
});

test('registration refuses common passwords and passwords containing the username; 8 to 72 bytes', async () => {
  const client = app.client();
  for (const password of ['password', '12345678', 'iloveyou', 'sunshine', 'qwertyuiop', 'trustno1']) {
    const body = assertError(await register(client, uniqueUsername('common'), password), 400, 'validation_failed', ['password']);
    assert.match(body.fields[0].message, /common/, `${password}: ${body.fields[0].message}`);
  }
  const username = uniqueUsername('named');
  for (const password of [`${username}`, `${username}-2024`, `the ${username} one`]) {
    const body = assertError(await register(client, username, password), 400, 'validation_failed', ['password']);
    assert.match(body.fields[0].message, /username/, body.fields[0].message);
  }
  for (const password of ['seven77', 'y'.repeat(73), 'é'.repeat(37)]) assertError(await register(client, uniqueUsername('len'), password), 400, 'validation_failed', ['password']);
  for (const password of ['eight888', 'z'.repeat(72), 'é'.repeat(36)]) {
    const reply = await register(client, uniqueUsername('ok'), password);
    assert.equal(reply.status, 201, `${password.length} characters: ${reply}`);
  }
  assert.equal((await register(client, username, defaultPassword)).status, 201, 'the refused name is still free');
});

test('signing out everywhere ends every session of the account, this one too', async () => {
  const client = app.client();
  const user = await client.signUp('everywhere');
  const others = await moreSessions(user, 2);
  const bystander = app.client();
  await bystander.signUp('bystander');
  const reply = await client.post('/me/sessions/revoke');
  assert.equal(reply.status, 200, `${reply}`);
  assert.deepEqual(reply.body, { status: 'signed_out', sessions: 3 });
  assert.ok(reply.setCookies.some((c) => /^hrapp_session=;|max-age=0/i.test(c)), `the cookie is cleared: ${reply.setCookies}`);
  for (const c of [client, ...others]) assertError(await c.get('/me'), 401, 'unauthorized');
  assert.equal((await bystander.get('/me')).status, 200);
  assert.equal(Number(await app.database.value(`SELECT COUNT(*) FROM sessions WHERE user_id = ${user.id}`)), 0);
  assertError(await app.client().post('/me/sessions/revoke'), 401, 'unauthorized');
  assert.equal((await login(client, user.username, user.password)).status, 200, 'the account signs in again');
});

test('at most 10 live sessions an account: the 11th sign-in ends the oldest', async () => {
  const first = app.client();
  const user = await first.signUp('busy');
  const sessions = [first, ...(await moreSessions(user, 9))];
  assert.equal(Number(await app.database.value(`SELECT COUNT(*) FROM sessions WHERE user_id = ${user.id}`)), 10);
  const [eleventh] = await moreSessions(user, 1);
  assert.equal(Number(await app.database.value(`SELECT COUNT(*) FROM sessions WHERE user_id = ${user.id}`)), 10);
  assertError(await first.get('/me'), 401, 'unauthorized');
  for (const client of [...sessions.slice(1), eleventh]) assert.equal((await client.get('/me')).status, 200);
  const [twelfth] = await moreSessions(user, 1);
  assertError(await sessions[1].get('/me'), 401, 'unauthorized');
  for (const client of [...sessions.slice(2), eleventh, twelfth]) assert.equal((await client.get('/me')).status, 200);
  // Another account's sessions do not count.
  const other = app.client();
  await other.signUp('other');
  assert.equal((await eleventh.get('/me')).status, 200);
});

test('the 10-session cap holds when sign-ins arrive at once', async () => {
  const client = app.client();
  const user = await client.signUp('burst');
  const clients = Array.from({ length: 15 }, () => app.client());
  const replies = await Promise.all(clients.map((c) => login(c, user.username, user.password)));
  assert.ok(replies.every((r) => r.status === 200 || r.status === 429), replies.map(String).join(', '));
  assert.ok(Number(await app.database.value(`SELECT COUNT(*) FROM sessions WHERE user_id = ${user.id}`)) <= 10);
  let live = 0;
  for (const c of [client, ...clients]) if (c.token && (await c.get('/me')).status === 200) live++;
  assert.ok(live <= 10 && live >= 1, `${live} live sessions`);
});
