// GET /employees's order and its pages by cursor (docs/api.md, "Listing and searching"), on
// both engines: each sort's exact order over accented and non-Latin names, equal names, equal
// dates and undated profiles; every sort walked by `Link: next` with two profiles a page and
// back by `prev`, visiting each profile once; offsets beside cursors; and the 400s of an
// unknown sort and of cursors that are not this list's (another sort's, with offset, forged).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { profilesDerivedAtStart, restartApp, startApp } from './lib/app.mjs';
import { assertError, assertStopsCleanly } from './lib/assertions.mjs';
import { dbTimestamp } from './lib/database.mjs';
import { linksOf, listPage } from './lib/listing.mjs';

// Created in this order (ids ascending), so that no sort but `created` is the order of creation.
const people = [
  { name: 'Zoë', department: 'Sales', start_date: '2021-03-01' },
  { name: 'Baker', department: 'Engineering', start_date: '2020-01-15' },
  { name: 'Ölz', department: 'Équipe' },
  { name: 'adams', department: 'Accounts', start_date: '2017-06-30' },
  { name: 'Émile', department: 'Sales', start_date: '2020-01-15' },
  { name: 'Álvarez', department: 'Accounts', start_date: '2019-07-01' },
  { name: 'Adams', department: 'Engineering' },
  { name: 'Baker', department: 'Sales', start_date: '2022-11-30' },
  { name: 'ΟΔΥΣΣΕΥΣ', department: 'Équipe', start_date: '2018-05-05' },
  { name: '李小龙', department: 'Accounts' },
  { name: '山田 太郎', department: 'Engineering', start_date: '2023-04-01' },
  { name: 'Алексей', department: 'Sales', start_date: '2019-07-01' },
  { name: 'Ada Lovelace', department: 'Engineering', start_date: '2015-12-10' },
];

// Each sort's order, as indexes into `people`: by the Unicode Collation Algorithm's root order
// (lower case before upper, accents after the plain letter, Latin, Greek, Cyrillic, kana, Han),
// equal keys by id.
const byName = [12, 3, 6, 5, 1, 7, 4, 2, 0, 8, 11, 10, 9];
const expected = {
  name: byName,
  '-name': [...byName].reverse(),
  // Accounts, Engineering, Équipe, Sales; within one, by name.
  department: [3, 5, 9, 12, 6, 1, 10, 2, 8, 7, 4, 0, 11],
  // Earliest first, equal dates by id, undated last by id.
  start_date: [12, 3, 8, 5, 11, 1, 4, 0, 7, 10, 2, 6, 9],
  // Latest first, equal dates by id from the highest, undated still last, by id from the highest.
  '-start_date': [10, 7, 0, 4, 1, 11, 5, 8, 3, 12, 9, 6, 2],
  created: people.map((_, i) => i),
  '-created': people.map((_, i) => people.length - 1 - i),
};
const sorts = Object.keys(expected);

let app;
let client;
let ids; // of `people`, by index

before(async () => {
  app = await startApp();
  client = app.client();
  await client.signUp('order');
  ids = [];
  for (const person of people) {
    const reply = await client.createEmployee({ role: 'Staff', ...person });
    assert.equal(reply.status, 201, `${person.name}: ${reply}`);
    ids.push(reply.body.id);
  }
});

after(() => assertStopsCleanly(app));

const list = (target) => listPage(client, target);

const namesOf = (indexes) => indexes.map((i) => `${people[i].name} #${ids[i]}`);
const shown = (reply) => reply.body.map((e) => `${e.name} #${e.id}`);

