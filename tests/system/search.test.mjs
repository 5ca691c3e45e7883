// GET /employees?q= (docs/api.md, "Listing and searching"), on both engines: the folding table of
// data/search-folding.json (German, French, Spanish, Turkish, Greek, Cyrillic, Japanese,
// Chinese, Arabic, Hebrew and Devanagari names; apostrophes and hyphens; several words; role,
// department, email and location), each query answered with exactly the profiles it names,
// whether the profiles were written through the API or inserted by SQL and derived when the
// server next started; and the bounds of q (100 characters, 8 words).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { profilesDerivedAtStart, restartApp, startApp } from './lib/app.mjs';
import { assertError, assertStopsCleanly } from './lib/assertions.mjs';
import { dbTimestamp } from './lib/database.mjs';
import { linksOf } from './lib/listing.mjs';

const table = JSON.parse(readFileSync(path.join(import.meta.dirname, 'data', 'search-folding.json'), 'utf8'));
const allNames = table.profiles.map((p) => p.name);

/** The names GET /employees?q= finds (at most 100), sorted; checks the count agrees. */
async function namesFound(client, q) {
  const reply = await client.get(`/employees?q=${encodeURIComponent(q)}&limit=100`);
  assert.equal(reply.status, 200, `q=${q}: ${reply}`);
  assert.equal(Number(reply.headers.get('x-total-count')), reply.body.length, `q=${q}: the total counts what was found`);
  return reply.body.map((e) => e.name).sort();
}

