// The HTTP conventions a client relies on: Date on every response; static files fingerprinted
// and cached as immutable, the page revalidated; validators answered with 304; text compressed
// (br for static files, gzip per response) with Vary; Location on 201; the client's request id
// and trace id carried into the log; the API's own description at /openapi.json.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { repoRoot, startApp } from './lib/app.mjs';
import { RawConnection } from './lib/raw.mjs';

let app;
before(async () => {
  app = await startApp();  // run from the repository: the web UI is ./web
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

/** One request with exactly these headers (fetch would add Accept-Encoding and decode). */
function get(target, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: app.port, path: target, method, headers, agent: false }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

const decoded = (reply) => {
  const coding = reply.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(reply.body);
  if (coding === 'gzip') return gunzipSync(reply.body);
  return reply.body;
};

describe('Date', () => {
  test('every response carries an HTTP-date close to now, refusals included', async () => {
    const replies = [await get('/health'), await get('/no-such-page'), await get('/employees')];
    const connection = await RawConnection.open(app.port);
    await connection.write(`GET /health HTTP/1.1\r\nHost: x\r\n${'X-Long: y\r\n'.repeat(150)}\r\n`);
    replies.push({ headers: (await connection.readResponse()).headers });
    connection.close();
    for (const reply of replies) {
      assert.match(reply.headers.date ?? '', /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/);
      assert.ok(Math.abs(Date.parse(reply.headers.date) - Date.now()) < 5000, reply.headers.date);
    }
  });
});

describe('static files', () => {
  test('the page names fingerprinted files, maps module names to them, and the CSP allows exactly its import map', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const html = decoded(page).toString();
    const map = /<script type="importmap">(.*?)<\/script>/s.exec(html)?.[1];
    assert.ok(map, 'an import map');
    const imports = JSON.parse(map).imports;
    const source = readFileSync(path.join(repoRoot, 'web/static/app.js'));
    const digest = createHash('sha256').update(source).digest('hex').slice(0, 10);
    assert.equal(imports['/static/app.js'], `/static/app.${digest}.js`, 'named by the content\'s hash');
    assert.ok(html.includes(`<script type="module" src="/static/app.${digest}.js">`), 'the entry point is fingerprinted');
    assert.ok(!/"\/static\/[\w/-]+\.(js|css|svg)"/.test(html.replace(map, '')), 'no plain name is left outside the import map');
    const inlineHash = createHash('sha256').update(map).digest('base64');
    assert.ok(page.headers['content-security-policy'].includes(`script-src 'self' 'sha256-${inlineHash}'`));
    for (const named of Object.values(imports)) {
      const file = await get(named);
      assert.equal(file.status, 200, named);
      assert.equal(file.headers['cache-control'], 'public, max-age=31536000, immutable', named);
    }
  });

  test('a validator the client holds is answered 304 without a body; another gets the file', async () => {
    for (const target of ['/', '/static/app.css']) {
      const first = await get(target, { 'accept-encoding': 'br' });
      const etag = first.headers.etag;
      assert.match(etag ?? '', /^"[0-9a-f]{32}(-br)?"$/, target);
      const again = await get(target, { 'accept-encoding': 'br', 'if-none-match': `"nope", ${etag}` });
      assert.equal(again.status, 304, target);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, etag);
      assert.equal(again.headers['content-type'], undefined, 'no representation metadata on a 304');
      assert.equal((await get(target, { 'accept-encoding': 'br', 'if-none-match': '"nope"' })).status, 200);
      assert.equal((await get(target, { 'if-none-match': etag })).status, 200, 'another coding is another representation');
    }
  });

  test('text is compressed once, br where the client takes it, gzip otherwise, identity when neither; HEAD says the same', async () => {
    const plain = readFileSync(path.join(repoRoot, 'web/static/app.css'));
    for (const [accept, coding] of [['gzip, deflate, br', 'br'], ['gzip', 'gzip'], ['br;q=0, gzip;q=0.5', 'gzip'], ['identity', undefined], ['', undefined]]) {
      const reply = await get('/static/app.css', accept ? { 'accept-encoding': accept } : {});
      assert.equal(reply.headers['content-encoding'], coding, `Accept-Encoding: ${accept}`);
      assert.equal(reply.headers.vary, 'Accept-Encoding');
      assert.deepEqual(decoded(reply), plain, 'the same bytes once decoded');
      const head = await get('/static/app.css', accept ? { 'accept-encoding': accept } : {}, 'HEAD');
      assert.equal(head.headers['content-length'], reply.headers['content-length']);
      assert.equal(head.headers.etag, reply.headers.etag);
      assert.equal(head.body.length, 0);
    }
    const favicon = await get('/static/favicon.svg', { 'accept-encoding': 'br' });
    assert.equal(favicon.headers['content-encoding'], undefined, 'under 1 KiB: sent as it is');
  });
});

describe('API responses', () => {
  test('JSON of 1 KiB or more is gzipped per response with Vary; smaller JSON is not; reads are not stored', async () => {
    const client = app.client();
    await client.signUp('conventions');
    const created = await client.createEmployee({ name: 'Compressed', role: 'Staff', department: 'Ops' });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), `/employees/${created.body.id}`, 'a 201 says where the new profile is');
    for (let i = 0; i < 10; i++) await client.createEmployee({ name: `Filler ${i}`, role: 'Staff', department: 'Ops' });
    const cookie = `hrapp_session=${client.token}`;
    const page = await get('/employees?department=Ops', { cookie, 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-encoding'], 'gzip', 'gzip on a tie: it costs less per response');
    assert.equal(page.headers.vary, 'Accept-Encoding');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(JSON.parse(decoded(page)).length, 11);
    const one = await get(`/employees/${created.body.id}`, { cookie, 'accept-encoding': 'gzip' });
    assert.ok(one.body.length < 1024);
    assert.equal(one.headers['content-encoding'], undefined);
    assert.equal(JSON.parse(one.body).name, 'Compressed');
  });

  test('/openapi.json is the document in docs/, compressed and revalidated', async () => {
    const reply = await get('/openapi.json', { 'accept-encoding': 'gzip' });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['cache-control'], 'no-cache');
    assert.deepEqual(JSON.parse(decoded(reply)), JSON.parse(readFileSync(path.join(repoRoot, 'docs/openapi.json'), 'utf8')));
  });

  test('a plain X-Request-Id is kept; a traceparent\'s trace id goes into the request\'s log line', async () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const kept = await get('/no-such-page', { 'x-request-id': 'client-id.42', traceparent: `00-${trace}-00f067aa0ba902b7-01` });
    assert.equal(kept.headers['x-request-id'], 'client-id.42');
    const line = await app.waitForLog((e) => e.msg === 'request' && e.request_id === 'client-id.42');
    assert.equal(line.trace_id, trace);
    const replaced = await get('/no-such-page', { 'x-request-id': 'no spaces\tor tabs', traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` });
    assert.notEqual(replaced.headers['x-request-id'], 'no spaces\tor tabs');
    const other = await app.waitForLog((e) => e.msg === 'request' && e.request_id === replaced.headers['x-request-id']);
    assert.equal(other.trace_id, null, 'an all-zero trace id is ignored');
  });
});