describe('sorting', () => {
  for (const sort of sorts) {
    test(`sort=${sort}`, async () => {
      const reply = await list(`/employees?sort=${encodeURIComponent(sort)}`);
      assert.deepEqual(shown(reply), namesOf(expected[sort]));
      assert.equal(reply.headers.get('x-total-count'), String(people.length));
    });
  }

  test('without sort the order is by name', async () => {
    assert.deepEqual(shown(await list('/employees')), namesOf(byName));
  });

  test('a sort keeps to the filter', async () => {
    const sales = await list('/employees?department=Sales&sort=-start_date');
    assert.deepEqual(shown(sales), namesOf(expected['-start_date'].filter((i) => people[i].department === 'Sales')));
    const found = await list(`/employees?q=${encodeURIComponent('baker')}&sort=-created`);
    assert.deepEqual(shown(found), namesOf([7, 1]));
  });

  test('an unknown sort is 400 naming sort', async () => {
    for (const sort of ['Name', 'NAME', 'name ', ' name', '+name', '--name', '-', 'id', 'name,department', 'name;', '-department', 'created_at', 'start-date', 'nom', '名前']) {
      assertError(await client.get(`/employees?sort=${encodeURIComponent(sort)}`), 400, 'bad_request', ['sort']);
    }
  });
});

describe('pages by cursor', () => {
  /** Follows `rel` from `target` until there is none; returns each page's people, in the order visited, and the Link of each. */
  async function walk(target, rel) {
    const pages = [];
    const links = [];
    for (let next = target; next; ) {
      const reply = await list(next);
      pages.push(shown(reply));
      const link = linksOf(reply);
      links.push(link);
      assert.ok(pages.length <= people.length + 1, 'the walk ends');
      next = link[rel];
    }
    return { pages, links };
  }

  for (const sort of sorts) {
    test(`sort=${sort}: next from the first page visits every profile once, in order, and prev walks back through the same pages`, async () => {
      const first = `/employees?sort=${encodeURIComponent(sort)}&limit=2`;
      const forward = await walk(first, 'next');
      const want = namesOf(expected[sort]);
      assert.deepEqual(forward.pages.flat(), want, 'next visits every profile once, in sort order');
      assert.deepEqual(forward.pages.map((page) => page.length), [2, 2, 2, 2, 2, 2, 1]);
      const firstPage = shown(await list(first));
      forward.links.forEach((link, i) => {
        assert.equal('prev' in link, i > 0, `page ${i + 1}: prev after the first page only`);
        assert.equal('next' in link, i < forward.pages.length - 1, `page ${i + 1}: next while more remain`);
        assert.ok(link.first, `page ${i + 1}: first is there whenever prev or next is`);
        const target = new URL(link.first, 'http://app.invalid');
        assert.equal(target.searchParams.get('cursor'), null, 'first is the list without a cursor');
        assert.equal(target.searchParams.get('offset'), null, 'first is the list without an offset');
        for (const url of Object.values(link)) {
          const params = new URL(url, 'http://app.invalid').searchParams;
          assert.equal(params.get('sort'), sort, 'a link keeps the sort');
          assert.equal(params.get('limit'), '2', 'a link keeps the limit');
          assert.equal(params.get('offset'), null, 'links are by cursor');
        }
      });
      assert.deepEqual(shown(await list(forward.links[3].first)), firstPage, 'first is the first page');

      const last = forward.links.at(-2).next;
      const backward = await walk(last, 'prev');
      assert.deepEqual(backward.pages.reverse(), forward.pages, 'prev walks back through the same pages');
      assert.ok(!('prev' in backward.links.at(-1)), 'the first page, reached by prev, has no prev');
      assert.ok(backward.links.at(-1).next, 'the first page, reached by prev, has a next');
    });
  }

  test('the links keep the filters, and a filtered walk visits exactly the matches', async () => {
    const target = `/employees?department=Sales&q=${encodeURIComponent('staff')}&sort=-start_date&limit=1`;
    const forward = await walk(target, 'next');
    const want = namesOf(expected['-start_date'].filter((i) => people[i].department === 'Sales'));
    assert.deepEqual(forward.pages.flat(), want);
    for (const link of forward.links)
      for (const url of Object.values(link)) {
        const params = new URL(url, 'http://app.invalid').searchParams;
        assert.equal(params.get('department'), 'Sales');
        assert.equal(params.get('q'), 'staff');
      }
    const backward = await walk(forward.links.at(-2).next, 'prev');
    assert.deepEqual(backward.pages.reverse().flat(), want);
  });

  test('a page by offset links its neighbours by cursor', async () => {
    const page = await list('/employees?sort=name&limit=3&offset=4');
    assert.deepEqual(shown(page), namesOf(byName.slice(4, 7)));
    const links = linksOf(page);
    assert.deepEqual(Object.keys(links).sort(), ['first', 'next', 'prev']);
    assert.deepEqual(shown(await list(links.next)), namesOf(byName.slice(7, 10)));
    assert.deepEqual(shown(await list(links.prev)), namesOf(byName.slice(1, 4)), 'the three before the page');
    assert.deepEqual(shown(await list(links.first)), namesOf(byName.slice(0, 3)));
  });

  test('a list that fits one page has no Link; a page past the end has no next', async () => {
    const whole = await list('/employees?limit=100');
    assert.equal(whole.body.length, people.length);
    assert.equal(whole.headers.get('link'), null);
    const beyond = await list('/employees?limit=5&offset=100');
    assert.deepEqual(beyond.body, []);
    assert.equal(beyond.headers.get('x-total-count'), String(people.length));
    const links = linksOf(beyond);
    assert.ok(links.first && !links.next, 'first and no next past the end');
  });

  test('a cursor names a place, so it still works when the profile it was made at is gone', async () => {
    const extra = [];
    for (const name of ['Zz One', 'Zz Two', 'Zz Three']) extra.push((await client.createEmployee({ name, role: 'Staff', department: 'Temp' })).body.id);
    try {
      const first = await list('/employees?department=Temp&sort=created&limit=1');
      assert.deepEqual(first.body.map((e) => e.id), [extra[0]]);
      assert.equal((await client.request('DELETE', `/employees/${extra[0]}`)).status, 204);
      const next = await list(linksOf(first).next);
      assert.deepEqual(next.body.map((e) => e.id), [extra[1]]);
      assert.deepEqual((await list(linksOf(next).next)).body.map((e) => e.id), [extra[2]]);
    } finally {
      for (const id of extra) await client.request('DELETE', `/employees/${id}`);
    }
  });
});

