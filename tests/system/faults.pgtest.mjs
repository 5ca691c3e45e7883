// PostgreSQL outages with the real server. These stop and start the run's one cluster, so
// run.sh runs them alone. Each test leaves the cluster running, even when it fails.
//  - stopped at start-up: the app still starts; /health is 503 and the API 503 with
//    Retry-After; once PostgreSQL is back the app migrates and recovers with no restart;
//  - stopped and restarted under a steady load of mixed reads and writes: errors (503 only)
//    while it is down, none a few seconds after it is back, every acknowledged write readable,
//    none duplicated, no image without its row.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { assertError } from './lib/assertions.mjs';
import { Database } from './lib/database.mjs';
import { startApp, tempDir, testEnv } from './lib/app.mjs';
import { png, storedSizesOf } from './lib/images.mjs';
import { startCluster, stopCluster } from './lib/postgres.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let clusterDown = false;
async function stopPostgres() {
  clusterDown = true;
  await stopCluster();
}
async function startPostgres() {
  await startCluster();
  clusterDown = false;
}
after(async () => {
  if (clusterDown) await startPostgres();
});

/** Polls `probe` every 200 ms until it returns true; returns the milliseconds it took. */
async function waitFor(probe, timeoutMs, what) {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(200);
  }
  return Date.now() - started;
}

test('PostgreSQL down at start-up: the app starts, answers 503, and recovers by itself', async () => {
  const database = await Database.create(tempDir());
  await stopPostgres();
  let app;
  try {
    app = await startApp({ database });
    const client = app.client();
    const health = await client.get('/health');
    assert.equal(health.status, 503);
    assert.deepEqual(health.body, { status: 'unhealthy' });
    assert.equal((await client.get('/livez')).status, 200, 'the process itself is alive');
    for (const reply of [
      await client.register('downuser', 'long enough phrase'),
      await client.login('downuser', 'long enough phrase'),
      await client.get('/employees', { headers: { cookie: 'hrapp_session=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' } }),
    ]) {
      assertError(reply, 503, 'unavailable');
      assert.match(reply.headers.get('retry-after') ?? '', /^\d+$/, 'Retry-After is set');
      assert.ok(!/postgres|connect|5432|127\.0\.0\.1/i.test(reply.body.message), `no internal detail: ${reply.body.message}`);
    }
    await startPostgres();
    const took = await waitFor(async () => (await client.get('/health')).status === 200, 15000, '/health turning 200');
    assert.ok(took < 15000);
    await client.signUp('recovered');
    const created = await client.createEmployee({ name: 'After', role: 'R', department: 'D', image: { bytes: png(), filename: 'a.png' } });
    assert.equal(created.status, 201, `${created}`);
    assert.ok((await database.value('SELECT count(*) AS n FROM schema_migrations')) >= 1, 'migrated once the database came back');
  } finally {
    if (clusterDown) await startPostgres();
    if (app) assert.equal(await app.stop(), 0);
  }
});

test('PostgreSQL restarted under a steady load: errors only while down, no write lost or doubled', async () => {
  const app = await startApp();
  const clients = [];
  for (let i = 0; i < 2; i++) {
    const client = app.client();
    await client.signUp(`load${i}`);
    clients.push(client);
  }
  const seed = await clients[0].createEmployee({ name: 'Seed', role: 'R', department: 'Load' });
  const outcomes = []; // { at, done, op, status, error, retryAfter, name }
  const acknowledged = new Map(); // name -> id
  let running = true;
  let sequence = 0;

  async function worker(index) {
    const client = clients[index % clients.length];
    while (running) {
      const op = ['create', 'create-image', 'list', 'get', 'me'][sequence % 5];
      const name = `load-${index}-${sequence++}`;
      const started = Date.now();
      let reply;
      try {
        if (op === 'create') reply = await client.createEmployee({ name, role: 'R', department: 'Load' });
        else if (op === 'create-image') reply = await client.createEmployee({ name, role: 'R', department: 'Load', image: { bytes: png({ seed: sequence }), filename: 'x.png' } });
        else if (op === 'list') reply = await client.get('/employees?department=Load&limit=10');
        else if (op === 'get') reply = await client.get(`/employees/${seed.body.id}`);
        else reply = await client.get('/me');
      } catch (error) {
        outcomes.push({ at: started, done: Date.now(), op, status: 0, error: String(error) });
        await sleep(50);
        continue;
      }
      outcomes.push({ at: started, done: Date.now(), op, status: reply.status, error: reply.body?.error, retryAfter: reply.headers.get('retry-after'), name });
      if (reply.status === 201) acknowledged.set(name, reply.body.id);
      await sleep(reply.status >= 500 ? 100 : 20);
    }
  }

  const workers = Array.from({ length: 4 }, (_, i) => worker(i));
  let downAt;
  let backAt;
  try {
    await sleep(2000);
    downAt = Date.now();
    await stopPostgres();
    await sleep(3000);
    await startPostgres();
    backAt = Date.now();
    await sleep(8000);
  } finally {
    running = false;
    await Promise.all(workers);
    if (clusterDown) await startPostgres();
  }

  const settled = backAt + 5000;
  const failures = outcomes.filter((o) => o.status < 200 || o.status >= 300);
  // A request in flight when PostgreSQL stops may fail; one that ended before it stopped may not.
  const outsideWindow = failures.filter((o) => o.done < downAt || o.at > settled);
  assert.deepEqual(outsideWindow, [], 'errors only while PostgreSQL is down or coming back');
  assert.ok(failures.length > 0, 'the outage was seen by the load');
  assert.deepEqual(failures.filter((o) => o.status !== 503 || o.error !== 'unavailable' || !o.retryAfter), [],
    'every failure is a 503 unavailable with Retry-After');
  const afterSettled = outcomes.filter((o) => o.at > settled);
  assert.ok(afterSettled.length >= 20, `the load went on after recovery (${afterSettled.length} requests)`);
  assert.ok(outcomes.filter((o) => o.at < downAt).length >= 20, 'and before the outage');

  const client = clients[0];
  for (const [name, id] of acknowledged) {
    const reply = await client.get(`/employees/${id}`);
    assert.equal(reply.status, 200, `acknowledged write ${name} (${id}) is readable`);
    assert.equal(reply.body.name, name);
  }
  const rows = await app.database.rows("SELECT name, count(*) AS n FROM employees WHERE department = 'Load' AND name LIKE 'load-%' GROUP BY name");
  assert.deepEqual(rows.filter((r) => r.n !== 1), [], 'no write is duplicated');
  const stored = new Set(rows.map((r) => r.name));
  for (const name of acknowledged.keys()) assert.ok(stored.has(name), `${name} is stored`);

  const keys = (await app.database.rows('SELECT image_s3_key FROM employees WHERE image_s3_key IS NOT NULL'))
    .flatMap((r) => storedSizesOf(r.image_s3_key)).map((k) => path.basename(k));
  const files = readdirSync(path.join(app.dataDir, 'uploads', testEnv.DEPLOYMENT_ID));
  assert.deepEqual(files.sort(), keys.sort(), 'no image or smaller size without its row after failed writes');
  assert.equal(await app.stop(), 0);
});
