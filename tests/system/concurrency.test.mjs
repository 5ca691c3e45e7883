// 200 profile creations at once through the API, each with its own image: exactly 200 rows,
// 200 image files, each row keyed to its own file, no name lost or doubled.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startApp, testEnv } from './lib/app.mjs';
import { imageSize, png, storedSizesOf } from './lib/images.mjs';

const creations = 200;
let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

test(`${creations} concurrent creations give ${creations} rows and ${creations} image files`, async () => {
  const clients = await Promise.all(Array.from({ length: 4 }, async (_, i) => {
    const client = app.client();
    await client.signUp(`burst${i}`);
    return client;
  }));
  // Each photo's width tells it apart once re-encoded.
  const photos = Array.from({ length: creations }, (_, i) => png({ width: 8 + i, height: 8, seed: i + 1 }));
  const replies = await Promise.all(photos.map((bytes, i) =>
    clients[i % clients.length].createEmployee({ name: `Burst ${i}`, role: 'R', department: 'Burst', image: { bytes, filename: `${i}.png` } })));
  const failures = replies.filter((r) => r.status !== 201).map(String);
  assert.deepEqual(failures, [], 'every creation succeeded');

  const rows = await app.database.rows("SELECT id, name, image_s3_key, user_id FROM employees WHERE department = 'Burst' ORDER BY id");
  assert.equal(rows.length, creations);
  assert.equal(new Set(rows.map((r) => r.name)).size, creations, 'no name doubled or lost');
  assert.equal(new Set(rows.map((r) => r.image_s3_key)).size, creations, 'one key per row');
  const folder = path.join(app.dataDir, 'uploads', testEnv.DEPLOYMENT_ID);
  assert.equal(readdirSync(folder).length, storedSizesOf('x.jpg').length * creations, 'an image and its smaller sizes per row, no temporary leftovers');
  for (const row of rows) {
    const i = Number(row.name.split(' ')[1]);
    assert.deepEqual(imageSize(readFileSync(path.join(app.dataDir, row.image_s3_key))), { width: 8 + i, height: 8 }, `row ${row.id} holds its own image`);
    for (const size of storedSizesOf(row.image_s3_key)) assert.ok(existsSync(path.join(app.dataDir, size)), `row ${row.id} has ${size}`);
    assert.equal(row.user_id, clients[i % clients.length].user.id);
  }
  const listed = await clients[0].get('/employees?department=Burst&limit=1');
  assert.equal(listed.headers.get('x-total-count'), String(creations));
});