describe('cursors that are not this list\'s', () => {
  /** The cursor of the next link of the first page of `sort`. */
  async function cursorOf(sort, extra = '') {
    const reply = await list(`/employees?sort=${encodeURIComponent(sort)}&limit=2${extra}`);
    return new URL(linksOf(reply).next, 'http://app.invalid').searchParams.get('cursor');
  }

  test('a cursor of another sort is 400 naming cursor', async () => {
    for (const sort of sorts) {
      const cursor = await cursorOf(sort);
      assert.ok(cursor, `sort=${sort} has a next cursor`);
      assert.equal((await list(`/employees?sort=${encodeURIComponent(sort)}&limit=2&cursor=${encodeURIComponent(cursor)}`)).body.length, 2);
      for (const other of sorts.filter((s) => s !== sort)) {
        const reply = await client.get(`/employees?sort=${encodeURIComponent(other)}&limit=2&cursor=${encodeURIComponent(cursor)}`);
        assertError(reply, 400, 'bad_request', ['cursor']);
      }
    }
    const byName = await cursorOf('name');
    assert.equal((await list(`/employees?limit=2&cursor=${encodeURIComponent(byName)}`)).body.length, 2, 'name is the sort when none is given');
    assertError(await client.get(`/employees?limit=2&cursor=${encodeURIComponent(await cursorOf('-name'))}`), 400, 'bad_request', ['cursor']);
  });

  test('cursor with offset is 400 naming cursor', async () => {
    const cursor = encodeURIComponent(await cursorOf('name'));
    for (const offset of ['0', '2']) {
      assertError(await client.get(`/employees?sort=name&limit=2&cursor=${cursor}&offset=${offset}`), 400, 'bad_request', ['cursor']);
    }
  });

  test('a malformed cursor is 400 naming cursor, on every sort', async () => {
    const good = {};
    for (const sort of sorts) good[sort] = await cursorOf(sort);
    const [, , id, nameKey] = good.name.split('.');
    assert.match(nameKey, /^[0-9a-f]*[a-f][0-9a-f]*$/, 'a name key is lowercase hex, with letters');
    const forged = {
      name: [
        'x', '.', '...', 'a...', 'a.name..', `a.name.${id}`, `a.name..${nameKey}`, `c.name.${id}.${nameKey}`, `a.nom.${id}.${nameKey}`,
        `a.name.0.${nameKey}`, `a.name.-1.${nameKey}`, `a.name.2147483648.${nameKey}`, `a.name.99999999999999999999.${nameKey}`,
        `a.name.1e3.${nameKey}`, `a.name.0x10.${nameKey}`, `a.name. 1.${nameKey}`, `a.name.${id}.${nameKey}0`, `a.name.${id}.zz`,
        `a.name.${id}.${nameKey.toUpperCase()}`, `a.name.${id}.${'ab'.repeat(3000)}`, `a.name.${id}.${nameKey}.extra`,
        `a.name.${id}.${nameKey}' OR '1'='1`, "' OR 1=1; DROP TABLE employees; --", `a.name.${id}.%`, `a.name.${id}.李`,
      ],
      start_date: [
        `a.start_date.${id}.2024-13-45`, `a.start_date.${id}.2023-02-29`, `a.start_date.${id}.2024-00-10`, `a.start_date.${id}.24-01-01`,
        `a.start_date.${id}.2024-1-1`, `a.start_date.${id}.not-a-date`, `a.start_date.${id}.2024-01-01T00:00:00`,
        `a.start_date.${id}.00`, `a.start_date.${id}.`, `a.start_date.${id}.2024-01-01'; DROP TABLE employees; --`,
      ],
      '-start_date': [`b.-start_date.${id}.2024-13-45`, `a.-start_date.${id}.99999-01-01`, `a.-start_date.${id}.-2024-01-01`],
      department: [`a.department.${id}.xyz`, `a.department.${id}.abc`],
      created: [`a.created.${id}.00`, `a.created.${id}.2024-01-01`, `a.created.abc.`, `b.created.0.`],
    };
    for (const [sort, cursors] of Object.entries(forged)) {
      for (const cursor of cursors) {
        const reply = await client.get(`/employees?sort=${encodeURIComponent(sort)}&limit=2&cursor=${encodeURIComponent(cursor)}`);
        assertError(reply, 400, 'bad_request', ['cursor']);
      }
    }
    assert.equal(Number(await app.database.value('SELECT COUNT(*) FROM employees')), people.length, 'the profiles are all still there');
  });
});

