// PostgreSQL only. The seed's Validation 10 against the live catalogue (tables, columns, the
// foreign keys, the sessions table and the indexes), and two instances sharing one database:
// started at the same moment on an empty database, both come up and migrate once, and a
// session signed in through one is valid on the other.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Database } from './lib/database.mjs';
import { repoRoot, startApp, tempDir } from './lib/app.mjs';
import { Client } from './lib/http.mjs';

const migrationCount = readdirSync(path.join(repoRoot, 'migrations', 'postgres')).filter((f) => f.endsWith('.sql')).length;

test('Validation 10: the schema in the live catalogue', async () => {
  const app = await startApp();
  const db = app.database;
  try {
    const columns = async (table) =>
      db.rows(`SELECT column_name AS name, data_type AS type, character_maximum_length AS length, is_nullable AS nullable
               FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${table}' ORDER BY ordinal_position`);
    const byName = (rows) => Object.fromEntries(rows.map((r) => [r.name, r]));

    const tables = (await db.rows("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")).map((r) => r.name);
    for (const table of ['users', 'employees', 'sessions', 'schema_migrations']) assert.ok(tables.includes(table), `table ${table}`);

    const users = byName(await columns('users'));
    assert.deepEqual(Object.keys(users).slice(0, 4), ['id', 'username', 'password_hash', 'created_at']);
    assert.deepEqual([users.username.type, users.username.length, users.username.nullable], ['character varying', 255, 'NO']);
    assert.deepEqual([users.password_hash.type, users.password_hash.length, users.password_hash.nullable], ['character varying', 255, 'NO']);
    assert.equal(users.id.type, 'integer');
    assert.equal(users.created_at.type, 'timestamp without time zone');

    const employees = byName(await columns('employees'));
    assert.deepEqual(Object.keys(employees).slice(0, 9),
      ['id', 'name', 'role', 'department', 'image_s3_key', 'image_url', 'user_id', 'created_at', 'updated_at']);
    for (const [name, length, nullable] of [['name', 255, 'NO'], ['role', 255, 'NO'], ['department', 255, 'NO'],
      ['image_s3_key', 512, 'YES'], ['image_url', 1024, 'YES']]) {
      assert.deepEqual([employees[name].type, employees[name].length, employees[name].nullable], ['character varying', length, nullable], name);
    }
    assert.deepEqual([employees.user_id.type, employees.user_id.nullable], ['integer', 'NO']);

    const sessions = byName(await columns('sessions'));
    for (const name of ['id', 'user_id', 'data', 'expires_at']) assert.ok(sessions[name], `sessions.${name}`);
    assert.deepEqual([sessions.id.type, sessions.id.length], ['character varying', 255]);
    assert.deepEqual([sessions.expires_at.type, sessions.expires_at.nullable], ['timestamp without time zone', 'NO']);

    const foreignKeys = await db.rows(`
      SELECT tc.table_name AS from_table, kcu.column_name AS from_column, ccu.table_name AS to_table,
             ccu.column_name AS to_column, rc.delete_rule
      FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
      JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
      JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name AND rc.constraint_schema = tc.table_schema
      WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public' ORDER BY 1, 2`);
    // The seed's two keys, but an account's profiles stay when it goes (accounts are disabled,
    // never deleted with the directory they built); a profile's manager and account, which leave
    // it without one when they go; then the accounts' own tables.
    assert.deepEqual(foreignKeys, [
      { from_table: 'account_tokens', from_column: 'created_by', to_table: 'users', to_column: 'id', delete_rule: 'SET NULL' },
      { from_table: 'account_tokens', from_column: 'used_by', to_table: 'users', to_column: 'id', delete_rule: 'SET NULL' },
      { from_table: 'account_tokens', from_column: 'user_id', to_table: 'users', to_column: 'id', delete_rule: 'CASCADE' },
      { from_table: 'audit_log', from_column: 'actor_id', to_table: 'users', to_column: 'id', delete_rule: 'RESTRICT' },
      { from_table: 'employees', from_column: 'account_id', to_table: 'users', to_column: 'id', delete_rule: 'SET NULL' },
      { from_table: 'employees', from_column: 'manager_id', to_table: 'employees', to_column: 'id', delete_rule: 'SET NULL' },
      { from_table: 'employees', from_column: 'user_id', to_table: 'users', to_column: 'id', delete_rule: 'RESTRICT' },
      { from_table: 'mfa_recovery_codes', from_column: 'user_id', to_table: 'users', to_column: 'id', delete_rule: 'CASCADE' },
      { from_table: 'sessions', from_column: 'user_id', to_table: 'users', to_column: 'id', delete_rule: 'CASCADE' },
    ]);

    const checks = (await db.rows(`SELECT conname FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace`)).map((r) => r.conname);
    for (const name of ['username_length', 'name_not_empty']) assert.ok(checks.includes(name), `check constraint ${name}`);
    const uniques = await db.rows(`SELECT kcu.column_name AS col FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage kcu USING (constraint_name, table_schema)
      WHERE tc.table_name = 'users' AND tc.constraint_type = 'UNIQUE'`);
    assert.deepEqual(uniques, [{ col: 'username' }]);
    const indexes = (await db.rows("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).map((r) => r.indexname);
    for (const name of ['idx_users_username', 'idx_employees_user_id', 'idx_employees_department', 'idx_sessions_expires', 'idx_sessions_user_id'])
      assert.ok(indexes.includes(name), `index ${name}`);

    // The constraints hold against direct writes too.
    await assert.rejects(db.execute("INSERT INTO employees (name, role, department, user_id) VALUES ('x', 'y', 'z', 999999)"), /foreign key/);
    await assert.rejects(db.execute("INSERT INTO users (username, password_hash) VALUES ('ab', 'h')"), /username_length/);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('two instances started at once on an empty database both come up and migrate once', async () => {
  for (let round = 0; round < 3; round++) {
    const database = await Database.create(tempDir());
    const [a, b] = await Promise.all([startApp({ database }), startApp({ database })]);
    try {
      const rows = await database.rows('SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version');
      assert.equal(rows.length, migrationCount, 'every migration is recorded');
      assert.ok(rows.every((r) => r.n === 1), `one row per version: ${JSON.stringify(rows)}`);
      const applied = [...a.logs, ...b.logs].filter((entry) => entry.msg === 'migration applied');
      assert.equal(applied.length, migrationCount, 'each migration ran in one instance only');
      for (const app of [a, b]) assert.equal((await app.client().get('/health')).status, 200);
    } finally {
      assert.equal(await a.stop(), 0);
      assert.equal(await b.stop(), 0);
    }
  }
});

test('a session signed in through one instance is valid on the other, and sign-out ends it on both', async () => {
  const database = await Database.create(tempDir());
  const [a, b] = await Promise.all([startApp({ database }), startApp({ database })]);
  try {
    const viaA = a.client();
    const user = await viaA.signUp('shared');
    const viaB = new Client(b.url);
    viaB.token = viaA.token;
    assert.deepEqual((await viaB.get('/me')).body,
      { id: user.id, username: user.username, role: 'member', mfa_enabled: false, mfa_enrolment_required: false });
    const created = await viaB.createEmployee({ name: 'Made on B', role: 'R', department: 'D' });
    assert.equal(created.status, 201);
    assert.equal(created.body.user_id, user.id);
    assert.deepEqual((await viaA.get(`/employees/${created.body.id}`)).body, created.body);
    assert.equal((await viaB.post('/logout')).status, 200);
    assert.equal((await viaA.get('/me')).status, 401, 'signed out on B means signed out on A');
  } finally {
    assert.equal(await a.stop(), 0);
    assert.equal(await b.stop(), 0);
  }
});
