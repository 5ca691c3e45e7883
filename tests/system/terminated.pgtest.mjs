// The server ends every connection under a steady load of directory reads, as a restart, a
// failover, a password rotation's clean-up or an operator's pg_terminate_backend do. A read
// whose connection was ended is made again on a fresh one, on the event loop's pipelined
// connection and on the pool's alike: no request fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Database } from './lib/database.mjs';
import { startApp, tempDir } from './lib/app.mjs';
import { queryRows } from './lib/postgres.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('every backend terminated five times under load: no read fails', async () => {
  const database = await Database.create(tempDir());
  const app = await startApp({ database });
  try {
    const client = app.client();
    await client.signUp('terminated');
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push((await client.createEmployee({ name: `Kept ${i}`, role: 'Staff', department: 'Ops' })).body.id);

    let running = true;
    const failures = [];
    let answered = 0;
    const reader = async (n) => {
      for (let i = n; running; i++) {
        const path = i % 3 === 0 ? '/employees?limit=10' : `/employees/${ids[i % ids.length]}`;
        const reply = await client.get(path);
        if (reply.status === 200) answered++;
        else failures.push(`${path} → ${reply}`);
      }
    };
    const readers = Array.from({ length: 8 }, (_, n) => reader(n));
    let terminated = 0;
    for (let round = 0; round < 5; round++) {
      await sleep(400);
      const ended = await queryRows('postgres',
        `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = '${database.postgresName}' AND pid <> pg_backend_pid()`);
      terminated += ended.filter((row) => row.ended).length;
    }
    await sleep(400);
    running = false;
    await Promise.all(readers);
    assert.ok(terminated >= 5, `the app's connections were ended (${terminated})`);
    assert.ok(answered > 100, `reads kept being answered (${answered})`);
    assert.deepEqual(failures, [], 'no read failed');
  } finally {
    await app.stop();
  }
});