describe('profiles written without sort keys (by the previous release during a rolling deploy)', () => {
  test('are listed and walked by cursor once each in every sort, the same on both engines, until the next start sorts them by name', async () => {
    let other = await startApp();
    try {
      let writer = other.client();
      await writer.signUp('rolling');
      for (const name of ['Bea', 'Cid', 'Dan']) assert.equal((await writer.createEmployee({ name, role: 'Staff', department: 'Ops' })).status, 201);
      const now = `'${dbTimestamp(new Date())}'`;
      // The previous release's INSERT: none of the derived columns.
      await other.database.execute(`INSERT INTO employees (name, role, department, user_id, created_at, updated_at) VALUES
        ('Abe Old', 'Staff', 'Ops', ${writer.user.id}, ${now}, ${now}), ('Zed Old', 'Staff', 'Ops', ${writer.user.id}, ${now}, ${now})`);
      const walked = async (sort) => {
        const names = [];
        for (let target = `/employees?sort=${sort}&limit=2`; target; ) {
          const reply = await writer.get(target);
          assert.equal(reply.status, 200, `${target}: ${reply}`);
          assert.equal(reply.headers.get('x-total-count'), '5');
          names.push(...reply.body.map((e) => e.name));
          assert.ok(names.length <= 10, 'the walk ends');
          target = linksOf(reply).next;
        }
        return names;
      };
      // Not derived yet: an empty sort key, before every other name.
      const notYet = ['Abe Old', 'Zed Old', 'Bea', 'Cid', 'Dan'];
      assert.deepEqual(await walked('name'), notYet);
      assert.deepEqual(await walked('-name'), [...notYet].reverse());
      assert.deepEqual(await walked('department'), notYet);
      assert.deepEqual(await walked('created'), ['Bea', 'Cid', 'Dan', 'Abe Old', 'Zed Old']);
      assert.deepEqual((await walked('start_date')).sort(), [...notYet].sort());

      ({ app: other, client: writer } = await restartApp(other, writer));
      const sorted = ['Abe Old', 'Bea', 'Cid', 'Dan', 'Zed Old'];
      assert.deepEqual(await walked('name'), sorted);
      assert.deepEqual(await walked('-name'), [...sorted].reverse());
      assert.deepEqual(await walked('department'), sorted);
    } finally {
      await other.stop();
    }
  });
});

