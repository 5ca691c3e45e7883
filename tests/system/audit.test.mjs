// The audit trail (issue 19, item 5): every change to a profile, account, role, invitation,
// password or second factor writes {at, actor, action, target, changes} in the same transaction
// as the change, without secrets; GET /audit pages newest first and filters by actor and target.
// A change whose audit row cannot be written is not applied (a trigger on audit_log injects the
// failure), and a refused change leaves no row.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { enrolMfa, firstAdmin, invite, login, register, userWithRole } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';
import { engine } from './lib/database.mjs';
import { uniqueUsername } from './lib/http.mjs';
import { linksOf } from './lib/listing.mjs';

let app;
let admin;
before(async () => {
  app = await startApp();
  admin = await firstAdmin(app);
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Every audit row (newest first), following the Link pages. */
async function allRows(query = '') {
  const rows = [];
  let next = `/audit?limit=200${query}`;
  while (next) {
    const reply = await admin.get(next);
    assert.equal(reply.status, 200, `${reply}`);
    rows.push(...reply.body);
    next = linksOf(reply).next;
  }
  return rows;
}

async function newestId() {
  const reply = await admin.get('/audit?limit=1');
  return reply.body[0]?.id ?? 0;
}

/** The rows written since the audit row `afterId`, oldest first. */
async function rowsSince(afterId) {
  return (await allRows()).filter((r) => r.id > afterId).reverse();
}

function checkShape(row) {
  assert.deepEqual(Object.keys(row).sort(), ['action', 'actor', 'at', 'changes', 'id', 'target']);
  assert.equal(typeof row.id, 'number');
  assert.match(row.at, iso);
  assert.ok(row.actor === null || (typeof row.actor.id === 'number' && typeof row.actor.username === 'string'), JSON.stringify(row));
  assert.match(row.target, /^(employee|user|invitation):\d+$/);
  assert.equal(typeof row.changes, 'object');
  assert.notEqual(row.changes, null);
}

/** The one row of `action` on `target` among `rows`. */
function rowOf(rows, action, target) {
  const found = rows.filter((r) => r.action === action && r.target === target);
  assert.equal(found.length, 1, `one ${action} of ${target} in ${JSON.stringify(rows, null, 1)}`);
  checkShape(found[0]);
  return found[0];
}

test('every change writes one row with actor, action, target and changes, and no secret anywhere', async () => {
  const start = await newestId();
  const secrets = [];
  const member = app.client();
  await member.signUp('audited');
  secrets.push(member.user.password, member.token);

  // Profiles.
  const created = await member.createEmployee({ name: 'Audre Lorde', role: 'Writer', department: 'Arts' });
  const employeeTarget = `employee:${created.body.id}`;
  assert.equal((await member.request('PATCH', `/employees/${created.body.id}`, { json: { role: 'Poet' } })).status, 200);
  assert.equal((await admin.request('DELETE', `/employees/${created.body.id}`)).status, 204);

  // Invitations, roles, accounts.
  const invitation = await invite(admin, 'hr');
  secrets.push(invitation.token);
  const revokedInvitation = await invite(admin, 'member');
  secrets.push(revokedInvitation.token);
  assert.equal((await admin.request('DELETE', `/invitations/${revokedInvitation.id}`)).status, 204);
  const hrName = uniqueUsername('hraudit');
  const hrPassword = 'hr passphrase kept secret';
  secrets.push(hrPassword);
  const hrRegistered = await register(app.client(), hrName, hrPassword, invitation.token);
  assert.equal(hrRegistered.status, 201);
  const userTarget = `user:${member.user.id}`;
  assert.equal((await admin.request('PATCH', `/users/${member.user.id}`, { json: { role: 'hr' } })).status, 200);
  assert.equal((await admin.request('PATCH', `/users/${member.user.id}`, { json: { disabled: true } })).status, 200);
  assert.equal((await admin.request('PATCH', `/users/${member.user.id}`, { json: { disabled: false } })).status, 200);
  assert.equal((await admin.post(`/users/${member.user.id}/sessions/revoke`)).status, 200);

  // Passwords and second factors.
  const self = app.client();
  assert.equal((await login(self, member.user.username, member.user.password)).status, 200);
  secrets.push(self.token);
  const changedPassword = 'a changed passphrase here';
  secrets.push(changedPassword);
  assert.equal((await self.post('/me/password', { json: { current_password: member.user.password, new_password: changedPassword } })).status, 200);
  const link = (await admin.post(`/users/${member.user.id}/password-reset`)).body;
  secrets.push(link.token);
  const resetPassword = 'a reset passphrase here';
  secrets.push(resetPassword);
  assert.equal((await app.client().post('/password-reset', { json: { token: link.token, new_password: resetPassword } })).status, 200);
  const again = app.client();
  assert.equal((await login(again, member.user.username, resetPassword)).status, 200);
  const mfa = await enrolMfa(again);
  secrets.push(mfa.secret, ...mfa.recoveryCodes);
  assert.equal((await again.post('/me/mfa/disable', { json: { password: resetPassword } })).status, 200);
  const mfa2 = await enrolMfa(again);
  secrets.push(mfa2.secret, ...mfa2.recoveryCodes);
  assert.equal((await admin.request('DELETE', `/users/${member.user.id}/mfa`)).status, 200);

  const rows = await rowsSince(start);
  for (const row of rows) checkShape(row);
  const adminActor = { id: admin.user.id, username: admin.user.username };
  const memberActor = { id: member.user.id, username: member.user.username };

  const create = rowOf(rows, 'employee.create', employeeTarget);
  assert.deepEqual(create.actor, memberActor);
  assert.deepEqual(create.changes.name, { to: 'Audre Lorde' });
  assert.deepEqual(create.changes.role, { to: 'Writer' });
  assert.deepEqual(create.changes.department, { to: 'Arts' });
  const update = rowOf(rows, 'employee.update', employeeTarget);
  assert.deepEqual(update.actor, memberActor);
  assert.deepEqual(update.changes.role, { from: 'Writer', to: 'Poet' });
  assert.equal(update.changes.name, undefined, 'only what changed');
  assert.equal(update.changes.department, undefined, 'only what changed');
  const deleted = rowOf(rows, 'employee.delete', employeeTarget);
  assert.deepEqual(deleted.actor, adminActor);
  assert.deepEqual(deleted.changes.name, { from: 'Audre Lorde' });
  assert.deepEqual(deleted.changes.role, { from: 'Poet' });

  const invited = rowOf(rows, 'invitation.create', `invitation:${invitation.id}`);
  assert.deepEqual(invited.actor, adminActor);
  assert.deepEqual(invited.changes.role, { to: 'hr' });
  assert.deepEqual(rowOf(rows, 'invitation.revoke', `invitation:${revokedInvitation.id}`).actor, adminActor);
  rowOf(rows, 'user.create', `user:${hrRegistered.body.id}`);
  rowOf(rows, 'user.create', userTarget);

  const userUpdates = rows.filter((r) => r.action === 'user.update' && r.target === userTarget);
  assert.equal(userUpdates.length, 3, JSON.stringify(userUpdates));
  assert.deepEqual(userUpdates[0].changes.role, { from: 'member', to: 'hr' });
  assert.deepEqual(userUpdates[1].changes.disabled, { from: false, to: true });
  assert.deepEqual(userUpdates[2].changes.disabled, { from: true, to: false });
  assert.equal(userUpdates[1].changes.role, undefined, 'only what changed');
  for (const row of userUpdates) assert.deepEqual(row.actor, adminActor);
  assert.deepEqual(rowOf(rows, 'user.sessions_revoke', userTarget).actor, adminActor);
  assert.deepEqual(rowOf(rows, 'user.password_change', userTarget).actor, memberActor);
  assert.deepEqual(rowOf(rows, 'user.password_reset_link', userTarget).actor, adminActor);
  rowOf(rows, 'user.password_reset', userTarget);
  const enabled = rows.filter((r) => r.action === 'user.mfa_enable' && r.target === userTarget);
  assert.equal(enabled.length, 2);
  assert.deepEqual(rowOf(rows, 'user.mfa_disable', userTarget).actor, memberActor);
  assert.deepEqual(rowOf(rows, 'user.mfa_reset', userTarget).actor, adminActor);

  // No password, token, secret, recovery code or hash in the rows, in the API or the table.
  const text = JSON.stringify(rows);
  const table = JSON.stringify(await app.database.rows('SELECT * FROM audit_log'));
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `a secret in GET /audit: ${secret}`);
    assert.ok(!table.includes(secret), `a secret in audit_log: ${secret}`);
  }
  assert.ok(!/\$2[aby]\$/.test(text), 'no bcrypt hash in the audit');
  for (const row of rows) {
    for (const field of Object.keys(row.changes)) assert.ok(!/password|hash|token|secret|recovery/i.test(field), `a secret field in changes: ${field}`);
  }
});

