// The API's description is served by the app at /openapi.json: the document of docs/openapi.json
// as built into the binary, with a validator that answers If-None-Match with 304. (Every
// response of every system test is checked against that document: lib/contract.mjs.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, startApp } from './lib/app.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { assert.equal(await app.stop(), 0); });

test('/openapi.json is docs/openapi.json, revalidated with its ETag', async () => {
  const client = app.client();
  const served = await client.get('/openapi.json');
  assert.equal(served.status, 200, String(served));
  assert.deepEqual(served.body, JSON.parse(readFileSync(path.join(repoRoot, 'docs/openapi.json'), 'utf8')));
  const etag = served.headers.get('etag');
  assert.ok(etag, 'an ETag');
  const again = await client.get('/openapi.json', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.bytes.length, 0);
});
