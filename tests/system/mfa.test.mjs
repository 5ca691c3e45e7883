// Two-factor sign-in (issue 19, item 7): TOTP (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step, each
// step once) enrolled with POST /me/mfa and confirmed with a code computed here; ten single-use
// recovery codes stored hashed; a right password without a code is 401 mfa_required and counts
// neither as a failure nor as a success, a wrong code counts as a failure; MFA_REQUIRED_ROLES
// makes an hr or admin account enrol before anything but /me… and /logout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Authenticator, base32Decode, dumpDatabase, enrolMfa, firstAdmin, hotp, login, totpAt, totpStep, userWithRole } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';
import { createHash } from 'node:crypto';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

const accountSubject = (username) => `account:${createHash('sha256').update(username.toLowerCase()).digest('hex')}`;

test('the test\'s TOTP follows RFC 6238 (appendix B vectors, SHA-1)', () => {
  const key = Buffer.from('12345678901234567890');
  assert.deepEqual(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), key);
  const vectors = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [time, code] of vectors) {
    assert.equal(hotp(key, totpStep(time), 8), code, `T=${time}`);
    assert.equal(totpAt('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', totpStep(time)), code.slice(2), `6 digits at T=${time}`);
  }
});

test('enrolment: a secret, an otpauth URI and a QR code; off until confirmed with a code; ten recovery codes', async () => {
  const client = app.client();
  const user = await client.signUp('enrol');
  assertError(await client.post('/me/mfa/confirm', { json: { code: '123456' } }), 409, 'mfa_not_started');

  const started = await client.post('/me/mfa');
  assert.equal(started.status, 201, `${started}`);
  assert.equal(started.headers.get('location'), '/me');
  const { secret, otpauth_uri: uri, qr_svg: svg } = started.body;
  assert.match(secret, /^[A-Z2-7]+=*$/);
  assert.ok(base32Decode(secret).length >= 20, 'a secret of at least 160 bits (RFC 4226)');
  const parsed = new URL(uri);
  assert.equal(parsed.protocol, 'otpauth:');
  assert.equal(parsed.host, 'totp');
  assert.equal(decodeURIComponent(parsed.pathname), `/hrapp:${user.username}`);
  assert.equal(parsed.searchParams.get('secret'), secret);
  assert.equal(parsed.searchParams.get('issuer'), 'hrapp');
  assert.equal(parsed.searchParams.get('algorithm'), 'SHA1');
  assert.equal(parsed.searchParams.get('digits'), '6');
  assert.equal(parsed.searchParams.get('period'), '30');
  assert.match(svg, /^(<\?xml[^>]*>\s*)?<svg[\s>]/);
  assert.match(svg, /<\/svg>\s*$/);

  // Pending is off: the password alone still signs in.
  assert.equal((await client.get('/me')).body.mfa_enabled, false);
  assert.equal((await login(app.client(), user.username, user.password)).status, 200);

  const authenticator = new Authenticator(secret);
  const wrong = String((Number(await authenticator.nextCode()) + 1) % 1000000).padStart(6, '0');
  assertError(await client.post('/me/mfa/confirm', { json: { code: wrong } }), 400, 'validation_failed', ['code']);
  assertError(await client.post('/me/mfa/confirm', { json: { code: 'abcdef' } }), 400, 'validation_failed', ['code']);
  const confirmed = await client.post('/me/mfa/confirm', { json: { code: await authenticator.nextCode() } });
  assert.equal(confirmed.status, 200, `${confirmed}`);
  const codes = confirmed.body.recovery_codes;
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const code of codes) assert.match(code, /^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}$/);
  const me = await client.get('/me');
  assert.equal(me.body.mfa_enabled, true);
  assert.equal(me.status, 200, 'the enrolling session goes on');
  assertError(await client.post('/me/mfa'), 409, 'mfa_already_enabled');

  const dump = await dumpDatabase(app.database);
  for (const code of codes) assert.ok(!dump.includes(code), 'recovery codes are stored hashed');
});