test('GET /audit pages newest first with Link rel=next, and filters by actor and by target', async () => {
  const member = app.client();
  await member.signUp('pager');
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const created = await member.createEmployee({ name: `Page ${i}`, role: 'R', department: 'D' });
    ids.push(created.body.id);
  }
  const first = await admin.get('/audit?limit=2');
  assert.equal(first.status, 200);
  assert.equal(first.body.length, 2);
  assert.ok(first.body[0].id > first.body[1].id, 'newest first');
  assert.equal(first.body[0].target, `employee:${ids[4]}`);
  const link = first.headers.get('link');
  const { next } = linksOf(first);
  assert.ok(next, `a next page: ${link}`);
  const nextUrl = new URL(next, 'http://x');
  assert.equal(nextUrl.pathname, '/audit');
  assert.equal(nextUrl.searchParams.get('before'), String(first.body[1].id));
  assert.equal(nextUrl.searchParams.get('limit'), '2');
  const second = await admin.get(next);
  assert.equal(second.body.length, 2);
  assert.ok(second.body[0].id < first.body[1].id);

  const every = await allRows();
  const ordered = every.map((r) => r.id);
  assert.deepEqual(ordered, [...ordered].sort((x, y) => y - x), 'the pages join newest first');
  assert.equal(new Set(ordered).size, ordered.length, 'no row twice');
  const paged = [];
  for (let url = '/audit?limit=3'; url; ) {
    const reply = await admin.get(url);
    paged.push(...reply.body.map((r) => r.id));
    url = linksOf(reply).next;
  }
  assert.deepEqual(paged, ordered, 'small pages cover every row once');
  const last = await admin.get(`/audit?limit=200&before=${ordered.at(-1)}`);
  assert.deepEqual(last.body, []);
  assert.equal(last.headers.get('link'), null, 'no next page after the last');
  assert.equal((await admin.get('/audit')).body.length, Math.min(50, every.length), '50 rows by default');

  const byActor = await allRows(`&actor=${member.user.id}`);
  assert.ok(byActor.length >= 5);
  assert.ok(byActor.every((r) => r.actor?.id === member.user.id), 'only that actor');
  const byTarget = await allRows(`&target=employee:${ids[2]}`);
  assert.deepEqual(byTarget.map((r) => [r.action, r.target]), [['employee.create', `employee:${ids[2]}`]]);
  const both = await allRows(`&actor=${admin.user.id}&target=employee:${ids[2]}`);
  assert.deepEqual(both, []);

  for (const query of ['limit=0', 'limit=201', 'limit=x', 'before=x', 'actor=x']) assertError(await admin.get(`/audit?${query}`), 400, 'bad_request');
  // Text the database would refuse is the client's 400, on both engines.
  for (const query of ['target=a%00b', 'target=%C3%28', `target=${'x'.repeat(65)}`]) assertError(await admin.get(`/audit?${query}`), 400, 'bad_request', ['target']);
  assertError(await member.get('/audit'), 403, 'role_required', ['role']);
});

