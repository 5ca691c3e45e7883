// The seed's Properties 3, 4 and 6 over random inputs (fast-check):
//  3. the stored password is a bcrypt $2b$ hash at the configured cost, never the password;
//  4. sign-in succeeds with exactly the registered password and fails with any other;
//  6. every image lands at uploads/<DEPLOYMENT_ID>/<uuid>.<ext>, its key is in
//     employees.image_s3_key, and the row belongs to the user who created it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { startApp, testEnv } from './lib/app.mjs';
import { uniqueUsername } from './lib/http.mjs';
import { imageSize, png, samples, storedSizesOf } from './lib/images.mjs';

const bcryptAtTestCost = /^\$2b\$04\$[./A-Za-z0-9]{53}$/;
const uuidKey = new RegExp(`^uploads/${testEnv.DEPLOYMENT_ID}/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.(jpg|png|gif|webp)$`);

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

/** Any text of 8 to 72 bytes of UTF-8, without NUL. */
/** The passwords the server refuses as too common (src/auth/common_passwords), in any case. */
const common = new Set(readFileSync(path.join(import.meta.dirname, '../../src/auth/common_passwords/passwords.txt'), 'utf8').split('\n'));

const password = fc
  .string({ unit: 'grapheme', minLength: 2, maxLength: 40 })
  .filter((p) => !p.includes('\0') && Buffer.byteLength(p) >= 8 && Buffer.byteLength(p) <= 72 && !common.has(p.toLowerCase()));

/** A username from the allowed set; `uniqueUsername` adds a suffix at each run, shrinks included. */
const username = fc.stringMatching(/^[A-Za-z0-9._-]{1,50}$/);

test('Property 3: the stored hash is bcrypt $2b$ at the configured cost and never the password', async () => {
  const client = app.client();
  await fc.assert(
    fc.asyncProperty(username, password, async (prefix, secret) => {
      const reply = await client.register(uniqueUsername(prefix), secret);
      assert.equal(reply.status, 201, `${reply}`);
      const [row] = await app.database.rows(`SELECT password_hash FROM users WHERE id = ${reply.body.id}`);
      assert.match(row.password_hash, bcryptAtTestCost);
      assert.notEqual(row.password_hash, secret);
      assert.ok(!row.password_hash.includes(secret), 'the hash does not contain the password');
    }),
    { numRuns: 100 },
  );
  const hashes = await app.database.rows('SELECT password_hash FROM users');
  assert.equal(new Set(hashes.map((r) => r.password_hash)).size, hashes.length, 'every hash has its own salt');
});

test('Property 4: sign-in succeeds with exactly the registered password', async () => {
  const client = app.client();
  const otherThan = (secret) =>
    fc.oneof(
      password,
      fc.constant(`${secret}x`),
      fc.constant([...secret].slice(0, -1).join('')),
      fc.constant(secret.toUpperCase()),
      fc.constant(secret.toLowerCase()),
      fc.constant(` ${secret}`),
      fc.constant(`${secret} `),
      fc.nat({ max: 71 }).map((i) => {
        const chars = [...secret];
        chars[i % chars.length] = chars[i % chars.length] === 'a' ? 'b' : 'a';
        return chars.join('');
      }),
    ).filter((other) => other !== secret);
  await fc.assert(
    fc.asyncProperty(
      username,
      password.chain((secret) => fc.tuple(fc.constant(secret), otherThan(secret))),
      async (prefix, [secret, wrong]) => {
        const name = uniqueUsername(prefix);
        const registered = await client.register(name, secret);
        assert.equal(registered.status, 201, `${registered}`);
        const bad = await client.login(name, wrong);
        assert.equal(bad.status, 401, `a different password must fail: ${JSON.stringify(wrong)}`);
        assert.deepEqual(bad.setCookies, []);
        const good = await client.login(name, secret);
        assert.equal(good.status, 200, `the exact password must succeed: ${good}`);
        assert.equal(good.body.username, name);
        assert.equal((await client.get('/me')).body.username, name);
      },
    ),
    { numRuns: 100 },
  );
});

test('Property 6: images land at uploads/<deployment>/<uuid>.<ext>, keyed in the row of their creator', async () => {
  const users = [];
  for (let i = 0; i < 3; i++) {
    const client = app.client();
    await client.signUp(`uploader${i}`);
    users.push(client);
  }
  // The app trims spaces and tabs only (docs/api.md), not every Unicode space as String.trim does.
  const trim = (s) => s.replace(/^[ \t]+|[ \t]+$/g, '');
  const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => trim(s).length > 0 && !/[\u0000-\u001f\u007f]/.test(s));
  const image = fc.oneof(
    fc.constantFrom(...samples),
    fc.record({ width: fc.integer({ min: 1, max: 40 }), height: fc.integer({ min: 1, max: 40 }), seed: fc.nat() })
      .map((size) => ({ bytes: png(size), extension: 'jpg', size: { width: size.width, height: size.height } })),
  );
  // A client's file name, however hostile, must never reach the path on disk.
  const fileName = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('../../evil.png', '/etc/passwd', '..\\..\\x.jpg', 'a/b/c.gif', '.hidden'));
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: users.length - 1 }), text, text, text, image, fileName, async (who, name, role, department, picture, filename) => {
      const client = users[who];
      const reply = await client.createEmployee({ name, role, department, image: { bytes: picture.bytes, filename, type: 'application/octet-stream' } });
      assert.equal(reply.status, 201, `${reply}`);
      const [row] = await app.database.rows(`SELECT image_s3_key, user_id, name, role, department FROM employees WHERE id = ${reply.body.id}`);
      assert.match(row.image_s3_key, uuidKey);
      assert.ok(row.image_s3_key.endsWith(`.${picture.extension}`), row.image_s3_key);
      assert.equal(row.user_id, client.user.id);
      assert.equal(reply.body.user_id, client.user.id);
      assert.deepEqual([row.name, row.role, row.department], [name, role, department].map(trim));
      assert.equal(reply.body.image_url, `/images/${path.basename(row.image_s3_key)}`);
      // The JSON the app writes itself (quotes, backslashes, any script) reads back as stored.
      assert.deepEqual([reply.body.name, reply.body.role, reply.body.department], [row.name, row.role, row.department]);
      const fetched = await client.request('GET', `/employees/${reply.body.id}`);
      assert.deepEqual(fetched.body, reply.body);
      const stored = readFileSync(path.join(app.dataDir, row.image_s3_key));
      assert.deepEqual(imageSize(stored), picture.size);
    }),
    { numRuns: 100 },
  );
  // Nothing else was written anywhere under uploads/: an image and its smaller sizes per row, no leftovers.
  const keys = (await app.database.rows('SELECT image_s3_key FROM employees WHERE image_s3_key IS NOT NULL')).map((r) => r.image_s3_key);
  const uploads = path.join(app.dataDir, 'uploads');
  const files = readdirSync(uploads, { recursive: true })
    .filter((f) => statSync(path.join(uploads, f)).isFile())
    .map((f) => `uploads/${f}`);
  assert.deepEqual(files.sort(), keys.flatMap(storedSizesOf).sort());
});