test('sign-in with a second factor: mfa_required without a code, a code once, a wrong or stale code refused', async () => {
  const client = app.client();
  const user = await client.signUp('twofactor');
  const { authenticator, secret } = await enrolMfa(client);

  const bare = await login(app.client(), user.username, user.password);
  assertError(bare, 401, 'mfa_required');
  assert.ok(!bare.setCookies.some((c) => c.startsWith('hrapp_session=') && !/max-age=0/i.test(c)), 'no session without the code');
  assertError(await login(app.client(), user.username, 'wrong password!', await authenticator.nextCode()), 401, 'unauthorized');

  const signedIn = app.client();
  const code = await authenticator.nextCode();
  const ok = await login(signedIn, user.username, user.password, code);
  assert.equal(ok.status, 200, `${ok}`);
  assert.equal((await signedIn.get('/me')).status, 200);
  assertError(await login(app.client(), user.username, user.password, code), 401, 'unauthorized');

  const now = totpStep();
  for (const step of [now - 5, now + 5]) assertError(await login(app.client(), user.username, user.password, totpAt(secret, step)), 401, 'unauthorized');
  // Four failures so far, within the account's free five: the next code signs in.
  const later = await login(app.client(), user.username, user.password, await authenticator.nextCode());
  assert.equal(later.status, 200, `${later}`);
});

test('recovery codes sign in once each', async () => {
  const client = app.client();
  const user = await client.signUp('recovery');
  const { recoveryCodes } = await enrolMfa(client);
  const [first, second] = recoveryCodes;
  const a = app.client();
  assert.equal((await login(a, user.username, user.password, first)).status, 200);
  assert.equal((await a.get('/me')).status, 200);
  assertError(await login(app.client(), user.username, user.password, first), 401, 'unauthorized');
  assert.equal((await login(app.client(), user.username, user.password, second)).status, 200);
  assertError(await login(app.client(), user.username, 'wrong password!', recoveryCodes[2]), 401, 'unauthorized');
  assert.equal((await login(app.client(), user.username, user.password, recoveryCodes[2])).status, 200, 'a code tried with a wrong password is not used up');
});

test('turning the second factor off takes the password', async () => {
  const client = app.client();
  const user = await client.signUp('disable');
  await enrolMfa(client);
  assertError(await client.post('/me/mfa/disable', { json: { password: 'wrong password!' } }), 400, 'validation_failed', ['password']);
  assertError(await login(app.client(), user.username, user.password), 401, 'mfa_required');
  const off = await client.post('/me/mfa/disable', { json: { password: user.password } });
  assert.equal(off.status, 200, `${off}`);
  assert.deepEqual(off.body, { status: 'mfa_disabled' });
  assert.equal((await client.get('/me')).body.mfa_enabled, false);
  assert.equal((await login(app.client(), user.username, user.password)).status, 200);
});

test('a right password without a code is neither a failure nor a success; a wrong code is a failure', async () => {
  const limited = await startApp({ env: { SIGNIN_ACCOUNT_FAILURES: '2', SIGNIN_ADDRESS_FAILURES: '3' } });
  try {
    const client = limited.client();
    const user = await client.signUp('counted');
    const { authenticator } = await enrolMfa(client);
    const statuses = [];
    for (let i = 0; i < 15; i++) statuses.push((await login(limited.client(), user.username, user.password)).status);
    assert.deepEqual(statuses, Array(15).fill(401), 'never throttled');
    assert.equal(Number(await limited.database.value('SELECT COUNT(*) FROM sign_in_failures WHERE failures > 0')), 0, 'nothing counted');
    assert.equal((await login(limited.client(), user.username, user.password, await authenticator.nextCode())).status, 200);

    // Failures stay counted across a code-less attempt (it is not a success that clears them).
    for (let i = 0; i < 2; i++) assertError(await login(limited.client(), user.username, 'wrong password!'), 401, 'unauthorized');
    const counted = Number(await limited.database.value(`SELECT failures FROM sign_in_failures WHERE subject = '${accountSubject(user.username)}'`));
    assert.equal(counted, 2);
    assertError(await login(limited.client(), user.username, user.password), 401, 'mfa_required');
    assert.equal(Number(await limited.database.value(`SELECT failures FROM sign_in_failures WHERE subject = '${accountSubject(user.username)}'`)), 2);

    // Wrong codes count, up to a 429.
    const answers = [];
    for (let i = 0; i < 10; i++) {
      const reply = await login(limited.client(), user.username, user.password, '000000');
      answers.push(reply.status);
      if (reply.status === 429) break;
    }
    assert.equal(answers.at(-1), 429, `wrong codes are throttled: ${answers}`);
    assert.ok(answers.slice(0, -1).every((s) => s === 401), `${answers}`);
    assert.ok(Number(await limited.database.value(`SELECT failures FROM sign_in_failures WHERE subject = '${accountSubject(user.username)}'`)) > 2);
  } finally {
    assert.equal(await limited.stop(), 0);
  }
});