test('a refused change writes no row', async () => {
  const owner = app.client();
  await owner.signUp('owner');
  const other = app.client();
  await other.signUp('other');
  const created = await owner.createEmployee({ name: 'Untouched', role: 'R', department: 'D' });
  const start = await newestId();
  assertError(await other.request('PATCH', `/employees/${created.body.id}`, { json: { role: 'X' } }), 403, 'role_required');
  assertError(await owner.request('PATCH', `/employees/${created.body.id}`, { json: { name: '' } }), 400, 'validation_failed');
  assertError(await other.request('DELETE', `/employees/${created.body.id}`), 403, 'role_required');
  assertError(await admin.request('PATCH', `/users/${admin.user.id}`, { json: { role: 'member' } }), 409, 'last_admin');
  assertError(await admin.request('PATCH', `/users/${owner.user.id}`, { json: { role: 'boss' } }), 400, 'validation_failed');
  assertError(await other.post('/me/password', { json: { current_password: 'not my password', new_password: 'whatever long enough' } }), 400, 'validation_failed');
  assertError(await register(app.client(), owner.user.username, 'another passphrase'), 400, 'username_taken');
  assert.deepEqual(await rowsSince(start), []);
});

/** Makes inserting an audit row whose `condition` (SQL on NEW) holds fail. */
async function failAuditWhen(condition) {
  if (engine === 'postgres') {
    await app.database.execute(`
      CREATE OR REPLACE FUNCTION injected_audit_failure() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected'; END $$;
      DROP TRIGGER IF EXISTS injected_audit_failure ON audit_log;
      CREATE TRIGGER injected_audit_failure BEFORE INSERT ON audit_log FOR EACH ROW
        WHEN (${condition}) EXECUTE FUNCTION injected_audit_failure();`);
  } else {
    await app.database.execute(`DROP TRIGGER IF EXISTS injected_audit_failure;
      CREATE TRIGGER injected_audit_failure BEFORE INSERT ON audit_log WHEN ${condition}
      BEGIN SELECT RAISE(ABORT, 'injected'); END;`);
  }
}

