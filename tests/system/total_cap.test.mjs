// X-Total-Count is exact up to 10,000 and capped above (docs/api.md, "Listing and searching"),
// on both engines, over 10,050 profiles inserted by SQL (as the previous release or a bulk load
// writes them, with no sort key or search words) and derived when the server next starts: the
// cap and X-Total-Count-Capped without a filter, exact counts (and no cap header) at 10,000 and
// below, a search that finds the inserted rows, and the deep pages reached by cursor and by offset.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { profilesDerivedAtStart, restartApp, startApp } from './lib/app.mjs';
import { assertStopsCleanly } from './lib/assertions.mjs';
import { dbTimestamp, engine } from './lib/database.mjs';
import { linksOf, listPage } from './lib/listing.mjs';

const bulk = 10050;
const inDepartment = 10000; // the rest are in 'Overflow'
let app;
let client;

/** 'Bulk 00000' … 'Bulk 10049', each with a word of its own; every 100th in Lyon. */
function insertStatement(userId) {
  const now = `'${dbTimestamp(new Date())}'`;
  const number = engine === 'postgres' ? "lpad(i::text, 5, '0')" : "printf('%05d', i)";
  const rows = `SELECT 'Bulk ' || ${number}, 'Clerk', CASE WHEN i < ${inDepartment} THEN 'Ledger' ELSE 'Overflow' END,
      CASE WHEN i % 100 = 7 THEN 'Lyon' END, ${userId}, ${now}, ${now}`;
  const columns = 'INSERT INTO employees (name, role, department, location, user_id, created_at, updated_at)';
  if (engine === 'postgres') return `${columns} ${rows} FROM generate_series(0, ${bulk - 1}) AS i`;
  return `${columns} WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${bulk - 1}) ${rows} FROM n`;
}

before(async () => {
  app = await startApp();
  client = app.client();
  await client.signUp('bulk');
  assert.equal((await client.createEmployee({ name: 'Written Through The API', role: 'Clerk', department: 'Ledger' })).status, 201);
  await app.database.execute(insertStatement(client.user.id));
  assert.equal(Number(await app.database.value("SELECT COUNT(*) FROM employees WHERE derived_at IS NULL AND name_key = ''")), bulk);
  ({ app, client } = await restartApp(app, client));
  assert.equal(profilesDerivedAtStart(app), bulk, 'the start derived every inserted profile');
  // And then tidied the search index of what 10,050 updates left (a VACUUM on PostgreSQL).
  assert.ok(app.logs.some((entry) => entry.msg === "profiles' search index tidied"), 'the search index was tidied');
  if (engine === 'postgres') {
    assert.notEqual(await app.database.value("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'employees'"), null);
  }
});

after(() => assertStopsCleanly(app));

const list = (target) => listPage(client, target);

function assertTotal(reply, total, capped) {
  assert.equal(reply.headers.get('x-total-count'), String(total));
  assert.equal(reply.headers.get('x-total-count-capped'), capped ? 'true' : null);
}

test('above 10,000 matches the total says 10000 and X-Total-Count-Capped: true', async () => {
  assertTotal(await list('/employees'), 10000, true);
  assertTotal(await list('/employees?sort=-created&limit=1'), 10000, true);
  assertTotal(await list('/employees?q=bulk'), 10000, true);
  assertTotal(await list('/employees?q=clerk&limit=100&offset=10040'), 10000, true);
});

test('at 10,000 and below the total is exact, without the cap header', async () => {
  const ledger = await list('/employees?department=Ledger&limit=5');
  assertTotal(ledger, 10000, true); // 10,000 inserted and one written through the API
  assertTotal(await list('/employees?department=Ledger&q=bulk&limit=5'), 10000, false);
  assertTotal(await list('/employees?department=Overflow'), bulk - inDepartment, false);
  assertTotal(await list('/employees?q=lyon&limit=100'), 101, false);
  assertTotal(await list('/employees?q=lyon&department=Overflow'), 1, false);
  assertTotal(await list('/employees?q=nobody'), 0, false);
});

