// The admin API (issue 19, item 4): accounts listed with role, last sign-in and second factor;
// a role changed; an account disabled (its sessions gone at once, on every instance of the
// fleet); sessions revoked; a second factor reset; a one-time password-reset link; and no change
// that leaves zero enabled admins, even two admins demoting each other at the same moment.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dumpDatabase, enrolMfa, firstAdmin, login, userWithRole } from './lib/accounts.mjs';
import { startApp, tempDir } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';
import { Database, dbTimestamp } from './lib/database.mjs';
import { defaultPassword, uniqueUsername } from './lib/http.mjs';

const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

// Two instances on one database, as behind the load balancer.
let a;
let b;
let admin;
before(async () => {
  const dataDir = tempDir();
  const database = await Database.create(dataDir);
  a = await startApp({ dataDir, database });
  b = await startApp({ dataDir, database });
  admin = await firstAdmin(a);
});
after(async () => {
  assert.equal(await a.stop(), 0);
  assert.equal(await b.stop(), 0);
});

/** A signed-in member on instance `app`. */
async function member(app = a, prefix = 'member') {
  const client = app.client();
  await client.signUp(prefix);
  return client;
}

test('GET /users lists every account by username with role, disabled, second factor, created and last sign-in', async () => {
  const signedIn = await member();
  const enrolled = await member(a, 'enrolled');
  await enrolMfa(enrolled);
  const neverName = uniqueUsername('never');
  assert.equal((await a.client().register(neverName, defaultPassword)).status, 201);

  const list = await admin.get('/users?limit=100');
  assert.equal(list.status, 200, `${list}`);
  assert.equal(Number(list.headers.get('x-total-count')), Number(await a.database.value('SELECT COUNT(*) FROM users')));
  const names = list.body.map((u) => u.username);
  assert.deepEqual(names, [...names].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : x.toLowerCase() > y.toLowerCase() ? 1 : 0)), 'sorted by username');
  for (const user of list.body) {
    assert.deepEqual(Object.keys(user).sort(), ['created_at', 'disabled', 'id', 'last_sign_in_at', 'mfa_enabled', 'role', 'username']);
    assert.ok(['member', 'hr', 'admin'].includes(user.role));
    assert.match(user.created_at, iso);
  }
  const byName = Object.fromEntries(list.body.map((u) => [u.username, u]));
  assert.equal(byName[admin.user.username].role, 'admin');
  assert.match(byName[signedIn.user.username].last_sign_in_at, iso);
  assert.ok(Math.abs(Date.parse(byName[signedIn.user.username].last_sign_in_at) - Date.now()) < 120000);
  assert.equal(byName[signedIn.user.username].mfa_enabled, false);
  assert.equal(byName[enrolled.user.username].mfa_enabled, true);
  assert.equal(byName[neverName].last_sign_in_at, null, 'never signed in');
  assert.equal(byName[neverName].disabled, false);
  assert.equal(byName[neverName].role, 'member');
  assert.ok(!list.text.includes('password') && !list.text.includes('$2'), 'no password hash is listed');

  const page = await admin.get('/users?limit=1&offset=1');
  assert.equal(page.status, 200);
  assert.deepEqual(page.body, [list.body[1]]);
  assertError(await admin.get('/users?limit=0'), 400, 'bad_request');

  const one = await admin.get(`/users/${signedIn.user.id}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, byName[signedIn.user.username]);
  assertError(await admin.get('/users/99999999'), 404, 'not_found');
});

test('a role change applies at once to the account\'s live session, on another instance too', async () => {
  const user = await member(b, 'promoted');
  assertError(await user.get('/users'), 403, 'role_required');
  const changed = await admin.request('PATCH', `/users/${user.user.id}`, { json: { role: 'hr' } });
  assert.equal(changed.status, 200, `${changed}`);
  assert.equal(changed.body.role, 'hr');
  assert.equal((await user.get('/me')).body.role, 'hr');
  const promoted = await admin.request('PATCH', `/users/${user.user.id}`, { json: { role: 'admin' } });
  assert.equal(promoted.body.role, 'admin');
  assert.equal((await user.get('/users')).status, 200, 'an admin now, on instance b');
  assert.equal((await admin.request('PATCH', `/users/${user.user.id}`, { json: { role: 'member' } })).body.role, 'member');
  assertError(await user.get('/users'), 403, 'role_required');

  for (const json of [{ role: 'owner' }, { role: 'Admin' }, { role: 3 }, { role: '' }]) {
    assertError(await admin.request('PATCH', `/users/${user.user.id}`, { json }), 400, 'validation_failed', ['role']);
  }
  for (const json of [{ disabled: 'yes' }, { disabled: 1 }]) {
    assertError(await admin.request('PATCH', `/users/${user.user.id}`, { json }), 400, 'validation_failed', ['disabled']);
  }
  assertError(await admin.request('PATCH', '/users/99999999', { json: { role: 'hr' } }), 404, 'not_found');
  assert.equal((await admin.get(`/users/${user.user.id}`)).body.role, 'member', 'the refused changes changed nothing');
});

test('disabling an account deletes its sessions in the same change: its cookie is refused at once on every instance', async () => {
  const user = await member(b, 'leaver');
  const onA = a.client();
  assert.equal((await onA.login(user.user.username, user.user.password)).status, 200);
  assert.equal((await user.get('/me')).status, 200);
  const disabled = await admin.request('PATCH', `/users/${user.user.id}`, { json: { disabled: true } });
  assert.equal(disabled.status, 200, `${disabled}`);
  assert.equal(disabled.body.disabled, true);
  // No wait: the very next request on the other instance is refused.
  assertError(await user.get('/me'), 401, 'unauthorized');
  assertError(await user.get('/employees'), 401, 'unauthorized');
  assertError(await onA.get('/me'), 401, 'unauthorized');
  assert.equal(Number(await a.database.value(`SELECT COUNT(*) FROM sessions WHERE user_id = ${user.user.id}`)), 0);

  for (const app of [a, b]) assertError(await login(app.client(), user.user.username, user.user.password), 403, 'account_disabled');
  assertError(await login(a.client(), user.user.username, 'wrong password!'), 401, 'unauthorized');

  const enabled = await admin.request('PATCH', `/users/${user.user.id}`, { json: { disabled: false } });
  assert.equal(enabled.body.disabled, false);
  assert.equal((await login(b.client(), user.user.username, user.user.password)).status, 200);
});

test('a disabled account\'s profiles stay; there is no way to delete an account', async () => {
  const user = await member(a, 'creator');
  const created = await user.createEmployee({ name: 'Kept Profile', role: 'Analyst', department: 'Finance' });
  assert.equal(created.status, 201);
  assert.equal((await admin.request('PATCH', `/users/${user.user.id}`, { json: { disabled: true } })).status, 200);
  const kept = await admin.get(`/employees/${created.body.id}`);
  assert.equal(kept.status, 200);
  assert.equal(kept.body.user_id, user.user.id);
  assertError(await admin.request('DELETE', `/users/${user.user.id}`), 405, 'method_not_allowed');
  assert.equal((await admin.get(`/users/${user.user.id}`)).status, 200);
});

test('revoking an account\'s sessions ends each of them, on both instances', async () => {
  const user = await member(a, 'revoked');
  const second = b.client();
  assert.equal((await second.login(user.user.username, user.user.password)).status, 200);
  const revoked = await admin.post(`/users/${user.user.id}/sessions/revoke`);
  assert.equal(revoked.status, 200, `${revoked}`);
  assert.deepEqual(revoked.body, { status: 'signed_out', sessions: 2 });
  assertError(await user.get('/me'), 401, 'unauthorized');
  assertError(await second.get('/me'), 401, 'unauthorized');
  assert.equal((await admin.get('/me')).status, 200, 'the admin\'s own session is not touched');
  const again = await admin.post(`/users/${user.user.id}/sessions/revoke`);
  assert.deepEqual(again.body, { status: 'signed_out', sessions: 0 });
  assert.equal((await user.login(user.user.username, user.user.password)).status, 200, 'the account itself is untouched');
  assertError(await admin.post('/users/99999999/sessions/revoke'), 404, 'not_found');
});

test('resetting an account\'s second factor: it signs in with its password alone, and may enrol again', async () => {
  const user = await member(a, 'lostphone');
  await enrolMfa(user);
  assertError(await login(a.client(), user.user.username, user.user.password), 401, 'mfa_required');
  const reset = await admin.request('DELETE', `/users/${user.user.id}/mfa`);
  assert.equal(reset.status, 200, `${reset}`);
  assert.equal(reset.body.mfa_enabled, false);
  assert.equal(reset.body.id, user.user.id);
  const back = a.client();
  assert.equal((await login(back, user.user.username, user.user.password)).status, 200);
  assert.equal((await back.get('/me')).body.mfa_enabled, false);
  const again = await enrolMfa(back);
  assert.equal(again.recoveryCodes.length, 10);
  assertError(await admin.request('DELETE', '/users/99999999/mfa'), 404, 'not_found');
});

test('a password-reset link works once, ends every session, and an earlier unused link dies', async () => {
  const user = await member(a, 'forgot');
  const issued = await admin.post(`/users/${user.user.id}/password-reset`);
  assert.equal(issued.status, 200, `${issued}`);
  const { token, url, expires_at: expiresAt } = issued.body;
  assert.equal(url, `/#reset=${token}`);
  const hours = (Date.parse(expiresAt) - Date.now()) / 3600000;
  assert.ok(hours > 23.9 && hours <= 24.01, `24 hours: ${expiresAt}`);
  assert.ok(!(await dumpDatabase(a.database)).includes(token), 'the database keeps no reset token');

  // A later link replaces it.
  const later = (await admin.post(`/users/${user.user.id}/password-reset`)).body.token;
  const anyone = b.client();
  const newPassword = 'a brand new passphrase';
  assertError(await anyone.post('/password-reset', { json: { token, new_password: newPassword } }), 403, 'reset_invalid');
  assertError(await anyone.post('/password-reset', { json: { token: 'forged-reset-token-0123456789', new_password: newPassword } }), 403, 'reset_invalid');
  // Password rules apply, and a refused password does not use the link up.
  assertError(await anyone.post('/password-reset', { json: { token: later, new_password: 'password' } }), 400, 'validation_failed', ['new_password']);
  assertError(await anyone.post('/password-reset', { json: { token: later, new_password: `x${user.user.username}x` } }), 400, 'validation_failed', ['new_password']);
  assert.equal((await user.get('/me')).status, 200);

  const used = await anyone.post('/password-reset', { json: { token: later, new_password: newPassword } });
  assert.equal(used.status, 200, `${used}`);
  assert.deepEqual(used.body, { status: 'password_changed' });
  assertError(await user.get('/me'), 401, 'unauthorized');
  assertError(await anyone.post('/password-reset', { json: { token: later, new_password: 'yet another passphrase' } }), 403, 'reset_invalid');
  assertError(await login(a.client(), user.user.username, user.user.password), 401, 'unauthorized');
  assert.equal((await login(a.client(), user.user.username, newPassword)).status, 200);
  assertError(await admin.post('/users/99999999/password-reset'), 404, 'not_found');

  // An expired link is refused too.
  const expiring = (await admin.post(`/users/${user.user.id}/password-reset`)).body.token;
  await a.database.execute(`UPDATE account_tokens SET expires_at = '${dbTimestamp(new Date(Date.now() - 60000))}' WHERE kind = 'reset' AND user_id = ${user.user.id} AND used_at IS NULL`);
  assertError(await anyone.post('/password-reset', { json: { token: expiring, new_password: 'too late a passphrase' } }), 403, 'reset_invalid');
  assert.equal((await login(a.client(), user.user.username, newPassword)).status, 200);
});