async function auditWorksAgain() {
  await app.database.execute(engine === 'postgres' ? 'DROP TRIGGER IF EXISTS injected_audit_failure ON audit_log' : 'DROP TRIGGER IF EXISTS injected_audit_failure');
}

function assertFailed(reply, what) {
  assert.ok(reply.status >= 500, `${what} fails when its audit row cannot be written: ${reply}`);
}

test('a change whose audit row cannot be written is not applied: profiles', async () => {
  const member = app.client();
  await member.signUp('atomic');
  const created = await member.createEmployee({ name: 'Atomic Profile', role: 'Before', department: 'D' });
  const id = created.body.id;
  const start = await newestId();
  try {
    await failAuditWhen(`NEW.target = 'employee:${id}'`);
    assertFailed(await member.request('PATCH', `/employees/${id}`, { json: { role: 'After' } }), 'an update');
    assertFailed(await member.request('PUT', `/employees/${id}`, { form: { name: 'Renamed', role: 'After', department: 'D' } }), 'a replacement');
    assertFailed(await admin.request('DELETE', `/employees/${id}`), 'a delete');
    const stored = await member.get(`/employees/${id}`);
    assert.equal(stored.status, 200, 'not deleted');
    assert.equal(stored.body.role, 'Before', 'not updated');
    assert.equal(stored.body.name, 'Atomic Profile');

    await failAuditWhen(`NEW.action = 'employee.create'`);
    assertFailed(await member.createEmployee({ name: 'Never Stored', role: 'R', department: 'D' }), 'a create');
    assert.equal(Number(await app.database.value(`SELECT COUNT(*) FROM employees WHERE name = 'Never Stored'`)), 0);
    assert.deepEqual(await rowsSince(start), []);
  } finally {
    await auditWorksAgain();
  }
  assert.equal((await member.request('PATCH', `/employees/${id}`, { json: { role: 'After' } })).status, 200, 'works again without the failure');
  assert.deepEqual((await rowsSince(start)).map((r) => r.action), ['employee.update']);
});

test('a change whose audit row cannot be written is not applied: accounts, invitations, passwords', async () => {
  const member = app.client();
  await member.signUp('atomicuser');
  const target = `user:${member.user.id}`;
  const start = await newestId();
  try {
    await failAuditWhen(`NEW.target = '${target}'`);
    assertFailed(await admin.request('PATCH', `/users/${member.user.id}`, { json: { role: 'hr' } }), 'a role change');
    assertFailed(await admin.request('PATCH', `/users/${member.user.id}`, { json: { disabled: true } }), 'disabling');
    assertFailed(await admin.post(`/users/${member.user.id}/sessions/revoke`), 'revoking sessions');
    assertFailed(await member.post('/me/password', { json: { current_password: member.user.password, new_password: 'never becomes mine' } }), 'a password change');
    assertFailed(await member.post('/me/sessions/revoke'), 'signing out everywhere');
    const me = await member.get('/me');
    assert.equal(me.status, 200, 'still signed in: no session was ended');
    assert.equal(me.body.role, 'member', 'the role did not change');
    assert.equal((await admin.get(`/users/${member.user.id}`)).body.disabled, false);
    assert.equal((await login(app.client(), member.user.username, member.user.password)).status, 200, 'the password did not change');

    await failAuditWhen(`NEW.action = 'invitation.create'`);
    const before = (await admin.get('/invitations')).body.length;
    assertFailed(await admin.post('/invitations', { json: { role: 'admin' } }), 'an invitation');
    assert.equal((await admin.get('/invitations')).body.length, before, 'no invitation was made');

    await failAuditWhen(`NEW.action = 'user.create'`);
    const name = uniqueUsername('ghost');
    assertFailed(await register(app.client(), name, 'a fine passphrase'), 'a registration');
    assert.equal(Number(await app.database.value(`SELECT COUNT(*) FROM users WHERE username = '${name}'`)), 0);
    assert.deepEqual(await rowsSince(start), []);
  } finally {
    await auditWorksAgain();
  }
  assert.equal((await admin.request('PATCH', `/users/${member.user.id}`, { json: { role: 'hr' } })).status, 200);
  assert.equal((await userWithRole(app, admin, 'member')).user.role, 'member');
});
