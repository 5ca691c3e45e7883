// The rotation drill with real PostgreSQL: the database password changes under a steady load
// of reads and writes while Secrets Manager still shows the old one as AWSCURRENT and the new
// one as AWSPENDING, then promotes it, as single-user rotation does. The app must find the
// new password itself, with no failed request, no restart and few GetSecretValue calls.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startSecretsManager } from '../fakes/secretsmanager.mjs';
import { execute } from '../system/lib/postgres.mjs';
import { startApp } from '../system/lib/app.mjs';
import { KeyRing, REGION, canConnect, createRoleDatabase, keyEnv, newKeys, sleep, terminateBackends } from './lib/aws.mjs';

const keyring = new KeyRing();
const keys = keyring.add(newKeys());
let sm;
before(async () => {
  sm = await startSecretsManager({ credentials: keyring.lookup, region: REGION });
});
after(() => sm?.close());

/** A database behind a secret in the fake, and the app's settings for it. */
async function secretDatabase() {
  const db = await createRoleDatabase();
  const name = `hrapp/rotation/${db.role}`;
  const arn = sm.setSecret(name, { current: db.secret(db.password) });
  const env = { DB_SECRET_ARN: arn, AWS_REGION: REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint, ...keyEnv(keys) };
  return { ...db, name, arn, env };
}

const isRotationLog = (entry) => entry.msg === 'database credentials rotated';

/**
 * Clients that each loop over a write and reads (create, list, get, rename) until stopped,
 * recording every reply that is not a success.
 */
class Load {
  failures = [];
  created = new Set();
  replies = 0;
  #running = [];
  #stopped = false;

  start(client) {
    this.#running.push(this.#loop(client));
  }

  async #loop(client) {
    const check = (what, reply, status) => {
      this.replies += 1;
      if (reply.status !== status) this.failures.push(`${what}: ${reply}`);
      return reply.status === status;
    };
    for (let round = 0; !this.#stopped; round++) {
      const created = await client.createEmployee({ name: `Load ${round}`, role: 'Drill', department: 'Rotation' });
      if (check('create', created, 201)) this.created.add(created.body.id);
      check('list', await client.get('/employees?department=Rotation&limit=5'), 200);
      if (created.status !== 201) continue;
      check('get', await client.get(`/employees/${created.body.id}`), 200);
      check('rename', await client.request('PATCH', `/employees/${created.body.id}`, { json: { name: `Load ${round}'` } }), 200);
    }
  }

  async stop() {
    this.#stopped = true;
    await Promise.all(this.#running);
  }
}

/** A client signed in as `signedIn` (sessions live in the shared database) sending to `app`. */
function sameUserOn(app, signedIn) {
  const client = app.client();
  client.cookies = new Map(signedIn.cookies);
  return client;
}

test('password rotated under load: no failed request, no restart, a bounded number of GetSecretValue calls', async () => {
  const db = await secretDatabase();
  const first = await startApp({ database: db.database, env: db.env });
  const pid = first.child.pid;
  let second;
  const load = new Load();
  try {
    const clients = [];
    for (let i = 0; i < 10; i++) {
      clients.push(first.client());
      await clients[i].signUp(`drill${i}`);
    }
    // One client first, so the pool holds few connections opened with the old password.
    load.start(clients[0]);
    await sleep(3000);

    const newPassword = randomBytes(16).toString('hex');
    await execute('postgres', `ALTER ROLE ${db.role} PASSWORD '${newPassword}'`);
    sm.setSecret(db.name, { current: db.secret(db.password), pending: db.secret(newPassword) });
    assert.deepEqual([await canConnect(db.role, db.password, db.database.postgresName), await canConnect(db.role, newPassword, db.database.postgresName)],
      [false, true], 'the database now takes only the new password');

    // More clients at once: the pool must open new connections, and the old password fails.
    for (let i = 1; i < 8; i++) load.start(clients[i]);
    await sleep(4000);
    // A second instance starts while AWSCURRENT still shows the old password.
    second = await startApp({ database: db.database, env: db.env });
    for (let i = 8; i < 10; i++) load.start(sameUserOn(second, clients[i]));
    await sleep(3000);

    sm.setSecret(db.name, { current: db.secret(newPassword) });
    const callsBeforePromotion = { ...sm.calls[db.arn] };
    await sleep(3000);
    await load.stop();

    const problems = [first, second].flatMap((app) => app.logs.filter((e) => e.level !== 'info').map((e) => JSON.stringify(e)));
    assert.deepEqual(load.failures, [], `no request failed; the apps logged:\n${problems.join('\n')}`);
    assert.ok(load.replies >= 100, `a steady load: ${load.replies} replies`);
    assert.equal(load.created.size, await db.database.value('SELECT count(*) FROM employees').then(Number), 'every acknowledged write is stored');
    for (const [name, app] of [['first', first], ['second', second]]) {
      assert.equal(app.child.exitCode, null, `the ${name} instance is still running`);
      assert.ok(app.logs.some(isRotationLog), `the ${name} instance logs the rotation`);
    }
    assert.equal(first.child.pid, pid, 'no restart');
    const calls = sm.calls[db.arn];
    const total = Object.values(calls).reduce((sum, n) => sum + n, 0);
    assert.ok(total <= 10, `GetSecretValue calls are bounded: ${JSON.stringify(calls)}`);
    assert.ok(calls.AWSPENDING >= 1, `AWSPENDING was read: ${JSON.stringify(calls)}`);
    assert.deepEqual(calls, callsBeforePromotion, 'the promotion itself needs no call');
  } finally {
    await load.stop();
    const codes = [await first.stop(), await second?.stop()];
    assert.deepEqual(codes, [0, second ? 0 : undefined]);
  }
});

test('connections the database ended while idle are replaced, not handed to requests', async () => {
  // An operator forcing the new password (or a failover) ends every session of the role.
  const db = await secretDatabase();
  const app = await startApp({ database: db.database, env: db.env });
  try {
    const client = app.client();
    await client.signUp('ended');
    const ended = await terminateBackends(db.role);
    assert.ok(ended.length >= 1);
    const replies = [await client.get('/employees'), await client.get('/me'), await client.createEmployee({ name: 'After', role: 'End', department: 'Ops' })];
    assert.deepEqual(replies.map(String).map((r) => r.slice(0, 3)), ['200', '200', '201'], replies.join('\n'));
  } finally {
    assert.equal(await app.stop(), 0);
  }
});