test('no change leaves zero enabled admins: 409 last_admin', async () => {
  const dataDir = tempDir();
  const app = await startApp({ dataDir });
  try {
    const only = await firstAdmin(app);
    const id = only.user.id;
    assertError(await only.request('PATCH', `/users/${id}`, { json: { role: 'hr' } }), 409, 'last_admin');
    assertError(await only.request('PATCH', `/users/${id}`, { json: { role: 'member' } }), 409, 'last_admin');
    assertError(await only.request('PATCH', `/users/${id}`, { json: { disabled: true } }), 409, 'last_admin');
    // A disabled admin does not count.
    const second = await userWithRole(app, only, 'admin');
    assert.equal((await only.request('PATCH', `/users/${second.user.id}`, { json: { disabled: true } })).status, 200);
    assertError(await only.request('PATCH', `/users/${id}`, { json: { role: 'member' } }), 409, 'last_admin');
    assert.equal((await only.get('/me')).body.role, 'admin');
    // Once another enabled admin exists, the change is allowed.
    assert.equal((await only.request('PATCH', `/users/${second.user.id}`, { json: { disabled: false } })).status, 200);
    const demoted = await only.request('PATCH', `/users/${id}`, { json: { role: 'hr' } });
    assert.equal(demoted.status, 200, `${demoted}`);
    assertError(await only.get('/users'), 403, 'role_required');
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('two admins demoting or disabling each other at the same moment, on two instances: exactly one succeeds', async () => {
  const dataDir = tempDir();
  const database = await Database.create(dataDir);
  const one = await startApp({ dataDir, database });
  const two = await startApp({ dataDir, database });
  try {
    const x = await firstAdmin(one, 'x');
    const yAccount = (await userWithRole(one, x, 'admin', 'y')).user;
    const y = two.client();
    y.user = yAccount;
    assert.equal((await y.login(yAccount.username, yAccount.password)).status, 200);
    const changes = [{ role: 'member' }, { disabled: true }, { role: 'hr' }];
    for (let round = 0; round < 9; round++) {
      const change = changes[round % changes.length];
      const [rx, ry] = await Promise.all([
        x.request('PATCH', `/users/${y.user.id}`, { json: change }),
        y.request('PATCH', `/users/${x.user.id}`, { json: change }),
      ]);
      assert.equal([rx, ry].filter((r) => r.status === 200).length, 1, `round ${round} ${JSON.stringify(change)}: ${rx} / ${ry}`);
      // The other lost the race: refused as the last admin, or no longer an admin (or signed in).
      for (const reply of [rx, ry].filter((r) => r.status !== 200)) {
        assert.ok([409, 403, 401].includes(reply.status), `${reply}`);
        if (reply.status === 409) assertError(reply, 409, 'last_admin');
      }
      const [winner, loser] = rx.status === 200 ? [x, y] : [y, x];
      const accounts = (await winner.get('/users?limit=100')).body;
      assert.equal(accounts.filter((u) => u.role === 'admin' && !u.disabled).length, 1, `round ${round}: one enabled admin remains`);

      // The winner restores the loser for the next round.
      const restored = await winner.request('PATCH', `/users/${loser.user.id}`, { json: { role: 'admin', disabled: false } });
      assert.equal(restored.status, 200, `${restored}`);
      if ((await loser.get('/me')).status !== 200) assert.equal((await loser.login(loser.user.username, loser.user.password)).status, 200);
    }
  } finally {
    assert.equal(await one.stop(), 0);
    assert.equal(await two.stop(), 0);
  }
});