describe('names whose collation keys are long', () => {
  test('profiles with the longest names allowed are walked by cursor once each in every sort', async () => {
    const other = await startApp();
    try {
      const writer = other.client();
      await writer.signUp('long');
      const han = Array.from({ length: 255 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
      // 255 characters each, as the name rules allow; ﷺ is one character that collation reads as 18 letters.
      const names = ['ﷺ'.repeat(255), 'Ǆ'.repeat(255), han, 'a'.repeat(255), 'Bob'];
      for (const [i, name] of names.entries()) {
        const reply = await writer.createEmployee({ name, role: 'Staff', department: names[(i + 1) % names.length], start_date: '2024-01-01' });
        assert.equal(reply.status, 201, String(reply));
      }
      for (const sort of sorts) {
        const seen = [];
        for (let target = `/employees?sort=${encodeURIComponent(sort)}&limit=1`; target; ) {
          // fetch, like many clients and proxies, reads at most 16 KiB of response headers.
          const reply = await writer.get(target).catch((error) => {
            throw new Error(`sort=${sort}, page ${seen.length + 1}: the response could not be read: ${error.cause?.message ?? error.message}`);
          });
          assert.equal(reply.status, 200, `sort=${sort}, page ${seen.length + 1}: ${reply}`);
          seen.push(...reply.body.map((e) => e.name));
          assert.ok(seen.length <= names.length, 'the walk ends');
          target = linksOf(reply).next;
        }
        assert.deepEqual([...seen].sort(), [...names].sort(), `sort=${sort} visits every profile once`);
      }
    } finally {
      await other.stop();
    }
  });

  test('names and departments of 255 characters in any script are written, derived at start and listed on both engines', async () => {
    // Random syllables and ideographs (a fixed seed): collation keys of about 1.5 KB each that
    // compress badly, 3 KB for a department's key, which ends with the name's.
    let seed = 42;
    const random = (n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const text = (first, count) => Array.from({ length: 255 }, () => String.fromCodePoint(first + random(count))).join('');
    const hangul = () => text(0xac00, 11172);
    const han = () => text(0x4e00, 20000);
    let other = await startApp();
    try {
      let writer = other.client();
      await writer.signUp('script');
      const written = [];
      for (let i = 0; i < 5; i++) {
        const profile = { name: hangul(), role: 'Staff', department: han() };
        const reply = await writer.createEmployee(profile);
        assert.equal(reply.status, 201, `profile ${i + 1}: ${reply}`);
        written.push(profile.name);
      }
      const inserted = Array.from({ length: 5 }, () => ({ name: hangul(), department: han() }));
      const now = `'${dbTimestamp(new Date())}'`;
      await other.database.execute(`INSERT INTO employees (name, role, department, user_id, created_at, updated_at) VALUES ${
        inserted.map(({ name, department }) => `('${name}', 'Staff', '${department}', ${writer.user.id}, ${now}, ${now})`).join(', ')}`);
      ({ app: other, client: writer } = await restartApp(other, writer));
      assert.equal(profilesDerivedAtStart(other), inserted.length);
      const all = [...written, ...inserted.map((p) => p.name)];
      for (const sort of ['name', 'department']) {
        const listed = await writer.get(`/employees?sort=${sort}&limit=100`);
        assert.equal(listed.status, 200, String(listed));
        assert.deepEqual(listed.body.map((e) => e.name).sort(), [...all].sort(), `sort=${sort} lists every profile`);
      }
    } finally {
      await other.stop();
    }
  });
});
