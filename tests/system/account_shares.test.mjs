// Costly work after sign-in is shared per account (issue: bounds): an account runs at most two
// searches, deep pages, exports or imports at once, so one account cannot take the blocking
// pool's threads from the others. A third is 429 with Retry-After at once, never a wait; another
// account is served meanwhile, and the shares come back when the work ends.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { firstAdmin, userWithRole } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError, assertStopsCleanly } from './lib/assertions.mjs';

let app;
let hr;
let other;

before(async () => {
  app = await startApp();
  const admin = await firstAdmin(app);
  hr = await userWithRole(app, admin, 'hr');
  other = await userWithRole(app, admin, 'hr', 'other');
});

after(() => assertStopsCleanly(app));

/** A dry-run import of 10,000 rows: long enough (a second or more) to be running when asked. */
function longImport(client) {
  const lines = ['name,role,department'];
  for (let i = 0; i < 10000; i += 1) lines.push(`Person ${i},Staff,Shares`);
  return client.post('/employees/import?dry_run=true', { body: Buffer.from(`${lines.join('\r\n')}\r\n`), headers: { 'content-type': 'text/csv' } });
}

/**
 * Starts two long imports of `client` and asks the first of `paths` until it is refused or both
 * imports have ended, then asks the others. Returns every answer, whether the imports were
 * still running after the last, and the imports' own answers.
 */
async function askWhileTwoImportsRun(client, paths) {
  let importsDone = false;
  const running = Promise.all([longImport(client), longImport(client)]).finally(() => {
    importsDone = true;
  });
  let first;
  do first = await client.get(paths[0]);
  while (first.status === 200 && !importsDone);
  const replies = [first];
  for (const path of paths.slice(1)) replies.push(await client.get(path));
  return { replies, running, refusedWhileRunning: !importsDone };
}

test('an account runs two costly requests at once; a third is 429 at once, another account is served', async () => {
  const paths = ['/employees?q=person', '/employees?offset=5000', '/employees.csv'];
  // The two imports must overlap, and outlast the three requests, for those to meet both: on a
  // loaded machine they may not, and then they are started again (at most five times).
  let attempt;
  for (let tries = 0; tries < 5; tries += 1) {
    attempt = await askWhileTwoImportsRun(hr, paths);
    if (attempt.refusedWhileRunning) break;
    await attempt.running;
  }
  const { replies, running, refusedWhileRunning } = attempt;
  assert.ok(refusedWhileRunning, 'refused while both imports ran, not after waiting for a share');
  replies.forEach((refused, i) => {
    assertError(refused, 429, 'too_many_requests');
    assert.equal(refused.headers.get('retry-after'), '1', paths[i]);
  });
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
