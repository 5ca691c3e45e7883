// The accounts migration (issue 19, item 9) on a database of the previous release (its
// migrations 0001 and 0002 only, applied here as that release applied them): existing accounts
// become members, their sessions and profiles keep working, an admin is made by the setup link,
// employees.user_id no longer cascades a user's deletion to the profiles it made, and rows
// written as the previous release writes them (during a rolling deploy) work with the new one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { firstAdmin, login, sha256Hex } from './lib/accounts.mjs';
import { repoRoot, startApp, tempDir } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';
import { Database, dbTimestamp, engine } from './lib/database.mjs';
import { defaultPassword, uniqueUsername } from './lib/http.mjs';

const previousMigrations = ['0001_init.sql', '0002_sign_in_failures.sql'];

/** A database as the previous release left it: its two migrations, recorded as it records them. */
async function previousReleaseDatabase(dataDir) {
  const database = await Database.create(dataDir);
  const statements = [
    'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);',
  ];
  for (const file of previousMigrations) {
    statements.push(readFileSync(path.join(repoRoot, 'migrations', engine, file), 'utf8'));
    statements.push(`INSERT INTO schema_migrations (version, name) VALUES (${Number(file.slice(0, 4))}, '${file}');`);
  }
  await database.execute(statements.join('\n'));
  return database;
}

/** A bcrypt hash of `password` as the app makes it (by an app on a scratch database). */
async function bcryptHash(password) {
  const scratch = await startApp();
  try {
    const username = uniqueUsername('hash');
    assert.equal((await scratch.client().register(username, password)).status, 201);
    return await scratch.database.value(`SELECT password_hash FROM users WHERE username = '${username}'`);
  } finally {
    await scratch.stop();
  }
}

const now = (seconds = 0) => `'${dbTimestamp(new Date(Date.now() + seconds * 1000))}'`;

test('a database of the previous release upgrades: accounts become members, their sessions and profiles keep working', async () => {
  const dataDir = tempDir();
  const database = await previousReleaseDatabase(dataDir);
  const hash = await bcryptHash(defaultPassword);
  const alice = uniqueUsername('alice');
  const bob = uniqueUsername('bob');
  const token = randomBytes(32).toString('base64url');
  await database.execute(`
    INSERT INTO users (id, username, password_hash, created_at) VALUES (7, '${alice}', '${hash}', ${now(-86400)});
    INSERT INTO users (id, username, password_hash, created_at) VALUES (8, '${bob}', '${hash}', ${now(-86400)});
    INSERT INTO sessions (id, user_id, expires_at, created_at, last_seen_at) VALUES ('${sha256Hex(token)}', 7, ${now(1800)}, ${now(-60)}, ${now(-60)});
    INSERT INTO employees (id, name, role, department, user_id, created_at, updated_at) VALUES (3, 'Old Profile', 'Engineer', 'IT', 7, ${now(-3600)}, ${now(-3600)});
    INSERT INTO employees (id, name, role, department, user_id, created_at, updated_at) VALUES (4, 'Bob''s Profile', 'Analyst', 'Finance', 8, ${now(-3600)}, ${now(-3600)});
    INSERT INTO sign_in_failures (subject, failures, last_failure_at, version) VALUES ('address:192.0.2.1', 2, ${now(-10)}, 1);
  `);
  if (engine === 'postgres') {
    await database.execute(`SELECT setval(pg_get_serial_sequence('users', 'id'), 8); SELECT setval(pg_get_serial_sequence('employees', 'id'), 4);`);
  }

  let app = await startApp({ dataDir, database });
  try {
    assert.ok(app.logs.some((e) => e.msg === 'migration applied'), 'the new migrations ran');
    // The session made by the previous release is still signed in, as a member.
    const session = app.client();
    session.token = token;
    const me = await session.get('/me');
    assert.equal(me.status, 200, `${me}`);
    assert.equal(me.body.id, 7);
    assert.equal(me.body.username, alice);
    assert.equal(me.body.role, 'member');
    assert.equal(me.body.mfa_enabled, false);

    // Its profile: read, changed by its creator, not by another member.
    const profile = await session.get('/employees/3');
    assert.equal(profile.status, 200);
    assert.equal(profile.body.user_id, 7);
    assert.equal(profile.body.name, 'Old Profile');
    assert.equal((await session.request('PATCH', '/employees/3', { json: { role: 'Staff Engineer' } })).status, 200);
    assertError(await session.request('PATCH', '/employees/4', { json: { role: 'X' } }), 403, 'role_required');
    const list = await session.get('/employees');
    assert.deepEqual(list.body.map((e) => e.id).sort(), [3, 4]);

    // The password signs in; the other account too, as a member.
    const bobClient = app.client();
    assert.equal((await login(bobClient, bob, defaultPassword)).status, 200);
    assert.equal((await bobClient.get('/me')).body.role, 'member');

    // No admin yet: the setup link makes one, who sees the old accounts.
    const admin = await firstAdmin(app);
    const users = await admin.get('/users');
    const old = users.body.filter((u) => u.id === 7 || u.id === 8);
    assert.equal(old.length, 2);
    for (const user of old) {
      assert.equal(user.role, 'member');
      assert.equal(user.disabled, false);
      assert.equal(user.mfa_enabled, false);
      assert.ok(user.created_at);
    }
    assert.equal((await admin.request('DELETE', '/employees/4')).status, 204, 'an admin changes any old profile');
    assert.equal(await app.stop(), 0);

    // A second start applies nothing again and the session still holds.
    app = await startApp({ dataDir, database });
    assert.ok(!app.logs.some((e) => e.msg === 'migration applied'), 'nothing to apply twice');
    const again = app.client();
    again.token = token;
    assert.equal((await again.get('/me')).status, 200);
  } finally {
    await app.stop();
  }
});

