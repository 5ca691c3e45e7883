// Every error case of the contract (docs/api.md) with its status, `error` code and `fields`:
// registration and password rules, sign-in failures, the session cookie and its expiry,
// requests from other origins, content types, employee validation, ownership, images,
// list parameters; and that a failed request leaves no row and no file behind.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertError } from './lib/assertions.mjs';
import { startApp, testEnv } from './lib/app.mjs';
import { dbTimestamp } from './lib/database.mjs';
import { defaultPassword, uniqueUsername } from './lib/http.mjs';
import { imageSize, png, samples } from './lib/images.mjs';
import { linksOf } from './lib/listing.mjs';

const maxImageBytes = 64 * 1024;
let app;
before(async () => {
  // The test client stands for the load balancer too (TRUSTED_PROXIES): X-Forwarded-Proto counts.
  app = await startApp({ env: { MAX_IMAGE_BYTES: String(maxImageBytes), TRUSTED_PROXIES: '127.0.0.1/32' } });
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

const imagesDir = () => path.join(app.dataDir, 'uploads', testEnv.DEPLOYMENT_ID);
const storedImages = () => (existsSync(imagesDir()) ? readdirSync(imagesDir()).sort() : []);
const employeeCount = () => app.database.value('SELECT count(*) AS n FROM employees');
const photo = (seed = 1) => ({ bytes: png({ seed }), filename: 'photo.png', type: 'image/png' });
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Runs `attempt` and checks that it added no employee row and no image file. */
async function leavesNothing(attempt) {
  const rowsBefore = await employeeCount();
  const filesBefore = storedImages();
  const result = await attempt();
  assert.equal(await employeeCount(), rowsBefore, 'a failed request adds no row');
  assert.deepEqual(storedImages(), filesBefore, 'a failed request leaves no image file');
  return result;
}

describe('registration', () => {
  test('a taken username is refused, whatever its case', async () => {
    const client = app.client();
    const username = uniqueUsername('Taken');
    assert.equal((await client.register(username, defaultPassword)).status, 201);
    assertError(await client.register(username, defaultPassword), 400, 'username_taken');
    assertError(await client.register(username.toUpperCase(), defaultPassword), 400, 'username_taken');
    assertError(await client.register(username.toLowerCase(), defaultPassword), 400, 'username_taken');
  });

  test('usernames must be 3 to 64 characters from letters, digits, ".", "_" and "-"', async () => {
    const client = app.client();
    for (const bad of ['ab', 'x'.repeat(65), 'has space', 'semi;colon', 'ünïcode', 'quote\'s', 'slash/y', '']) {
      assertError(await client.register(bad, defaultPassword), 400, 'validation_failed', ['username']);
    }
    const random = uniqueUsername('a.b-c'); // 'a.b-c_' and ten hex digits
    for (const good of [random.slice(-3), `${random}${'Z'.repeat(64)}`.slice(0, 64)]) {
      assert.equal((await client.register(good, defaultPassword)).status, 201, good);
    }
  });

  test('passwords must be 8 to 72 bytes of UTF-8, counted in bytes, never truncated', async () => {
    const client = app.client();
    for (const bad of ['short', '1234567', 'p'.repeat(73), '€'.repeat(25), 'with\u0000nul!']) {
      assertError(await client.register(uniqueUsername(), bad), 400, 'validation_failed', ['password']);
    }
    // 24 euro signs are 72 bytes: the longest password bcrypt reads whole.
    const longest = '€'.repeat(24);
    const username = uniqueUsername();
    assert.equal((await client.register(username, longest)).status, 201);
    assert.equal((await client.login(username, longest)).status, 200);
    // A password that differs only past byte 72 is a different password, not a match.
    assertError(await client.login(username, `${longest}x`), 401, 'unauthorized');
    const eightBytes = uniqueUsername();
    assert.equal((await client.register(eightBytes, 'q7#Kx2!m')).status, 201);
  });

  test('missing or non-string fields are named', async () => {
    const client = app.client();
    assertError(await client.post('/register', { json: {} }), 400, 'validation_failed', ['username', 'password']);
    assertError(await client.post('/register', { json: { username: 12345, password: defaultPassword } }), 400, 'validation_failed', ['username']);
    assertError(await client.post('/register', { json: { username: uniqueUsername(), password: ['x'] } }), 400, 'validation_failed', ['password']);
  });
});

describe('sign-in', () => {
  test('a wrong password and an unknown user get the same answer and no cookie', async () => {
    const client = app.client();
    const username = uniqueUsername();
    await client.register(username, defaultPassword);
    const wrong = await client.login(username, `${defaultPassword}!`);
    const unknown = await client.login(uniqueUsername('ghost'), defaultPassword);
    const malformed = await client.login('x', 'y');
    assertError(wrong, 401, 'unauthorized');
    assert.deepEqual(unknown.body, wrong.body);
    assert.deepEqual(malformed.body, wrong.body);
    assert.equal(unknown.status, wrong.status);
    for (const reply of [wrong, unknown, malformed]) assert.deepEqual(reply.setCookies, []);
  });

  test('the session cookie is HttpOnly, SameSite=Lax, Path=/, and Secure only when the client used HTTPS', async () => {
    const client = app.client();
    const user = await client.signUp();
    const plain = await client.login(user.username, user.password);
    const [cookie] = plain.setCookies;
    assert.match(cookie, /^hrapp_session=[A-Za-z0-9_-]+;/);
    const attributes = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    for (const expected of ['httponly', 'samesite=lax', 'path=/', 'max-age=43200']) assert.ok(attributes.includes(expected), cookie);
    assert.ok(!attributes.includes('secure'), `no Secure over plain HTTP: ${cookie}`);
    const proxied = await client.post('/login', {
      json: { username: user.username, password: user.password }, headers: { 'x-forwarded-proto': 'https' },
    });
    assert.ok(proxied.setCookies[0].split(';').map((a) => a.trim().toLowerCase()).includes('secure'), proxied.setCookies[0]);
  });

  test('the token carries at least 128 random bits and only its SHA-256 is stored', async () => {
    const client = app.client();
    await client.signUp();
    const token = client.token;
    assert.ok(Buffer.from(token, 'base64url').length >= 16, `token ${token} is too short`);
    assert.equal(await app.database.value(`SELECT count(*) AS n FROM sessions WHERE id = '${sha256(token)}'`), 1);
    assert.equal(await app.database.value(`SELECT count(*) AS n FROM sessions WHERE id = '${token}' OR data LIKE '%${token}%'`), 0);
  });

  test('a session ends after 30 idle minutes and 12 hours after sign-in', async () => {
    const idle = app.client();
    await idle.signUp();
    const idleId = sha256(idle.token);
    assert.equal((await idle.get('/me')).status, 200);
    await app.database.execute(`UPDATE sessions SET expires_at = '${dbTimestamp(new Date(Date.now() - 1000))}' WHERE id = '${idleId}'`);
    assertError(await idle.get('/me'), 401, 'unauthorized');

    const old = app.client();
    await old.signUp();
    const oldId = sha256(old.token);
    const hoursAgo = (h) => dbTimestamp(new Date(Date.now() - h * 3600 * 1000));
    await app.database.execute(`UPDATE sessions SET created_at = '${hoursAgo(11.9)}' WHERE id = '${oldId}'`);
    assert.equal((await old.get('/me')).status, 200, 'still valid just under 12 hours');
    await app.database.execute(`UPDATE sessions SET created_at = '${hoursAgo(12.1)}' WHERE id = '${oldId}'`);
    assertError(await old.get('/me'), 401, 'unauthorized');
  });

  test('a directory read extends an idle session as every other request does', async () => {
    // Reads run in place on the I/O thread when they need not wait; extending a session is a
    // write, so such a read runs again where it may wait, and still answers.
    const reader = app.client();
    await reader.signUp();
    const id = sha256(reader.token);
    const created = await reader.createEmployee({ name: 'Ada', role: 'Engineer', department: 'R&D' });
    const minutesAgo = (m) => dbTimestamp(new Date(Date.now() - m * 60 * 1000));
    for (const path of ['/employees', `/employees/${created.body.id}`]) {
      await app.database.execute(
        `UPDATE sessions SET last_seen_at = '${minutesAgo(10)}', expires_at = '${minutesAgo(-20)}' WHERE id = '${id}'`);
      const read = await reader.get(path);
      assert.equal(read.status, 200, path);
      // Both engines' text, as 'YYYY-MM-DD HH:MM:SS...', compared as text.
      const column = async (name) =>
        String(await app.database.value(`SELECT ${name} AS v FROM sessions WHERE id = '${id}'`)).replace('T', ' ');
      const lastSeen = await column('last_seen_at');
      const expires = await column('expires_at');
      assert.ok(lastSeen > minutesAgo(1), `${path} moved last_seen_at to now (${lastSeen})`);
      assert.ok(expires > minutesAgo(-29), `${path} extended the idle expiry (${expires})`);
    }
  });
});

describe('requests from other origins', () => {
  test('unsafe requests from another site or origin are refused and change nothing', async () => {
    const client = app.client();
    await client.signUp();
    const refusals = [
      { origin: 'http://evil.example' },
      { origin: `http://127.0.0.1:${app.port + 1}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of refusals) {
      await leavesNothing(async () => {
        const reply = await client.post('/employees', { form: { name: 'X', role: 'Y', department: 'Z' }, headers });
        assertError(reply, 403, 'forbidden');
      });
    }
    const mine = await client.createEmployee({ name: 'Kept', role: 'R', department: 'D' });
    assert.equal(mine.status, 201);
    assertError(await client.request('DELETE', `/employees/${mine.body.id}`, { headers: refusals[0] }), 403, 'forbidden');
    assertError(await client.post('/logout', { headers: refusals[2] }), 403, 'forbidden');
    assert.equal((await client.get('/me')).status, 200, 'the cross-site sign-out did nothing');
    assert.equal((await client.get(`/employees/${mine.body.id}`)).status, 200);
    // The app's own pages send their origin, and that is allowed.
    const same = await client.post('/employees', {
      form: { name: 'Same', role: 'R', department: 'D' }, headers: { origin: app.url, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(same.status, 201, `${same}`);
  });

  test('sign-in from another site is refused (login CSRF)', async () => {
    const client = app.client();
    const user = await client.signUp();
    const reply = await client.post('/login', {
      json: { username: user.username, password: user.password }, headers: { 'sec-fetch-site': 'cross-site' },
    });
    assertError(reply, 403, 'forbidden');
    assert.deepEqual(reply.setCookies, []);
  });
});

describe('content types', () => {
  test('JSON routes answer 415 to anything but application/json', async () => {
    const client = app.client();
    const body = JSON.stringify({ username: uniqueUsername(), password: defaultPassword });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const headers = type ? { 'content-type': type } : {};
      assertError(await client.post('/register', { body, headers }), 415, 'unsupported_media_type');
      assertError(await client.post('/login', { body, headers }), 415, 'unsupported_media_type');
    }
    const withCharset = await client.post('/register', { body, headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(withCharset.status, 201);
  });

  test('upload routes answer 415 to anything but multipart/form-data', async () => {
    const client = app.client();
    await client.signUp();
    await leavesNothing(async () => {
      assertError(await client.post('/employees', { json: { name: 'A', role: 'B', department: 'C' } }), 415, 'unsupported_media_type');
    });
    const mine = await client.createEmployee({ name: 'A', role: 'B', department: 'C' });
    assertError(await client.request('PUT', `/employees/${mine.body.id}`, { json: { name: 'A', role: 'B', department: 'C' } }), 415, 'unsupported_media_type');
    assertError(await client.request('PATCH', `/employees/${mine.body.id}`, { body: 'name=A', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });
});

describe('employees', () => {
  test('missing and invalid fields are each named', async () => {
    const client = app.client();
    await client.signUp();
    await leavesNothing(async () => {
      assertError(await client.post('/employees', { form: { other: 'x' } }), 400, 'validation_failed', ['name', 'role', 'department']);
      assertError(await client.createEmployee({ name: 'A', role: 'B', image: photo() }), 400, 'validation_failed', ['department']);
      assertError(await client.createEmployee({ name: '   ', role: 'B', department: 'C' }), 400, 'validation_failed', ['name']);
      assertError(await client.createEmployee({ name: 'A', role: 'line\nbreak', department: 'C' }), 400, 'validation_failed', ['role']);
      assertError(await client.createEmployee({ name: 'n'.repeat(256), role: 'B', department: 'tab\there' }), 400, 'validation_failed', ['name', 'department']);
    });
    const longest = await client.createEmployee({ name: 'é'.repeat(255), role: '  padded  ', department: 'C' });
    assert.equal(longest.status, 201, '255 characters are allowed, counted as characters');
    assert.equal(longest.body.role, 'padded', 'spaces around a value are trimmed');
  });

  test('clients cannot set ids, owners, image keys or timestamps', async () => {
    const client = app.client();
    const user = await client.signUp();
    const reply = await client.createEmployee({
      name: 'A', role: 'B', department: 'C', id: '987654', user_id: '1', image_s3_key: '../../etc/passwd',
      image_url: 'http://evil.example/x.png', created_at: '2000-01-01T00:00:00Z', updated_at: '2000-01-01T00:00:00Z',
    });
    assert.equal(reply.status, 201);
    assert.notEqual(reply.body.id, 987654);
    assert.equal(reply.body.user_id, user.id);
    assert.equal(reply.body.image_url, null);
    assert.ok(reply.body.created_at.startsWith(String(new Date().getUTCFullYear())), reply.body.created_at);
    const [row] = await app.database.rows(`SELECT image_s3_key, image_url, user_id FROM employees WHERE id = ${reply.body.id}`);
    assert.deepEqual(row, { image_s3_key: null, image_url: null, user_id: user.id });
    const patched = await client.request('PATCH', `/employees/${reply.body.id}`, { json: { user_id: 1, id: 5, created_at: 'x', name: 'Renamed' } });
    assert.equal(patched.status, 200, `${patched}`);
    assert.equal(patched.body.id, reply.body.id);
    assert.equal(patched.body.user_id, user.id);
    assert.equal(patched.body.created_at, reply.body.created_at);
    assert.equal(patched.body.name, 'Renamed');
  });

  test('unknown ids are 404 not_found', async () => {
    const client = app.client();
    await client.signUp();
    for (const id of ['999999999', 'abc', '0', '-1', '1.5', '99999999999999999999999']) {
      assertError(await client.get(`/employees/${id}`), 404, 'not_found');
    }
    assertError(await client.request('DELETE', '/employees/999999999'), 404, 'not_found');
    assertError(await client.request('PATCH', '/employees/999999999', { json: { name: 'x' } }), 404, 'not_found');
    assertError(await client.get('/no/such/route'), 404, 'not_found');
  });

  test('only the creator updates or deletes a profile; others read it', async () => {
    const owner = app.client();
    await owner.signUp('owner');
    const other = app.client();
    await other.signUp('other');
    const created = await owner.createEmployee({ name: 'Owned', role: 'R', department: 'D', image: photo(7) });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const before = storedImages();

    assert.deepEqual((await other.get(`/employees/${id}`)).body, created.body, 'anyone signed in reads the directory');
    assert.equal((await other.get(created.body.image_url)).status, 200);
    // A member may not change another's profile; the error names the roles that may.
    assertError(await other.request('PUT', `/employees/${id}`, { form: { name: 'X', role: 'X', department: 'X', image: photo(8) } }), 403, 'role_required', ['role']);
    assertError(await other.request('PATCH', `/employees/${id}`, { json: { name: 'X' } }), 403, 'role_required', ['role']);
    assertError(await other.request('PATCH', `/employees/${id}`, { form: { remove_image: 'true' } }), 403, 'role_required', ['role']);
    assertError(await other.request('DELETE', `/employees/${id}`), 403, 'role_required', ['role']);
    assert.deepEqual((await owner.get(`/employees/${id}`)).body, created.body, 'the refused requests changed nothing');
    assert.deepEqual(storedImages(), before, 'and touched no image');
  });

  test('PUT needs every field; PATCH changes only what it names and can remove the photo', async () => {
    const client = app.client();
    await client.signUp();
    const created = await client.createEmployee({ name: 'A', role: 'B', department: 'C', image: photo(9) });
    const id = created.body.id;
    assertError(await client.request('PUT', `/employees/${id}`, { form: { name: 'A2' } }), 400, 'validation_failed', ['role', 'department']);
    assertError(await client.request('PATCH', `/employees/${id}`, { json: { name: '' } }), 400, 'validation_failed', ['name']);
    assertError(await client.request('PATCH', `/employees/${id}`, { json: { role: 42 } }), 400, 'validation_failed', ['role']);
    const renamed = await client.request('PATCH', `/employees/${id}`, { json: { role: 'Lead' } });
    assert.equal(renamed.status, 200);
    assert.deepEqual({ ...renamed.body, updated_at: undefined }, { ...created.body, role: 'Lead', updated_at: undefined });
    const key = `uploads/${testEnv.DEPLOYMENT_ID}/${created.body.image_url.split('/').pop()}`;
    assert.ok(existsSync(path.join(app.dataDir, key)));
    const removed = await client.request('PATCH', `/employees/${id}`, { form: { remove_image: 'true' } });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.image_url, null);
    assert.equal(existsSync(path.join(app.dataDir, key)), false, 'the removed photo is deleted');
    assert.equal(await app.database.value(`SELECT image_s3_key AS k FROM employees WHERE id = ${id}`), null);
  });
});

describe('images', () => {
  test('JPEG, PNG, GIF and WebP are recognised by their bytes, whatever the name or declared type', async () => {
    const client = app.client();
    await client.signUp();
    for (const sample of samples) {
      const reply = await client.createEmployee({
        name: sample.kind, role: 'R', department: 'D', image: { bytes: sample.bytes, filename: 'notes.txt', type: 'text/plain' },
      });
      assert.equal(reply.status, 201, `${sample.kind}: ${reply}`);
      assert.ok(reply.body.image_url.endsWith(`.${sample.extension}`), reply.body.image_url);
      const image = await client.get(reply.body.image_url);
      assert.equal(image.headers.get('content-type'), sample.contentType);
      assert.deepEqual(imageSize(image.bytes), sample.size, `${sample.kind} re-encoded`);
    }
  });

  test('other bytes are refused with the supported types named, leaving nothing behind', async () => {
    const client = app.client();
    await client.signUp();
    const fakes = [
      { bytes: Buffer.from('<!doctype html><script>alert(1)</script>'), filename: 'photo.jpg', type: 'image/jpeg' },
      { bytes: Buffer.from('%PDF-1.7\n'), filename: 'photo.png', type: 'image/png' },
      { bytes: Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt '), filename: 'photo.webp', type: 'image/webp' },
      { bytes: Buffer.from([0xff, 0xd8]), filename: 'photo.jpg', type: 'image/jpeg' },
    ];
    for (const image of fakes) {
      await leavesNothing(async () => {
        const body = assertError(await client.createEmployee({ name: 'A', role: 'B', department: 'C', image }), 400, 'unsupported_image_type');
        for (const kind of ['JPEG', 'PNG', 'GIF', 'WebP']) assert.match(body.message, new RegExp(kind, 'i'), body.message);
      });
    }
    const mine = await client.createEmployee({ name: 'A', role: 'B', department: 'C', image: photo(3) });
    await leavesNothing(async () => {
      assertError(await client.request('PUT', `/employees/${mine.body.id}`, { form: { name: 'A', role: 'B', department: 'C', image: fakes[0] } }), 400, 'unsupported_image_type');
    });
    assert.deepEqual((await client.get(`/employees/${mine.body.id}`)).body, mine.body, 'a refused replacement keeps the old photo');
  });

  test('an image over the limit is 413 and leaves nothing behind', async () => {
    const client = app.client();
    await client.signUp();
    const justOver = Buffer.concat([png(), Buffer.alloc(maxImageBytes + 1 - png().length, 0)]);
    const farOver = Buffer.concat([png(), Buffer.alloc(4 * maxImageBytes, 0)]);
    for (const bytes of [justOver, farOver]) {
      await leavesNothing(async () => {
        const reply = await client.createEmployee({ name: 'A', role: 'B', department: 'C', image: { bytes, filename: 'big.png' } });
        assertError(reply, 413, 'payload_too_large');
      });
    }
    const atLimit = Buffer.concat([png(), Buffer.alloc(maxImageBytes - png().length, 0)]);
    assert.equal((await client.createEmployee({ name: 'A', role: 'B', department: 'C', image: { bytes: atLimit } })).status, 201);
  });

  test('unknown and malformed image names are 404', async () => {
    const client = app.client();
    await client.signUp();
    for (const name of ['00000000-0000-4000-8000-000000000000.png', 'x.exe', 'hrapp.db', '..%2Fhrapp.db', '%2e%2e%2f%2e%2e%2fetc%2fpasswd']) {
      assertError(await client.get(`/images/${name}`), 404, 'not_found');
    }
  });
});

describe('listing', () => {
  test('filters by department, searches name and role, pages in a stable order with the total', async () => {
    const client = app.client();
    await client.signUp();
    const department = `Dept-${uniqueUsername('d')}`;
    const token = uniqueUsername('tok');
    const made = [];
    for (let i = 0; i < 7; i++) {
      const reply = await client.createEmployee({
        name: i % 2 ? `Person ${i} ${token.toUpperCase()}` : `Person ${i}`,
        role: i === 4 ? `Head of ${token}` : 'Staff', department,
      });
      made.push(reply.body);
    }
    const ids = made.map((e) => e.id);
    assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'ids grow');

    const all = await client.get(`/employees?department=${encodeURIComponent(department)}&sort=created`);
    assert.deepEqual(all.body.map((e) => e.id), ids);
    assert.equal(all.headers.get('x-total-count'), '7');
    const pages = [];
    for (let offset = 0; offset < 7; offset += 3) {
      const page = await client.get(`/employees?department=${encodeURIComponent(department)}&sort=created&limit=3&offset=${offset}`);
      assert.equal(page.headers.get('x-total-count'), '7', 'the total counts every match, not the page');
      pages.push(...page.body.map((e) => e.id));
    }
    assert.deepEqual(pages, ids, 'pages neither skip nor repeat');
    const beyond = await client.get(`/employees?department=${encodeURIComponent(department)}&offset=100`);
    assert.deepEqual(beyond.body, []);
    assert.equal(beyond.headers.get('x-total-count'), '7', 'past the last page, the total still counts every match');

    const found = await client.get(`/employees?q=${encodeURIComponent(token.toLowerCase())}&sort=created`);
    assert.deepEqual(found.body.map((e) => e.id), [ids[1], ids[3], ids[4], ids[5]], 'q matches name or role, any case');
    const both = await client.get(`/employees?q=${token}&department=${encodeURIComponent(department.toLowerCase())}`);
    assert.deepEqual(both.body, [], 'department is an exact match');

    const departments = await client.get('/departments');
    assert.equal(departments.status, 200);
    assert.deepEqual(departments.body.find((d) => d.department === department), { department, count: 7 });
    const names = departments.body.map((d) => d.department);
    assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'sorted by name');
  });

  test('a list that does not fit one page links to the first, next and previous pages, keeping its filters', async () => {
    const client = app.client();
    await client.signUp();
    const department = `R&D ${uniqueUsername('d')}`;
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await client.createEmployee({ name: `Linked ${i}`, role: 'Staff', department })).body.id);
    const first = `/employees?department=${encodeURIComponent(department)}&q=linked&sort=created&limit=2`;

    const seen = [];
    const rels = [];
    let next = first;
    while (next) {
      const page = await client.get(next);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('x-total-count'), '5');
      seen.push(...page.body.map((e) => e.id));
      const links = linksOf(page);
      rels.push(Object.keys(links).sort().join('+'));
      for (const url of Object.values(links)) {
        const target = new URL(url, 'http://app.invalid');
        assert.equal(target.pathname, '/employees');
        assert.equal(target.searchParams.get('department'), department, 'the filter survives the link');
        assert.equal(target.searchParams.get('q'), 'linked');
        assert.equal(target.searchParams.get('limit'), '2');
        assert.equal(target.searchParams.get('sort'), 'created');
      }
      assert.deepEqual((await client.get(links.first)).body.map((e) => e.id), ids.slice(0, 2), 'first is the first page');
      if (links.prev) assert.deepEqual((await client.get(links.prev)).body.map((e) => e.id), seen.slice(-page.body.length - 2, -page.body.length));
      next = links.next;
    }
    assert.deepEqual(seen, ids, 'following next visits every match once, in order');
    assert.deepEqual(rels, ['first+next', 'first+next+prev', 'first+prev']);
    const whole = await client.get(`/employees?department=${encodeURIComponent(department)}`);
    assert.equal(whole.body.length, 5);
    assert.equal(whole.headers.get('link'), null, 'a list that fits one page has no links');
  });

  test('bad list parameters are 400 naming the parameter', async () => {
    const client = app.client();
    await client.signUp();
    const cases = [['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'], ['limit=', 'limit'],
      ['offset=-1', 'offset'], ['offset=1e3', 'offset'], ['limit=0&offset=-5', 'limit', 'offset'],
      [`q=${'q'.repeat(256)}`, 'q'], [`department=${'d'.repeat(256)}`, 'department']];
    for (const [query, ...fields] of cases) {
      assertError(await client.get(`/employees?${query}`), 400, 'bad_request', fields);
    }
    for (const ok of ['limit=1', 'limit=100', 'offset=0']) assert.equal((await client.get(`/employees?${ok}`)).status, 200, ok);
  });
});