test('a search past the cap pages in its order as one below it does', async () => {
  // Past 10,000 matches the page is matched again in the sort's order; at 10,000 it is read from
  // the matches counted for the total. Both must give the sort's first rows, and go on by cursor.
  const names = (reply) => reply.body.map((e) => e.name);
  const past = await list('/employees?q=bulk&sort=name&limit=3');
  assertTotal(past, 10000, true);
  assert.deepEqual(names(past), ['Bulk 00000', 'Bulk 00001', 'Bulk 00002']);
  assert.deepEqual(names(await list(linksOf(past).next)), ['Bulk 00003', 'Bulk 00004', 'Bulk 00005']);
  assert.deepEqual(names(await list('/employees?q=bulk&sort=-name&limit=2')), ['Bulk 10049', 'Bulk 10048']);
  assert.deepEqual(names(await list('/employees?q=clerk&limit=100&offset=10040')),
    [...Array.from({ length: 10 }, (_, i) => `Bulk ${10040 + i}`), 'Written Through The API']);
  const at = await list('/employees?department=Ledger&q=bulk&sort=-name&limit=2');
  assertTotal(at, 10000, false);
  assert.deepEqual(names(at), ['Bulk 09999', 'Bulk 09998']);
  assert.deepEqual(names(await list(linksOf(at).next)), ['Bulk 09997', 'Bulk 09996']);
});

test('a search finds the profiles inserted by SQL, by their words', async () => {
  const one = await list('/employees?q=04242');
  assert.deepEqual(one.body.map((e) => e.name), ['Bulk 04242']);
  assertTotal(one, 1, false);
  const two = await list(`/employees?q=${encodeURIComponent('BULK 10049')}`);
  assert.deepEqual(two.body.map((e) => e.name), ['Bulk 10049']);
  const lyon = await list('/employees?q=lyon&department=Overflow');
  assert.deepEqual(lyon.body.map((e) => [e.name, e.location]), [['Bulk 10007', 'Lyon']]);
  const api = await list('/employees?q=written%20api');
  assert.deepEqual(api.body.map((e) => e.name), ['Written Through The API']);
});

test('the pages by cursor reach the last page, whose prev is the page before it', async () => {
  // Sorted by name: 'Bulk 00000' … 'Bulk 10049', then 'Written Through The API'.
  let target = '/employees?sort=name&limit=100';
  const seen = new Set();
  let pages = 0;
  let last;
  let previous;
  while (target) {
    const page = await list(target);
    for (const e of page.body) {
      assert.ok(!seen.has(e.id), `${e.name} is on one page only`);
      seen.add(e.id);
    }
    pages += 1;
    previous = last;
    last = page;
    target = linksOf(page).next;
  }
  assert.equal(pages, Math.ceil((bulk + 1) / 100));
  assert.equal(seen.size, bulk + 1, 'every profile once');
  assert.equal(last.body.length, (bulk + 1) % 100);
  assert.deepEqual([last.body[0].name, last.body.at(-2).name, last.body.at(-1).name], ['Bulk 10000', 'Bulk 10049', 'Written Through The API']);
  assertTotal(last, 10000, true);
  const links = linksOf(last);
  assert.ok(links.first && links.prev && !links.next);
  const back = await list(links.prev);
  assert.deepEqual(back.body.map((e) => e.id), previous.body.map((e) => e.id));
  assert.deepEqual([back.body[0].name, back.body.at(-1).name], ['Bulk 09900', 'Bulk 09999']);
});

test('a deep page by offset is the page by cursor at that depth', async () => {
  const byOffset = await list('/employees?sort=-created&limit=100&offset=10000');
  assert.deepEqual(byOffset.body.map((e) => e.name).slice(0, 2), ['Bulk 00049', 'Bulk 00048']);
  assert.equal(byOffset.body.length, bulk + 1 - 10000);
  assert.deepEqual(byOffset.body.at(-1).name, 'Written Through The API', 'the first profile made is last');
  const next = linksOf(await list('/employees?sort=-created&limit=100&offset=9900')).next;
  assert.deepEqual((await list(next)).body.map((e) => e.id), byOffset.body.map((e) => e.id));
});