test('after the migration, deleting a user row does not take the profiles it made with it', async () => {
  const dataDir = tempDir();
  const database = await previousReleaseDatabase(dataDir);
  const app = await startApp({ dataDir, database });
  try {
    const creator = app.client();
    await creator.signUp('creator');
    const created = await creator.createEmployee({ name: 'Survivor', role: 'R', department: 'D' });
    assert.equal(created.status, 201);
    if (engine === 'postgres') {
      const kinds = await database.rows(`SELECT confdeltype FROM pg_constraint WHERE conrelid = 'employees'::regclass AND contype = 'f' AND confrelid = 'users'::regclass`);
      for (const { confdeltype } of kinds) assert.notEqual(confdeltype, 'c', 'employees.user_id does not cascade');
    } else {
      const keys = await database.rows(`SELECT "table", "from", on_delete FROM pragma_foreign_key_list('employees')`);
      for (const key of keys.filter((k) => k.table === 'users')) assert.notEqual(key.on_delete.toUpperCase(), 'CASCADE', `employees.${key.from} does not cascade`);
    }
    // Even a deletion by hand, with foreign keys enforced, leaves the profile.
    const remove = engine === 'postgres' ? `DELETE FROM users WHERE id = ${creator.user.id}` : `PRAGMA foreign_keys = ON; DELETE FROM users WHERE id = ${creator.user.id}`;
    await database.execute(remove).catch(() => {}); // refused by the key: that is fine too
    assert.equal(Number(await database.value(`SELECT COUNT(*) FROM employees WHERE id = ${created.body.id}`)), 1, 'the profile survives');
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('during a rolling deploy, rows the previous release writes work with the new one', async () => {
  const dataDir = tempDir();
  const database = await previousReleaseDatabase(dataDir);
  const app = await startApp({ dataDir, database });
  try {
    const hash = await database.value(`SELECT 1`).then(() => bcryptHash(defaultPassword));
    const oldUser = uniqueUsername('oldrelease');
    // The previous release's own statements (src/store/repositories.cpp of that release).
    await database.execute(`INSERT INTO users (username, password_hash, created_at) VALUES ('${oldUser}', '${hash}', ${now()})`);
    const id = Number(await database.value(`SELECT id FROM users WHERE username = '${oldUser}'`));
    const token = randomBytes(32).toString('base64url');
    await database.execute(`INSERT INTO sessions (id, user_id, expires_at, created_at, last_seen_at) VALUES ('${sha256Hex(token)}', ${id}, ${now(1800)}, ${now()}, ${now()})`);
    await database.execute(`INSERT INTO employees (name, role, department, image_s3_key, user_id, created_at, updated_at) VALUES ('Old Writer', 'R', 'D', NULL, ${id}, ${now()}, ${now()})`);

    const client = app.client();
    client.token = token;
    const me = await client.get('/me');
    assert.equal(me.status, 200, `${me}`);
    assert.equal(me.body.role, 'member');
    const listed = await client.get('/employees?limit=100');
    assert.equal(listed.status, 200, `${listed}`);
    const mine = listed.body.find((e) => e.name === 'Old Writer');
    assert.ok(mine);
    assert.equal((await client.request('PATCH', `/employees/${mine.id}`, { json: { role: 'Changed' } })).status, 200);
    assert.equal((await login(app.client(), oldUser, defaultPassword)).status, 200);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});
