// The profile's contact fields, manager and start date (DESIGN.md, "the directory's people"), on
// both engines: the rules of each field, managers without cycles, the direct reports, who may
// set what, and the audit trail of each change.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { firstAdmin, userWithRole } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';

let app;
let admin;
let hr;
let member;

before(async () => {
  app = await startApp();
  admin = await firstAdmin(app);
  hr = await userWithRole(app, admin, 'hr');
  member = await userWithRole(app, admin, 'member');
});

after(async () => {
  assert.equal(await app.stop(), 0);
});

const unique = () => Math.random().toString(36).slice(2, 10);

async function profile(client, fields = {}) {
  const reply = await client.createEmployee({ name: `P ${unique()}`, role: 'R', department: 'D', ...fields });
  assert.equal(reply.status, 201, String(reply));
  return reply.body;
}

describe('fields', () => {
  test('a profile keeps every field it is given, and null for those it is not', async () => {
    const boss = await profile(hr);
    const email = `ada.${unique()}@example.com`;
    const made = await profile(hr, { email, phone: '+1 555 0100 ext. 7', location: 'Zürich', manager_id: String(boss.id), start_date: '2024-02-29' });
    const read = (await hr.get(`/employees/${made.id}`)).body;
    assert.deepEqual(
      [read.email, read.phone, read.location, read.manager_id, read.start_date, read.account_id],
      [email, '+1 555 0100 ext. 7', 'Zürich', boss.id, '2024-02-29', null]);
    const plain = await profile(member);
    assert.deepEqual([plain.email, plain.phone, plain.location, plain.manager_id, plain.start_date, plain.account_id],
      [null, null, null, null, null, null]);
  });

  test('each field is checked, and the error names it', async () => {
    for (const [field, value] of [['email', 'ada@'], ['phone', 'call me'], ['start_date', '2023-02-29'], ['manager_id', 'x'], ['location', 'a\u0001b']]) {
      assertError(await hr.createEmployee({ name: 'N', role: 'R', department: 'D', [field]: value }), 400, 'validation_failed', [field]);
    }
    const made = await profile(hr);
    assertError(await hr.request('PATCH', `/employees/${made.id}`, { json: { email: 42.5 } }), 400, 'validation_failed', ['email']);
  });

  test('an email belongs to one profile, in any case; an empty value clears a field', async () => {
    const email = `grace.${unique()}@example.com`;
    const first = await profile(hr, { email });
    assertError(await hr.createEmployee({ name: 'N', role: 'R', department: 'D', email: email.toUpperCase() }), 400, 'validation_failed', ['email']);
    const cleared = await hr.request('PATCH', `/employees/${first.id}`, { json: { email: null, phone: '555 0100' } });
    assert.equal(cleared.status, 200, String(cleared));
    assert.deepEqual([cleared.body.email, cleared.body.phone], [null, '555 0100']);
    assert.equal((await hr.createEmployee({ name: 'N', role: 'R', department: 'D', email })).status, 201);
  });
});

describe('managers', () => {
  test('a manager must exist, and be neither the profile itself nor one of its reports', async () => {
    const top = await profile(hr);
    const middle = await profile(hr, { manager_id: String(top.id) });
    const bottom = await profile(hr, { manager_id: String(middle.id) });
    assertError(await hr.createEmployee({ name: 'N', role: 'R', department: 'D', manager_id: '99999999' }), 400, 'validation_failed', ['manager_id']);
    assertError(await hr.request('PATCH', `/employees/${top.id}`, { json: { manager_id: top.id } }), 400, 'validation_failed', ['manager_id']);
    assertError(await hr.request('PATCH', `/employees/${top.id}`, { json: { manager_id: bottom.id } }), 400, 'validation_failed', ['manager_id']);
    assert.equal((await hr.get(`/employees/${top.id}`)).body.manager_id, null, 'a refused change changes nothing');
  });

  test('GET /employees?manager_id= lists the direct reports; a deleted manager leaves them without one', async () => {
    const boss = await profile(hr);
    const reports = [await profile(hr, { manager_id: String(boss.id) }), await profile(hr, { manager_id: String(boss.id) })];
    await profile(hr, { manager_id: String(reports[0].id) });  // a report's report is not a direct report
    const listed = await hr.get(`/employees?manager_id=${boss.id}`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.map((e) => e.id).sort(), reports.map((e) => e.id).sort());
    assert.equal(listed.headers.get('x-total-count'), '2');
    assertError(await hr.get('/employees?manager_id=abc'), 400, 'bad_request', ['manager_id']);
    assert.equal((await hr.request('DELETE', `/employees/${boss.id}`)).status, 204);
    for (const report of reports) assert.equal((await hr.get(`/employees/${report.id}`)).body.manager_id, null);
  });
});

describe('who may set what', () => {
  test('only hr and admin link a profile to an account; that account keeps its contact fields and photo', async () => {
    assertError(await member.createEmployee({ name: 'N', role: 'R', department: 'D', account_id: String(member.user.id) }), 403, 'role_required', ['role']);
    const mine = await profile(hr, { account_id: String(member.user.id) });
    assert.equal(mine.account_id, member.user.id);
    const contact = await member.request('PATCH', `/employees/${mine.id}`, { json: { email: `me.${unique()}@example.com`, phone: '555 0199', location: 'Home' } });
    assert.equal(contact.status, 200, String(contact));
    assertError(await member.request('PATCH', `/employees/${mine.id}`, { json: { role: 'CEO' } }), 403, 'role_required', ['role']);
    assertError(await member.request('PATCH', `/employees/${mine.id}`, { json: { account_id: null } }), 403, 'role_required', ['role']);
    assertError(await member.request('DELETE', `/employees/${mine.id}`), 403, 'role_required', ['role']);
    assertError(await hr.createEmployee({ name: 'N', role: 'R', department: 'D', account_id: '99999999' }), 400, 'validation_failed', ['account_id']);
  });

  test('every change of a field is in the audit trail', async () => {
    const made = await profile(hr, { location: 'Lyon' });
    await hr.request('PATCH', `/employees/${made.id}`, { json: { location: 'Paris', start_date: '2025-01-06' } });
    const trail = await admin.get(`/audit?target=employee:${made.id}`);
    assert.equal(trail.status, 200);
    assert.deepEqual(trail.body[0].changes, { location: { from: 'Lyon', to: 'Paris' }, start_date: { from: null, to: '2025-01-06' } });
    assert.equal(trail.body[1].changes.location.to, 'Lyon');
  });
});