test('MFA_REQUIRED_ROLES=admin,hr: such an account enrols before anything but /me… and /logout', async () => {
  const strict = await startApp({ env: { MFA_REQUIRED_ROLES: 'admin,hr' } });
  try {
    const admin = await firstAdmin(strict);
    const adminMe = await admin.get('/me');
    assert.equal(adminMe.status, 200);
    assert.equal(adminMe.body.mfa_enrolment_required, true);
    assertError(await admin.get('/users'), 403, 'mfa_enrolment_required');
    assertError(await admin.get('/employees'), 403, 'mfa_enrolment_required');
    await enrolMfa(admin);
    assert.equal((await admin.get('/me')).body.mfa_enrolment_required, false);
    assert.equal((await admin.get('/users')).status, 200);

    const profile = await admin.createEmployee({ name: 'Someone', role: 'R', department: 'D' });
    assert.equal(profile.status, 201);
    const hr = await userWithRole(strict, admin, 'hr');
    const me = await hr.get('/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.mfa_enrolment_required, true);
    assert.equal(me.body.mfa_enabled, false);
    const blocked = [
      ['GET', '/employees'],
      ['GET', `/employees/${profile.body.id}`],
      ['PATCH', `/employees/${profile.body.id}`],
      ['DELETE', `/employees/${profile.body.id}`],
      ['GET', '/departments'],
      ['POST', '/employees'],
      ['GET', '/users'],
    ];
    for (const [method, path] of blocked) {
      const reply =
        method === 'POST' ? await hr.createEmployee({ name: 'N', role: 'R', department: 'D' })
        : method === 'PATCH' ? await hr.request(method, path, { json: { role: 'Changed' } })
        : await hr.request(method, path);
      assertError(reply, 403, 'mfa_enrolment_required');
    }
    // /me… and /logout answer.
    const started = await hr.post('/me/mfa');
    assert.equal(started.status, 201, `${started}`);
    const changed = await hr.post('/me/password', { json: { current_password: hr.user.password, new_password: 'hr changes the passphrase' } });
    assert.equal(changed.status, 200, `${changed}`);
    assert.equal((await hr.post('/logout')).status, 200);
    assert.equal((await hr.login(hr.user.username, 'hr changes the passphrase')).status, 200, 'signs in without a second factor to enrol');
    assertError(await hr.get('/employees'), 403, 'mfa_enrolment_required');
    await enrolMfa(hr);
    assert.equal((await hr.get('/employees')).status, 200);
    assertError(await hr.post('/me/mfa/disable', { json: { password: 'hr changes the passphrase' } }), 403, 'mfa_required_by_role');
    assertError(await admin.post('/me/mfa/disable', { json: { password: admin.user.password } }), 403, 'mfa_required_by_role');

    // A member is not asked; promoted to hr, it is at once.
    const member = strict.client();
    await member.signUp('member');
    assert.equal((await member.get('/employees')).status, 200);
    assert.equal((await member.get('/me')).body.mfa_enrolment_required, false);
    assert.equal((await admin.request('PATCH', `/users/${member.user.id}`, { json: { role: 'hr' } })).status, 200);
    assertError(await member.get('/employees'), 403, 'mfa_enrolment_required');
    assert.equal((await member.get('/me')).body.mfa_enrolment_required, true);
    // Before anything is looked up: an id that names no profile is refused the same way.
    assertError(await member.get('/employees/99999999'), 403, 'mfa_enrolment_required');
  } finally {
    assert.equal(await strict.stop(), 0);
  }
});
