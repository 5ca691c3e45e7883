// Costly work after sign-in is shared per account (issue: bounds): an account runs at most two
// searches, deep pages, exports or imports at once, so one account cannot take the blocking
// pool's threads from the others. A third is 429 with Retry-After at once, never a wait; another
// account is served meanwhile, and the shares come back when the work ends.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { firstAdmin, userWithRole } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';

let app;
let hr;
let other;

before(async () => {
  app = await startApp();
  const admin = await firstAdmin(app);
  hr = await userWithRole(app, admin, 'hr');
  other = await userWithRole(app, admin, 'hr', 'other');
});

after(async () => {
  assert.deepEqual(app.requestLogs.filter((entry) => entry.status >= 500), [], 'no request was answered with a 5xx');
  assert.equal(await app.stop(), 0);
});

/** A dry-run import of 10,000 rows: long enough (a second or more) to be running when asked. */
function longImport(client) {
  const lines = ['name,role,department'];
  for (let i = 0; i < 10000; i += 1) lines.push(`Person ${i},Staff,Shares`);
  return client.post('/employees/import?dry_run=true', { body: Buffer.from(`${lines.join('\r\n')}\r\n`), headers: { 'content-type': 'text/csv' } });
}

test('an account runs two costly requests at once; a third is 429 at once, another account is served', async () => {
  let importsDone = false;
  const running = Promise.all([longImport(hr), longImport(hr)]).finally(() => {
    importsDone = true;
  });
  // Asked until both imports hold their shares (a loaded machine may take a while to start them).
  let third;
  const deadline = Date.now() + 30000;
  do third = await hr.get('/employees?q=person');
  while (third.status === 200 && !importsDone && Date.now() < deadline);
  assertError(third, 429, 'too_many_requests');
  assert.equal(third.headers.get('retry-after'), '1');
  for (const path of ['/employees?offset=5000', '/employees.csv']) {
    const refused = await hr.get(path);
    assertError(refused, 429, 'too_many_requests');
    assert.equal(refused.headers.get('retry-after'), '1', path);
  }
  assert.ok(!importsDone, 'refused while both imports ran, not after waiting for a share');
  const served = await other.get('/employees?q=person');
  assert.equal(served.status, 200, `another account searches meanwhile: ${served}`);
  // A read that is no search takes no share.
  assert.equal((await hr.get('/employees?limit=5')).status, 200);
  for (const reply of await running) {
    assert.equal(reply.status, 200, `${reply}`);
    assert.deepEqual(reply.body, { dry_run: true, created: 10000, updated: 0, unchanged: 0 });
  }
  assert.equal((await hr.get('/employees?q=person')).status, 200, 'the shares came back');
});