/** Every case of the table, asserted at once so that one run names every case that fails. */
async function checkTable(client) {
  const failures = [];
  for (const { q, names, why } of table.cases) {
    const expected = [...(names === '*' ? allNames : names)].sort();
    const found = await namesFound(client, q);
    if (JSON.stringify(found) !== JSON.stringify(expected))
      failures.push(`q=${JSON.stringify(q)} (${why}): expected ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${table.cases.length} cases failed`);
}

test('the folding table has a case for every profile, and every expected name is a profile', () => {
  const named = new Set(table.cases.flatMap(({ names }) => (names === '*' ? [] : names)));
  for (const name of named) assert.ok(allNames.includes(name), `${name} is a profile of the table`);
  for (const name of allNames) assert.ok(named.has(name), `some case finds ${name}`);
  assert.ok(table.cases.some(({ names }) => Array.isArray(names) && names.length === 0), 'some cases must find nothing');
});

describe('profiles written through the API', () => {
  let app;
  let client;

  before(async () => {
    app = await startApp();
    client = app.client();
    await client.signUp('search');
    for (const profile of table.profiles) {
      const reply = await client.createEmployee(profile);
      assert.equal(reply.status, 201, `${profile.name}: ${reply}`);
      assert.equal(reply.body.name, profile.name, 'the name is stored as given, not folded');
    }
  });

  after(() => assertStopsCleanly(app));

  test('each query finds exactly the profiles of its case', async () => {
    await checkTable(client);
  });

  test('after a change a profile is found by every word it has, kept or new, and by none it lost', async () => {
    const made = await client.createEmployee({ name: 'Zoë Ångström', role: 'Physicist', department: 'Observatory' });
    assert.equal(made.status, 201);
    assert.deepEqual(await namesFound(client, 'angstrom'), ['Zoë Ångström']);
    const renamed = await client.request('PATCH', `/employees/${made.body.id}`, { json: { name: 'Zoë Ødegård', location: 'Tromsø' } });
    assert.equal(renamed.status, 200, String(renamed));
    assert.deepEqual(await namesFound(client, 'angstrom'), [], 'the old name is no longer found');
    for (const q of ['zoe', 'physicist', 'observatory', 'ødegard', 'tromsø', 'zoe physicist tromsø']) {
      assert.deepEqual(await namesFound(client, q), ['Zoë Ødegård'], `q=${q} after the rename`);
    }
    const moved = await client.request('PATCH', `/employees/${made.body.id}`, { json: { role: 'Astronomer' } });
    assert.equal(moved.status, 200, String(moved));
    assert.deepEqual(await namesFound(client, 'physicist'), [], 'the old role is no longer found');
    for (const q of ['astronomer', 'zoe', 'observatory', 'tromsø']) {
      assert.deepEqual(await namesFound(client, q), ['Zoë Ødegård'], `q=${q} after the new role`);
    }
    assert.equal((await client.request('DELETE', `/employees/${made.body.id}`)).status, 204);
    assert.deepEqual(await namesFound(client, 'zoe'), [], 'a deleted profile is found no more');
    await checkTable(client); // the other profiles are found as before
  });
});

describe('profiles inserted by SQL, derived at the next start', () => {
  let app;
  let client;

  before(async () => {
    app = await startApp();
    client = app.client();
    await client.signUp('derived');
    const text = (value) => (value === undefined ? 'NULL' : `'${value.replaceAll("'", "''")}'`);
    const now = `'${dbTimestamp(new Date())}'`;
    const rows = table.profiles.map(({ name, role, department, email, location }) =>
      `(${text(name)}, ${text(role)}, ${text(department)}, ${text(email)}, ${text(location)}, ${client.user.id}, ${now}, ${now})`);
    // As the previous release (or anyone with SQL) writes a profile: no sort key, no search words.
    await app.database.execute(
      `INSERT INTO employees (name, role, department, email, location, user_id, created_at, updated_at) VALUES ${rows.join(', ')}`);
    assert.equal(Number(await app.database.value('SELECT COUNT(*) FROM employees WHERE search_text IS NULL')), table.profiles.length);
    ({ app, client } = await restartApp(app, client));
    assert.equal(profilesDerivedAtStart(app), table.profiles.length, 'the start derived every inserted profile');
  });

  after(() => assertStopsCleanly(app));

  test('each query finds exactly the profiles of its case', async () => {
    await checkTable(client);
  });

  test('a profile the previous release changed is found by its new words after the next start, and by those it kept', async () => {
    const later = `'${dbTimestamp(new Date(Date.now() + 1000))}'`;
    // The previous release's UPDATE: the fields and updated_at, not the derived columns.
    await app.database.execute(`UPDATE employees SET name = 'Grace Brewster Hopper', updated_at = ${later} WHERE name = 'Grace Hopper'`);
    ({ app, client } = await restartApp(app, client));
    assert.equal(profilesDerivedAtStart(app), 1, 'the start derived the changed profile, and only it');
    for (const q of ['brewster', 'grace brewster hopper', 'hopper', 'admiral', 'navy', 'cobol', 'arlington']) {
      assert.deepEqual(await namesFound(client, q), ['Grace Brewster Hopper'], `q=${q}`);
    }
    assert.deepEqual(await namesFound(client, 'lovelace'), ['Ada Lovelace'], 'the other profiles are found as before');
  });
});

describe('the bounds of q', () => {
  let app;
  let client;

  before(async () => {
    app = await startApp();
    client = app.client();
    await client.signUp('bounds');
    assert.equal((await client.createEmployee({ name: 'a'.repeat(100), role: 'R', department: 'D' })).status, 201);
  });

  after(async () => {
    assert.equal(await app.stop(), 0);
  });

  const search = (q) => client.get(`/employees?q=${encodeURIComponent(q)}`);

  test('at most 100 characters, counted as code points, not bytes or UTF-16 units', async () => {
    for (const q of ['a'.repeat(100), '李'.repeat(100), 'é'.repeat(100), '😀'.repeat(100), `${'a'.repeat(50)} ${'b'.repeat(49)}`]) {
      assert.equal((await search(q)).status, 200, `${[...q].length} characters: ${q.slice(0, 12)}…`);
    }
    for (const q of ['a'.repeat(101), '李'.repeat(101), 'é'.repeat(101), '😀'.repeat(101), `${'a'.repeat(50)} ${'b'.repeat(50)}`]) {
      assertError(await search(q), 400, 'bad_request', ['q']);
    }
    const found = await search('a'.repeat(100));
    assert.deepEqual(found.body.map((e) => e.name), ['a'.repeat(100)], '100 characters still search');
  });

  test('at most 8 words, as the search splits them', async () => {
    const words = (n, separator = ' ') => Array.from({ length: n }, (_, i) => `w${i}`).join(separator);
    for (const q of [words(8), words(8, '-'), words(8, ', '), `${words(8)} % - …`, "o'b ".repeat(8), 'a'.repeat(100)]) {
      assert.equal((await search(q)).status, 200, q);
    }
    for (const q of [words(9), words(9, '-'), words(9, '.'), `${words(8)} x`, 'jean-luc '.repeat(5)]) {
      assertError(await search(q), 400, 'bad_request', ['q']);
    }
  });

  test("a search's links keep it, even where folding makes it longer than the 100 characters it was", async () => {
    // ß folds to ss and the ligature ﬃ to ffi: 60 and 40 characters that fold to 120.
    for (const [q, prefix] of [['ß'.repeat(60), 'Eszett'], ['ﬃ'.repeat(40), 'Ligature']]) {
      for (const n of [1, 2, 3]) {
        const reply = await client.createEmployee({ name: `${prefix} ${n} ${q}`, role: 'R', department: 'D' });
        assert.equal(reply.status, 201, String(reply));
      }
      const seen = [];
      for (let target = `/employees?q=${encodeURIComponent(q)}&limit=1`; target; ) {
        const reply = await client.get(target);
        assert.equal(reply.status, 200, `${target.slice(0, 80)}…: ${reply}`);
        assert.equal(reply.headers.get('x-total-count'), '3');
        seen.push(...reply.body.map((e) => e.name.split(' ').slice(0, 2).join(' ')));
        assert.ok(seen.length <= 3, 'the walk ends');
        target = linksOf(reply).next;
      }
      assert.deepEqual(seen, [1, 2, 3].map((n) => `${prefix} ${n}`), `q=${q[0]}…: next visits every match once`);
    }
  });

  test('a search of no words is no filter', async () => {
    const all = await client.get('/employees');
    for (const q of ['%', '--', ' ', "' ' '", '%_*?[]', '…']) {
      const reply = await search(q);
      assert.equal(reply.status, 200, q);
      assert.equal(reply.headers.get('x-total-count'), all.headers.get('x-total-count'), `q=${q}`);
    }
  });
});
