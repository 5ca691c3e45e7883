// A PostgreSQL that hangs rather than goes away (every server process stopped with SIGSTOP,
// as a frozen host or a saturated disk would look): requests answer 503 within a bounded time
// instead of waiting forever, /health turns unhealthy, the app keeps answering what needs no
// database, and when the server resumes everything recovers with no restart.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { assertError } from './lib/assertions.mjs';
import { Database } from './lib/database.mjs';
import { startApp, tempDir } from './lib/app.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const postmasterPid = () => Number(readFileSync(path.join(process.env.HRAPP_PG_DATA, 'postmaster.pid'), 'utf8').split('\n')[0]);
/** The postmaster and every process it started: the whole server. */
const serverPids = () => {
  const parent = postmasterPid();
  const children = execFileSync('pgrep', ['-P', String(parent)]).toString().trim().split('\n').filter(Boolean).map(Number);
  return [parent, ...children];
};
const signal = (pids, sig) => pids.forEach((pid) => { try { process.kill(pid, sig); } catch { /* gone */ } });

let frozen = [];
after(() => signal(frozen, 'SIGCONT'));

test('a hung PostgreSQL: 503 within a bounded time, /health unhealthy, recovery after it resumes', { timeout: 120000 }, async () => {
  const database = await Database.create(tempDir());
  const app = await startApp({ database });
  try {
    const client = app.client();
    await client.signUp('hang');
    assert.equal((await client.get('/employees')).status, 200);

    frozen = serverPids();
    signal(frozen, 'SIGSTOP');
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 6 }, () => client.get('/employees')));
    const elapsed = Date.now() - started;
    for (const reply of replies) assertError(reply, 503, 'unavailable');
    assert.ok(elapsed < 25000, `every request was answered, in ${elapsed} ms`);
    assert.equal((await client.get('/livez')).status, 200, 'what needs no database still answers');
    assert.equal((await client.get('/health')).status, 503, '/health reports the hung database');

    signal(frozen, 'SIGCONT');
    frozen = [];
    const deadline = Date.now() + 30000;
    let reply;
    do {
      await sleep(500);
      reply = await client.get('/employees');
    } while (reply.status !== 200 && Date.now() < deadline);
    assert.equal(reply.status, 200, `recovered after the server resumed: ${reply}`);
    // /health tells what the last probe saw, and the probe runs once a second: it may turn
    // healthy a moment after the first read that succeeds.
    let health;
    do {
      health = await client.get('/health');
      if (health.status !== 200) await sleep(250);
    } while (health.status !== 200 && Date.now() < deadline);
    assert.equal(health.status, 200, `/health recovered too: ${health}`);
  } finally {
    assert.equal(await app.stop(), 0, 'SIGTERM still ends the app cleanly');
  }
});
