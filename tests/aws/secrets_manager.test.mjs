// The database credentials from Secrets Manager: the app starts from DB_SECRET_ARN alone
// (every call signed and verified), stops with one clear line when the secret cannot be read,
// and keeps serving from its cached credentials while Secrets Manager is down.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSecretsManager } from '../fakes/secretsmanager.mjs';
import { runHrapp, startApp, tempDir } from '../system/lib/app.mjs';
import * as postgres from '../system/lib/postgres.mjs';
import { KeyRing, REGION, backendsOf, createRoleDatabase, keyEnv, newKeys } from './lib/aws.mjs';

const keyring = new KeyRing();
const keys = keyring.add(newKeys());
let sm;
before(async () => {
  sm = await startSecretsManager({ credentials: keyring.lookup, region: REGION });
});
after(() => sm?.close());

/** The app's settings for database credentials from secret `arn`, signed with `signing`. */
const secretEnv = (arn, signing = keys) => ({ DB_SECRET_ARN: arn, AWS_REGION: REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint, ...keyEnv(signing) });

/** A database, its role, and the RDS secret that describes them, stored in the fake. */
async function secretDatabase() {
  const db = await createRoleDatabase();
  const name = `hrapp/test/${db.role}`;
  return { ...db, name, arn: sm.setSecret(name, { current: db.secret(db.password) }) };
}

const callsTo = (arn) => Object.values(sm.calls[arn] ?? {}).reduce((sum, n) => sum + n, 0);

/** Runs `hrapp serve` expecting it to stop at start-up; returns its exit code and stderr lines. */
async function failedStart(env) {
  const result = await runHrapp(['serve', '--port', '0', '--data-dir', tempDir()], env);
  return { code: result.code, lines: result.stderr.split('\n').filter((line) => line !== '') };
}

test('starts from DB_SECRET_ARN alone: signed GetSecretValue of AWSCURRENT, then the RDS database', async () => {
  const db = await secretDatabase();
  const app = await startApp({ database: db.database, env: secretEnv(db.arn) });
  try {
    assert.deepEqual(sm.calls[db.arn], { AWSCURRENT: 1 }, 'one signed, verified call at start-up');
    const client = app.client();
    assert.deepEqual((await client.get('/health')).body, { status: 'healthy', database: 'connected' });
    await client.signUp('secret');
    const created = await client.createEmployee({ name: 'Rds User', role: 'Reader', department: 'Ops' });
    assert.equal(created.status, 201, `create: ${created}`);
    assert.deepEqual(await db.database.rows(`SELECT name FROM employees WHERE id = ${created.body.id}`), [{ name: 'Rds User' }]);
    assert.ok((await backendsOf(db.role)).length >= 1, `the app is signed in to PostgreSQL as ${db.role}`);
    assert.deepEqual(sm.calls[db.arn], { AWSCURRENT: 1 }, 'cached: no call per request');
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('the secret of the stacks names the database: the app fills it, never the postgres database', async () => {
  assert.ok('dbname' in JSON.parse(process.env.HRAPP_SECRET_SHAPE), 'the synthesized secret has dbname');
  const db = await secretDatabase();
  const app = await startApp({ database: db.database, env: secretEnv(db.arn) });
  try {
    assert.equal(await db.database.value("SELECT count(*) FROM information_schema.tables WHERE table_name = 'employees'").then(Number), 1);
    assert.equal(await postgres.queryRows('postgres', "SELECT 1 FROM information_schema.tables WHERE table_name = 'employees'").then((rows) => rows.length), 0);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('a secret without dbname stops start-up with one line naming dbname and DB_NAME', async () => {
  const db = await createRoleDatabase();
  const { dbname, ...withoutName } = db.secret(db.password);
  const arn = sm.setSecret(`hrapp/test/${db.role}`, { current: withoutName });
  const { code, lines } = await failedStart(secretEnv(arn));
  assert.equal(code, 2);
  assert.deepEqual(lines, ['hrapp: DB_SECRET_ARN: the secret has no dbname: add it to the secret or set DB_NAME']);

  // DB_NAME names the database instead.
  const app = await startApp({ database: db.database, env: { ...secretEnv(arn), DB_NAME: dbname } });
  try {
    assert.deepEqual((await app.client().get('/health')).body, { status: 'healthy', database: 'connected' });
    assert.equal(await db.database.value("SELECT count(*) FROM information_schema.tables WHERE table_name = 'employees'").then(Number), 1);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('a secret that does not exist stops start-up: exit 2, one line naming DB_SECRET_ARN', async () => {
  const missing = `arn:aws:secretsmanager:${REGION}:123456789012:secret:hrapp/test/missing-AbCdEf`;
  const { code, lines } = await failedStart(secretEnv(missing));
  assert.equal(code, 2);
  assert.equal(lines.length, 1, `one line: ${lines.join(' | ')}`);
  assert.match(lines[0], /DB_SECRET_ARN/);
  assert.equal(sm.calls[missing]?.AWSCURRENT, 1, 'the app asked (signed) and was told it does not exist');
});

test('access denied stops start-up: exit 2, one line naming DB_SECRET_ARN', async () => {
  const db = await secretDatabase();
  await sm.setFault('AccessDeniedException');
  try {
    const { code, lines } = await failedStart(secretEnv(db.arn));
    assert.equal(code, 2);
    assert.equal(lines.length, 1, `one line: ${lines.join(' | ')}`);
    assert.match(lines[0], /DB_SECRET_ARN/);
    assert.match(lines[0], /AccessDenied/);
  } finally {
    await sm.setFault(null);
  }
});

test('a call signed with a wrong secret key is refused, so the app cannot start', async () => {
  const db = await secretDatabase();
  const { code, lines } = await failedStart(secretEnv(db.arn, { ...keys, secretAccessKey: 'not-the-secret' }));
  assert.equal(code, 2);
  assert.equal(lines.length, 1, `one line: ${lines.join(' | ')}`);
  assert.match(lines[0], /DB_SECRET_ARN/);
  assert.equal(callsTo(db.arn), 0, 'the fake never served the secret');
});

test('Secrets Manager down with the credentials cached: no effect on requests, even on new connections', async () => {
  const db = await secretDatabase();
  const app = await startApp({ database: db.database, env: secretEnv(db.arn) });
  try {
    const client = app.client();
    await client.signUp('smdown');
    const calls = callsTo(db.arn);
    const before = await backendsOf(db.role);
    await sm.setFault('down');
    // Concurrent requests make the pool open new connections while it is down: they need
    // the cached password.
    const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2
      ? client.get('/employees')
      : client.createEmployee({ name: `Cached ${i}`, role: 'Creds', department: 'Ops' }))));
    assert.deepEqual(replies.map((r) => r.status), Array.from({ length: 16 }, (_, i) => (i % 2 ? 200 : 201)));
    const other = app.client();
    await other.signUp('smdown2');
    assert.equal((await other.get('/me')).status, 200);
    const opened = (await backendsOf(db.role)).filter((pid) => !before.includes(pid));
    assert.ok(opened.length >= 1, 'the app opened new connections');
    assert.equal(callsTo(db.arn), calls, 'and did not need Secrets Manager for them');
    assert.equal(await db.database.value('SELECT count(*) FROM employees').then(Number), 8);
  } finally {
    await sm.setFault(null);
    assert.equal(await app.stop(), 0);
  }
});
