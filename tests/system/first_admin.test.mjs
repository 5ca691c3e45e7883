// The first admin (issue 19, item 3): while no enabled admin exists every start logs a setup
// link whose token (in the URL's fragment, stored only as a hash) registers an admin once;
// every setup token dies when an admin exists, and no link is logged after. On the command
// line, `hrapp user add NAME --role ROLE` and `hrapp user reset NAME` read the password from
// standard input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dumpDatabase, enrolMfa, firstAdmin, login, register, setupLinkMessage, setupToken } from './lib/accounts.mjs';
import { freePort, runHrapp, startApp, tempDir } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';
import { Database, dbTimestamp } from './lib/database.mjs';
import { defaultPassword, uniqueUsername } from './lib/http.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function sharedDatabase() {
  const dataDir = tempDir();
  return { dataDir, database: await Database.create(dataDir) };
}

/** The setup link lines `app` logged, once it has been listening for a moment. */
async function setupLines(app) {
  await sleep(300);
  return app.logs.filter((entry) => entry.msg === setupLinkMessage);
}

function checkLinkLine(app, entry) {
  assert.equal(entry.level, 'warn');
  assert.match(entry.path, /^\/#setup=[A-Za-z0-9_-]{20,}$/);
  assert.ok(entry.url.startsWith('http://127.0.0.1:') && entry.url.endsWith(entry.path), entry.url);
}

/** `hrapp user ...` on the app's database, with `stdin`. */
function userCommand(where, args, stdin) {
  return runHrapp(['user', ...args, '--data-dir', where.dataDir], where.database.env, { stdin });
}

function jsonLines(text) {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

for (const mode of ['invite', 'open']) {
  test(`${mode} mode: every start logs a setup link while no admin exists; one token makes the admin; then every token is dead and no link is logged`, async () => {
    const where = await sharedDatabase();
    const env = { REGISTRATION: mode };
    let app = await startApp({ ...where, env });
    const first = await setupToken(app);
    checkLinkLine(app, app.logs.find((e) => e.msg === setupLinkMessage));

    // Until then, a registration without the token is refused (invite) or a member (open).
    const plain = await register(app.client(), uniqueUsername('early'), defaultPassword);
    if (mode === 'invite') assertError(plain, 403, 'invitation_required');
    else assert.equal(plain.body.role, 'member');
    assert.equal(await app.stop(), 0);

    // A second start: another link, another token; a member account is no admin.
    app = await startApp({ ...where, env });
    const second = await setupToken(app);
    assert.notEqual(second, first);
    assert.equal((await setupLines(app)).length, 1, 'one link a start');
    checkLinkLine(app, app.logs.find((e) => e.msg === setupLinkMessage));
    const dump = await dumpDatabase(where.database);
    assert.ok(!dump.includes(first) && !dump.includes(second), 'the database holds no setup token');

    const adminName = uniqueUsername('first');
    const made = await register(app.client(), adminName, defaultPassword, second);
    assert.equal(made.status, 201, `${made}`);
    assert.equal(made.body.role, 'admin');
    const admin = app.client();
    assert.equal((await login(admin, adminName, defaultPassword)).status, 200);
    assert.equal((await admin.get('/me')).body.role, 'admin');
    assert.equal((await admin.get('/users')).status, 200);

    for (const token of [second, first]) {
      const name = uniqueUsername('late');
      assertError(await register(app.client(), name, defaultPassword, token), 403, 'invitation_required');
      assert.equal(await where.database.value(`SELECT COUNT(*) FROM users WHERE username = '${name}'`), 0);
    }
    assert.equal(await app.stop(), 0);

    app = await startApp({ ...where, env });
    try {
      assert.deepEqual(await setupLines(app), [], 'no setup link once an admin exists');
      assertError(await register(app.client(), uniqueUsername('later'), defaultPassword, second), 403, 'invitation_required');
    } finally {
      assert.equal(await app.stop(), 0);
    }
  });
}

test('the setup link\'s url names the address and port the server listens on', async () => {
  const port = await freePort();
  const fixed = await startApp({ port, env: { REGISTRATION: 'invite' } });
  try {
    const token = await setupToken(fixed);
    const entry = fixed.logs.find((e) => e.msg === setupLinkMessage);
    assert.equal(entry.url, `http://127.0.0.1:${port}/#setup=${token}`);
  } finally {
    assert.equal(await fixed.stop(), 0);
  }
  // On a port the system picked (--port 0), the one it picked.
  const picked = await startApp({ env: { REGISTRATION: 'invite' } });
  try {
    const token = await setupToken(picked);
    const entry = picked.logs.find((e) => e.msg === setupLinkMessage);
    assert.equal(entry.url, `http://127.0.0.1:${picked.port}/#setup=${token}`);
  } finally {
    assert.equal(await picked.stop(), 0);
  }
});

test('two instances starting together each log a link; once one token makes an admin, the other is dead too', async () => {
  const where = await sharedDatabase();
  const env = { REGISTRATION: 'invite' };
  const a = await startApp({ ...where, env });
  const b = await startApp({ ...where, env });
  try {
    const tokenA = await setupToken(a);
    const tokenB = await setupToken(b);
    assert.notEqual(tokenA, tokenB);
    const [ra, rb] = await Promise.all([
      register(a.client(), uniqueUsername('a'), defaultPassword, tokenA),
      register(b.client(), uniqueUsername('b'), defaultPassword, tokenB),
    ]);
    // Both may win (each was a valid admin invitation when it arrived) or one; never neither,
    // and nothing after.
    const wins = [ra, rb].filter((r) => r.status === 201);
    assert.ok(wins.length >= 1, `${ra} / ${rb}`);
    for (const reply of [ra, rb]) if (reply.status !== 201) assertError(reply, 403, 'invitation_required');
    for (const [app, token] of [[a, tokenA], [b, tokenB]]) {
      assertError(await register(app.client(), uniqueUsername('late'), defaultPassword, token), 403, 'invitation_required');
    }
  } finally {
    assert.equal(await a.stop(), 0);
    assert.equal(await b.stop(), 0);
  }
});

test('hrapp user add NAME --role ROLE reads the password from standard input; then no setup link works or is logged', async () => {
  const where = await sharedDatabase();
  const env = { REGISTRATION: 'invite' };
  let app = await startApp({ ...where, env });
  try {
    const token = await setupToken(app);
    const name = uniqueUsername('boss');
    const password = 'a long passphrase from stdin';
    const added = await userCommand(where, ['add', name, '--role', 'admin'], `${password}\n`);
    assert.equal(added.code, 0, `user add: ${added.stderr}`);
    const lines = jsonLines(added.stdout);
    assert.ok(lines.length >= 1, `a JSON log line: ${added.stdout}`);
    assert.ok(!added.stdout.includes(password) && !added.stderr.includes(password), 'the password is not echoed');

    // While the server runs: the account is an admin, and the setup link is dead.
    const boss = app.client();
    assert.equal((await login(boss, name, password)).status, 200);
    assert.equal((await boss.get('/me')).body.role, 'admin');
    assertError(await register(app.client(), uniqueUsername('setup'), defaultPassword, token), 403, 'invitation_required');
    const audit = await boss.get('/audit');
    const row = audit.body.find((r) => r.action === 'user.create');
    assert.ok(row, `the command line's account is in the audit log: ${audit}`);
    assert.equal(row.actor, null, 'made from the command line: no actor');

    const hrName = uniqueUsername('hr');
    assert.equal((await userCommand(where, ['add', hrName, '--role', 'hr'], `${password}\n`)).code, 0);
    const hr = app.client();
    assert.equal((await login(hr, hrName, password)).status, 200);
    assert.equal((await hr.get('/me')).body.role, 'hr');

    // Bad input: exit 2 and a message on stderr, no account.
    const bad = [
      [['add', uniqueUsername('r'), '--role', 'owner'], `${password}\n`],
      [['add', uniqueUsername('p'), '--role', 'member'], 'short\n'],
      [['add', uniqueUsername('c'), '--role', 'member'], 'password\n'],
      [['add', uniqueUsername('e'), '--role', 'member'], ''],
      [['add', name, '--role', 'member'], `${password}\n`],
      [['add', 'x', '--role', 'member'], `${password}\n`],
    ];
    for (const [args, stdin] of bad) {
      const result = await userCommand(where, args, stdin);
      assert.equal(result.code, 2, `hrapp user ${args.join(' ')} exits 2: ${result.code} ${result.stdout} ${result.stderr}`);
      assert.ok(result.stderr.trim().length > 0, `a message on stderr for ${args.join(' ')}`);
    }
    const count = await where.database.value(`SELECT COUNT(*) FROM users`);
    assert.equal(Number(count), 2, 'only the two good accounts exist');
    assert.equal(await app.stop(), 0);

    app = await startApp({ ...where, env });
    assert.deepEqual(await setupLines(app), [], 'no setup link once an admin exists');
  } finally {
    await app.stop();
  }
});

test('hrapp user reset NAME recovers an account as an enabled admin: new password, second factor off, sessions ended', async () => {
  const where = await sharedDatabase();
  const app = await startApp({ ...where });
  try {
    const admin = await firstAdmin(app);
    const lost = app.client();
    await lost.signUp('lost');
    await enrolMfa(lost);
    const otherSession = app.client();
    assertError(await login(otherSession, lost.user.username, lost.user.password), 401, 'mfa_required');
    assert.equal((await admin.request('PATCH', `/users/${lost.user.id}`, { json: { disabled: true } })).status, 200);

    const password = 'recovered from the console';
    const reset = await userCommand(where, ['reset', lost.user.username], `${password}\n`);
    assert.equal(reset.code, 0, `user reset: ${reset.stderr}`);
    assert.ok(jsonLines(reset.stdout).length >= 1);
    assert.ok(!reset.stdout.includes(password) && !reset.stderr.includes(password));

    assertError(await lost.get('/me'), 401, 'unauthorized');
    assertError(await login(app.client(), lost.user.username, lost.user.password), 401, 'unauthorized');
    const back = app.client();
    const signedIn = await login(back, lost.user.username, password);
    assert.equal(signedIn.status, 200, `no second factor is asked: ${signedIn}`);
    const me = await back.get('/me');
    assert.equal(me.body.role, 'admin');
    assert.equal(me.body.mfa_enabled, false);
    const view = await admin.get(`/users/${lost.user.id}`);
    assert.equal(view.body.disabled, false);
    assert.equal(view.body.role, 'admin');
    assert.equal(view.body.mfa_enabled, false);
    const audit = await admin.get(`/audit?target=user:${lost.user.id}`);
    assert.ok(audit.body.some((r) => r.actor === null), `the reset is in the audit log with no actor: ${audit}`);
    assert.ok(!audit.text.includes(password));

    // The last admin, locked out with a second factor, is recovered the same way.
    await enrolMfa(admin);
    const adminReset = await userCommand(where, ['reset', admin.user.username], `${password}\n`);
    assert.equal(adminReset.code, 0, adminReset.stderr);
    assert.equal((await login(app.client(), admin.user.username, password)).status, 200);

    const unknown = await userCommand(where, ['reset', uniqueUsername('nobody')], `${password}\n`);
    assert.equal(unknown.code, 2, `an unknown account: ${unknown.code} ${unknown.stderr}`);
    assert.ok(unknown.stderr.trim().length > 0);
    const weak = await userCommand(where, ['reset', admin.user.username], 'password\n');
    assert.equal(weak.code, 2, 'a common password is refused');
    assert.equal((await login(app.client(), admin.user.username, password)).status, 200, 'the refused reset changed nothing');
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('an admin disabled outside the API (in the database) is no admin: the next start logs a setup link again', async () => {
  const where = await sharedDatabase();
  let app = await startApp({ ...where, env: { REGISTRATION: 'invite' } });
  try {
    const admin = await firstAdmin(app);
    assert.equal(await app.stop(), 0);
    await where.database.execute(`UPDATE users SET disabled_at = '${dbTimestamp(new Date())}' WHERE id = ${admin.user.id}`);
    app = await startApp({ ...where, env: { REGISTRATION: 'invite' } });
    const token = await setupToken(app);
    const made = await register(app.client(), uniqueUsername('new'), defaultPassword, token);
    assert.equal(made.status, 201, `${made}`);
    assert.equal(made.body.role, 'admin');
    assertError(await login(app.client(), admin.user.username, admin.user.password), 403, 'account_disabled');
  } finally {
    await app.stop();
  }
});
