// Registration modes and invitations (issue 19, item 2): REGISTRATION=invite needs an admin's
// one-time invitation; REGISTRATION=open makes members. A used, expired, forged or revoked
// token is 403 invitation_required and consumes nothing; a refused registration does not use
// the invitation up; an invitation grants its role in either mode; only admins invite; of
// registrations racing for one token exactly one wins. Tokens are stored only as hashes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dumpDatabase, firstAdmin, invite, login, register, userWithRole } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';
import { dbTimestamp } from './lib/database.mjs';
import { defaultPassword, uniqueUsername } from './lib/http.mjs';

let inviteApp;
let admin;
before(async () => {
  // The racers come from addresses of their own (through the trusted proxy), as strangers would:
  // one client's share of the sign-up workers is not what is tested.
  inviteApp = await startApp({ env: { REGISTRATION: 'invite', TRUSTED_PROXIES: '127.0.0.1/32' } });
  admin = await firstAdmin(inviteApp);
});
after(async () => {
  assert.equal(await inviteApp.stop(), 0);
});

const days = (ms) => ms / 86400000;

test('invite mode: no invitation, a forged one or a made-up one is 403 invitation_required', async () => {
  const client = inviteApp.client();
  const username = uniqueUsername('stranger');
  assertError(await register(client, username, defaultPassword), 403, 'invitation_required');
  assertError(await register(client, username, defaultPassword, 'forged-token-0123456789abcdef'), 403, 'invitation_required');
  assertError(await register(client, username, defaultPassword, ''), 403, 'invitation_required');
  const { token } = await invite(admin);
  assertError(await register(client, username, defaultPassword, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`), 403, 'invitation_required');
  assertError(await login(client, username, defaultPassword), 401, 'unauthorized', undefined);
  assert.equal(await inviteApp.database.value(`SELECT COUNT(*) FROM users WHERE username = '${username}'`), 0);
});

test('an invitation is one-time: 201 with the role and Location, listed as used; its token again is refused', async () => {
  const created = await admin.post('/invitations', { json: {} });
  assert.equal(created.status, 201, `${created}`);
  const invitation = created.body;
  assert.equal(created.headers.get('location'), `/invitations/${invitation.id}`);
  assert.equal(invitation.role, 'member', 'an invitation grants member unless it says otherwise');
  assert.equal(invitation.url, `/#invite=${invitation.token}`);
  assert.ok(invitation.token.length >= 20, 'a token long enough not to be guessed');
  const expiresIn = days(Date.parse(invitation.expires_at) - Date.now());
  assert.ok(expiresIn > 6.9 && expiresIn <= 7.01, `a week by default: ${invitation.expires_at}`);

  const client = inviteApp.client();
  const username = uniqueUsername('invited');
  const registered = await register(client, username, defaultPassword, invitation.token);
  assert.equal(registered.status, 201, `${registered}`);
  assert.equal(registered.headers.get('location'), '/me');
  assert.deepEqual(Object.keys(registered.body).sort(), ['id', 'role', 'username']);
  assert.equal(registered.body.role, 'member');
  assert.equal((await login(client, username, defaultPassword)).status, 200);
  assert.equal((await client.get('/me')).body.role, 'member');

  const again = uniqueUsername('second');
  assertError(await register(inviteApp.client(), again, defaultPassword, invitation.token), 403, 'invitation_required');
  assert.equal(await inviteApp.database.value(`SELECT COUNT(*) FROM users WHERE username = '${again}'`), 0);

  const listed = await admin.get(`/invitations/${invitation.id}`);
  assert.equal(listed.status, 200);
  assert.equal(listed.body.id, invitation.id);
  assert.equal(listed.body.role, 'member');
  assert.equal(listed.body.revoked, false);
  assert.ok(listed.body.used_at, 'used_at is set');
  assert.deepEqual(listed.body.used_by, { id: registered.body.id, username });
  assert.deepEqual(listed.body.created_by, { id: admin.user.id, username: admin.user.username });
  assert.equal(listed.body.token, undefined, 'a listed invitation carries no token');
  assertError(await admin.request('DELETE', `/invitations/${invitation.id}`), 409, 'invitation_used');
});

test('an invitation grants its role: hr and admin', async () => {
  for (const role of ['hr', 'admin']) {
    const client = await userWithRole(inviteApp, admin, role);
    assert.equal((await client.get('/me')).body.role, role);
    const view = await admin.get(`/users/${client.user.id}`);
    assert.equal(view.body.role, role);
  }
});

test('an expired invitation is refused and stays unused; expiry takes 1 to 30 days', async () => {
  const invitation = await invite(admin, 'hr', { expires_in_days: 1 });
  const expiresIn = days(Date.parse(invitation.expires_at) - Date.now());
  assert.ok(expiresIn > 0.99 && expiresIn <= 1.01, `one day: ${invitation.expires_at}`);
  const longest = await invite(admin, 'member', { expires_in_days: 30 });
  assert.ok(days(Date.parse(longest.expires_at) - Date.now()) > 29.9);
  for (const bad of [0, 31, -1, 1.5, '7', null]) {
    const reply = await admin.post('/invitations', { json: { expires_in_days: bad } });
    if (bad === null && reply.status === 201) continue; // null may mean "the default"
    assertError(reply, 400, 'validation_failed', ['expires_in_days']);
  }
  for (const bad of ['owner', 'Admin', '', 7]) assertError(await admin.post('/invitations', { json: { role: bad } }), 400, 'validation_failed', ['role']);

  await inviteApp.database.execute(`UPDATE account_tokens SET expires_at = '${dbTimestamp(new Date(Date.now() - 60000))}' WHERE id = ${invitation.id}`);
  const username = uniqueUsername('late');
  assertError(await register(inviteApp.client(), username, defaultPassword, invitation.token), 403, 'invitation_required');
  const listed = await admin.get(`/invitations/${invitation.id}`);
  assert.equal(listed.body.used_at, null);
  assert.equal(listed.body.used_by, null);
  assert.equal(await inviteApp.database.value(`SELECT COUNT(*) FROM users WHERE username = '${username}'`), 0);
});

test('a revoked invitation is refused; revoking twice and unknown ids', async () => {
  const invitation = await invite(admin, 'admin');
  const revoked = await admin.request('DELETE', `/invitations/${invitation.id}`);
  assert.equal(revoked.status, 204, `${revoked}`);
  assertError(await register(inviteApp.client(), uniqueUsername('revoked'), defaultPassword, invitation.token), 403, 'invitation_required');
  const listed = await admin.get(`/invitations/${invitation.id}`);
  assert.equal(listed.body.revoked, true);
  assert.equal(listed.body.used_at, null);
  assertError(await admin.request('DELETE', '/invitations/99999999'), 404, 'not_found');
  assertError(await admin.get('/invitations/99999999'), 404, 'not_found');
});

test('a registration refused for its username or password does not use the invitation up', async () => {
  const invitation = await invite(admin, 'hr');
  const client = inviteApp.client();
  assertError(await register(client, admin.user.username, defaultPassword, invitation.token), 400, 'username_taken');
  assertError(await register(client, admin.user.username.toUpperCase(), defaultPassword, invitation.token), 400, 'username_taken');
  assertError(await register(client, uniqueUsername('short'), 'short', invitation.token), 400, 'validation_failed', ['password']);
  assertError(await register(client, 'x', defaultPassword, invitation.token), 400, 'validation_failed', ['username']);
  assert.equal((await admin.get(`/invitations/${invitation.id}`)).body.used_at, null);
  const registered = await register(client, uniqueUsername('after'), defaultPassword, invitation.token);
  assert.equal(registered.status, 201, `${registered}`);
  assert.equal(registered.body.role, 'hr');
});

test('only admins invite: member and hr get 403 role_required, and no invitation exists after', async () => {
  const hr = await userWithRole(inviteApp, admin, 'hr');
  const member = await userWithRole(inviteApp, admin, 'member');
  const before = (await admin.get('/invitations')).body.length;
  for (const client of [hr, member]) {
    for (const role of ['member', 'admin']) assertError(await client.post('/invitations', { json: { role } }), 403, 'role_required', ['role']);
    assertError(await client.get('/invitations'), 403, 'role_required', ['role']);
  }
  assertError(await inviteApp.client().post('/invitations', { json: {} }), 401, 'unauthorized');
  assert.equal((await admin.get('/invitations')).body.length, before);
});

test('GET /invitations lists newest first, without tokens; the database keeps only hashes', async () => {
  const first = await invite(admin, 'member');
  const second = await invite(admin, 'hr');
  const list = await admin.get('/invitations');
  assert.equal(list.status, 200);
  const ids = list.body.map((i) => i.id);
  assert.ok(ids.indexOf(second.id) < ids.indexOf(first.id), 'newest first');
  assert.deepEqual([...ids].sort((a, b) => b - a), ids, 'in id order, newest first');
  for (const token of [first.token, second.token]) assert.ok(!list.text.includes(token), 'no token in the list');
  const dump = await dumpDatabase(inviteApp.database);
  for (const token of [first.token, second.token]) assert.ok(!dump.includes(token), 'no token in the database');
});

test('twenty registrations racing for one invitation: exactly one wins', async () => {
  for (let round = 0; round < 3; round++) {
    const invitation = await invite(admin, 'hr');
    const names = Array.from({ length: 20 }, () => uniqueUsername('racer'));
    const replies = await Promise.all(
      names.map((name, i) =>
        inviteApp.client().post('/register', {
          json: { username: name, password: defaultPassword, invitation: invitation.token },
          headers: { 'x-forwarded-for': `198.51.100.${round * 20 + i + 1}` },
        }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, `one winner: ${statuses}`);
    for (const reply of replies.filter((r) => r.status !== 201)) assertError(reply, 403, 'invitation_required');
    const winner = names[statuses.indexOf(201)];
    const created = await inviteApp.database.rows(`SELECT username FROM users WHERE username IN (${names.map((n) => `'${n}'`).join(', ')})`);
    assert.deepEqual(created.map((r) => r.username), [winner], 'one account made');
    const listed = await admin.get(`/invitations/${invitation.id}`);
    assert.equal(listed.body.used_by.username, winner);
  }
});

test('open mode: a registration without invitation is a member; an invitation still grants its role; a bad token is still refused', async () => {
  const app = await startApp({ env: { REGISTRATION: 'open' } });
  try {
    const openAdmin = await firstAdmin(app);
    const plain = app.client();
    const username = uniqueUsername('open');
    const registered = await register(plain, username, defaultPassword);
    assert.equal(registered.status, 201, `${registered}`);
    assert.equal(registered.body.role, 'member');
    for (const role of ['hr', 'admin', 'member']) {
      const { token } = await invite(openAdmin, role);
      const reply = await register(app.client(), uniqueUsername(role), defaultPassword, token);
      assert.equal(reply.status, 201, `${reply}`);
      assert.equal(reply.body.role, role);
      assertError(await register(app.client(), uniqueUsername(role), defaultPassword, token), 403, 'invitation_required');
    }
    assertError(await register(app.client(), uniqueUsername('forger'), defaultPassword, 'not-a-real-invitation-token'), 403, 'invitation_required');
    // Open sign-up never makes anything but a member, whatever else the body says.
    const sneaky = await app.client().post('/register', { json: { username: uniqueUsername('sneaky'), password: defaultPassword, role: 'admin' } });
    if (sneaky.status === 201) assert.equal(sneaky.body.role, 'member');
    else assertError(sneaky, 400, 'validation_failed');
  } finally {
    assert.equal(await app.stop(), 0);
  }
});
