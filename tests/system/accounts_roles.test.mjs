// Roles (issue 19, item 1): member, hr and admin, asked of one policy. A member changes and
// deletes only the profiles it created, hr any profile, admin also the accounts, invitations and
// audit routes. A wrong role is 403 role_required naming the role; an admin route is never
// reached by a member through another spelling of its path or another method.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { firstAdmin, rawExchange, userWithRole } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';

let app;
let admin;
let hr;
let member;
let otherMember;
before(async () => {
  app = await startApp();
  admin = await firstAdmin(app);
  hr = await userWithRole(app, admin, 'hr');
  member = app.client();
  await member.signUp('member');
  otherMember = app.client();
  await otherMember.signUp('other');
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

async function createProfile(client, name = 'Grace Hopper') {
  const reply = await client.createEmployee({ name, role: 'Engineer', department: 'IT' });
  assert.equal(reply.status, 201, `create: ${reply}`);
  return reply.body;
}

test('GET /me names the role; an open sign-up is a member', async () => {
  for (const [client, role] of [[admin, 'admin'], [hr, 'hr'], [member, 'member']]) {
    const me = await client.get('/me');
    assert.equal(me.status, 200, `${me}`);
    assert.equal(me.body.role, role);
    assert.equal(me.body.username, client.user.username);
    assert.equal(me.body.mfa_enabled, false);
    assert.equal(me.body.mfa_enrolment_required, false);
  }
});

test('a member changes and deletes its own profiles, not another\'s: 403 role_required', async () => {
  const mine = await createProfile(member, 'Own Profile');
  const patched = await member.request('PATCH', `/employees/${mine.id}`, { json: { role: 'Lead' } });
  assert.equal(patched.status, 200, `${patched}`);

  const theirs = await createProfile(otherMember, 'Their Profile');
  assert.equal((await member.get(`/employees/${theirs.id}`)).status, 200, 'a member reads every profile');
  const patch = await member.request('PATCH', `/employees/${theirs.id}`, { json: { role: 'Intruder' } });
  assertError(patch, 403, 'role_required', ['role']);
  assert.match(patch.body.message, /hr|admin/);
  const put = await member.request('PUT', `/employees/${theirs.id}`, { form: { name: 'X', role: 'Y', department: 'Z' } });
  assertError(put, 403, 'role_required', ['role']);
  assertError(await member.request('DELETE', `/employees/${theirs.id}`), 403, 'role_required', ['role']);
  const stored = await member.get(`/employees/${theirs.id}`);
  assert.equal(stored.body.role, 'Engineer', 'the refused changes changed nothing');
  assert.equal(stored.body.name, 'Their Profile');

  assert.equal((await member.request('DELETE', `/employees/${mine.id}`)).status, 204);
});

test('hr and admin change and delete any profile', async () => {
  for (const client of [hr, admin]) {
    const theirs = await createProfile(otherMember, `Changed by ${client.user.role}`);
    const patched = await client.request('PATCH', `/employees/${theirs.id}`, { json: { department: 'People' } });
    assert.equal(patched.status, 200, `${patched}`);
    assert.equal(patched.body.department, 'People');
    assert.equal(patched.body.user_id, otherMember.user.id, 'the creator stays the creator');
    const put = await client.request('PUT', `/employees/${theirs.id}`, { form: { name: 'Renamed', role: 'Lead', department: 'People' } });
    assert.equal(put.status, 200, `${put}`);
    assert.equal((await client.request('DELETE', `/employees/${theirs.id}`)).status, 204);
    assert.equal((await otherMember.get(`/employees/${theirs.id}`)).status, 404);
  }
});

const adminRoutes = [
  ['GET', '/users'],
  ['GET', '/users/1'],
  ['PATCH', '/users/1', { role: 'admin' }],
  ['POST', '/users/1/sessions/revoke'],
  ['DELETE', '/users/1/mfa'],
  ['POST', '/users/1/password-reset'],
  ['GET', '/invitations'],
  ['POST', '/invitations', { role: 'admin' }],
  ['GET', '/invitations/1'],
  ['DELETE', '/invitations/1'],
  ['GET', '/audit'],
];

test('member and hr get 403 role_required naming admin on every admin route; no session gets 401', async () => {
  for (const client of [member, hr]) {
    for (const [method, path, json] of adminRoutes) {
      const reply = await client.request(method, path, { json });
      const body = assertError(reply, 403, 'role_required', ['role']);
      assert.match(body.message, /admin/, `${method} ${path}: ${reply}`);
      assert.match(body.fields[0].message, /admin/);
    }
  }
  const nobody = app.client();
  for (const [method, path, json] of adminRoutes) assertError(await nobody.request(method, path, { json }), 401, 'unauthorized');
  // Nothing the member tried happened.
  const me = await member.get('/me');
  assert.equal(me.body.role, 'member');
  const invitations = await admin.get('/invitations');
  assert.equal(invitations.status, 200);
  assert.ok(invitations.body.every((i) => i.created_by === null || i.created_by.id === admin.user.id), 'only the admin invited');
});

test('no spelling of an admin path and no method reaches it for a member: never 2xx, 3xx or 5xx', async () => {
  const adminId = admin.user.id;
  const spellings = [
    '/users', '/users/', '//users', '/users//', '/Users', '/USERS', '/%75sers', '/%55sers', '/users%2F', '/users?limit=1',
    '/users;x', '/users.json', '/users/.', '/./users', '/x/../users', '/users/%2e', '/%2e/users',
    `/users/${adminId}`, `/users/${adminId}/`, `//users/${adminId}`, `/users/%3${adminId % 10}`, `/users/${adminId}%2F`, `/Users/${adminId}`,
    `/users/${adminId}/mfa`, `/users/${adminId}/mfa/`, `/users/${adminId}//mfa`, `/users/${adminId}/MFA`,
    `/users/${adminId}/sessions/revoke`, `/users/${adminId}/sessions/revoke/`, `/users/${adminId}/sessions%2Frevoke`,
    `/users/${adminId}/password-reset`, `/users/${adminId}/password-reset/`, `/users/${adminId}/Password-Reset`,
    '/invitations', '/invitations/', '//invitations', '/Invitations', '/%69nvitations', '/invitations/1', '/invitations/1/',
    '/audit', '/audit/', '//audit', '/Audit', '/AUDIT', '/%61udit', '/%61%75%64%69%74', '/audit?limit=1', '/audit/?limit=1',
    '/audit%00', '/audit%20', '/audit/..', '/audit/../audit', '/employees/../audit', '/employees/..%2Faudit', '/static/../audit',
    'http://127.0.0.1/audit', 'http://127.0.0.1/users',
  ];
  const methods = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'PROPFIND', 'get'];
  const cookie = { cookie: `hrapp_session=${member.token}` };
  const answers = new Map();
  for (const target of spellings) {
    for (const method of methods) {
      const json = ['POST', 'PUT', 'PATCH'].includes(method) ? '{"role":"admin","disabled":false}' : '';
      const headers = json ? { ...cookie, 'content-type': 'application/json' } : cookie;
      const reply = await rawExchange(app.port, method, target, headers, json);
      answers.set(`${method} ${target}`, reply.status);
      // 400 refuses a malformed target and 501 a method HTTP does not define, before any route.
      const allowed = [401, 403, 404, 405];
      if (/%00|%20|%2f|\.\.|%2e|^http/i.test(target)) allowed.push(400);
      if (!['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) allowed.push(400, 501);
      assert.ok(allowed.includes(reply.status), `${method} ${target} as a member → ${reply}`);
      if (reply.status === 403 && method !== 'HEAD') assert.equal(reply.json?.error, 'role_required', `${method} ${target}: ${reply}`);
    }
  }
  // The routes' own spellings and methods are answered with the role that is missing.
  for (const key of ['GET /users', `GET /users/${adminId}`, `PATCH /users/${adminId}`, `DELETE /users/${adminId}/mfa`,
    `POST /users/${adminId}/sessions/revoke`, `POST /users/${adminId}/password-reset`, 'GET /invitations', 'POST /invitations',
    'GET /invitations/1', 'DELETE /invitations/1', 'GET /audit', 'HEAD /audit', 'HEAD /users']) {
    assert.equal(answers.get(key), 403, key);
  }
  // The member is still a member, the admin still an admin, and nobody was invited.
  assert.equal((await member.get('/me')).body.role, 'member');
  const adminView = await admin.get(`/users/${adminId}`);
  assert.equal(adminView.body.role, 'admin');
  assert.equal(adminView.body.disabled, false);
  assert.equal(adminView.body.mfa_enabled, false);
  assert.equal((await admin.get('/me')).status, 200, 'the admin\'s sessions were not revoked');
  const log = await admin.get(`/audit?actor=${member.user.id}`);
  assert.equal(log.status, 200);
  const own = (row) => row.action.startsWith('employee.') || (row.action === 'user.create' && row.target === `user:${member.user.id}`);
  assert.ok(log.body.every(own), `the member changed nothing but its profiles: ${JSON.stringify(log.body)}`);
});

test('a wrong role is never a 500 and never hides behind a 404: unknown ids answer 403 to a member too', async () => {
  for (const path of ['/users/999999', '/invitations/999999']) {
    assertError(await member.get(path), 403, 'role_required', ['role']);
    assertError(await admin.get(path), 404, 'not_found');
  }
});
