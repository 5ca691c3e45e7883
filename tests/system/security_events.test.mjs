// Security events in the log (issue items 10 and 11): failed and throttled sign-ins and
// refused cross-site requests name the client's address; request lines name the signed-in
// user; every line is valid UTF-8 JSON whatever bytes a request holds; the origin check
// compares the scheme, and X-Forwarded-Proto counts only from a trusted proxy.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertError } from './lib/assertions.mjs';
import { startApp } from './lib/app.mjs';
import { defaultPassword, uniqueUsername } from './lib/http.mjs';
import { rawRequest } from './lib/raw.mjs';

let app;
before(async () => {
  app = await startApp({ env: { TRUSTED_PROXIES: '127.0.0.1/32', SIGNIN_ADDRESS_FAILURES: '2' } });
});
after(async () => {
  assert.equal(await app.stop(), 0);
  assert.deepEqual(app.badLines, [], 'every stdout line is one UTF-8 JSON object');
});

const forwardedFor = (address) => ({ 'x-forwarded-for': address });
const logFor = (reply) => app.waitForLog((entry) => entry.msg === 'request' && entry.request_id === reply.headers.get('x-request-id'));

test('failed and throttled sign-ins are logged with the client address', async () => {
  const client = app.client();
  const username = uniqueUsername();
  const failed = await client.post('/login', { json: { username, password: defaultPassword }, headers: forwardedFor('203.0.113.21') });
  assertError(failed, 401, 'unauthorized');
  const event = await app.waitForLog((e) => e.msg === 'sign-in failed' && e.request_id === failed.headers.get('x-request-id'));
  assert.equal(event.client, '203.0.113.21');
  assert.equal(event.level, 'warn');
  assert.equal((await logFor(failed)).client, '203.0.113.21');
  let throttled;
  for (let i = 0; i < 10 && !throttled; i++) {
    const reply = await client.post('/login', { json: { username, password: 'wrong password!' }, headers: forwardedFor('203.0.113.22') });
    if (reply.status === 429) throttled = reply;
  }
  assert.ok(throttled, 'the address is throttled');
  const throttleEvent = await app.waitForLog((e) => e.msg === 'sign-in throttled' && e.request_id === throttled.headers.get('x-request-id'));
  assert.equal(throttleEvent.client, '203.0.113.22');
  assert.equal(throttleEvent.retry_after, Number(throttled.headers.get('retry-after')));
  // The log names no username or password of a failed attempt.
  for (const line of app.logs) assert.ok(!JSON.stringify(line).includes(username), JSON.stringify(line));
});

test('refused cross-site requests are logged with the client address', async () => {
  const client = app.client();
  await client.signUp('xsite');
  const foreign = await client.post('/logout', { headers: { origin: 'http://evil.example', ...forwardedFor('198.51.100.31') } });
  assertError(foreign, 403, 'forbidden');
  const event = await app.waitForLog((e) => e.msg === 'cross-site request refused' && e.request_id === foreign.headers.get('x-request-id'));
  assert.equal(event.client, '198.51.100.31');
  assert.equal(event.origin, 'http://evil.example');
  const site = await client.post('/logout', { headers: { 'sec-fetch-site': 'cross-site' } });
  assertError(site, 403, 'forbidden');
  const siteEvent = await app.waitForLog((e) => e.msg === 'cross-site request refused' && e.request_id === site.headers.get('x-request-id'));
  assert.equal(siteEvent.client, '127.0.0.1');
  assert.equal(siteEvent.sec_fetch_site, 'cross-site');
  assert.equal((await client.get('/me')).status, 200, 'the refused sign-out changed nothing');
});

test('request lines of a signed-in user carry the user id; anonymous ones carry null', async () => {
  const client = app.client();
  const user = await client.signUp('logged');
  const me = await client.get('/me');
  assert.equal((await logFor(me)).user_id, user.id);
  const list = await client.get('/employees');
  assert.equal((await logFor(list)).user_id, user.id);
  const anonymous = await app.client().get('/me');
  assert.equal((await logFor(anonymous)).user_id, null);
});

test('every log line stays valid UTF-8 JSON whatever bytes a request holds', async () => {
  const raw = Buffer.concat([
    Buffer.from('POST /%ff%fe/\xc3 HTTP/1.1\r\nHost: a\r\nOrigin: http://', 'latin1'),
    Buffer.from([0xff, 0xfe, 0xc0, 0xaf]),
    Buffer.from('\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1'),
  ]);
  const reply = await rawRequest(app.port, raw);
  assert.ok(reply.status >= 400 && reply.status < 500, `a client error: ${reply.statusLine}`);
  assert.ok(new TextDecoder('utf-8', { fatal: true }).decode(reply.body), 'the error body is UTF-8 too');
  const get = await rawRequest(app.port, 'GET /%ff%fe HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  assertError({ ...get, body: get.json }, 404, 'not_found');
  const line = await app.waitForLog((e) => e.msg === 'request' && e.request_id === get.headers['x-request-id']);
  assert.equal(line.path, '/\ufffd\ufffd');
  assert.deepEqual(app.badLines, []);
});

test('the origin must match the scheme the client used; X-Forwarded-Proto counts only from a trusted proxy', async () => {
  const client = app.client();
  const user = await client.signUp('scheme');
  const host = new URL(app.url).host;
  const viaHttps = { 'x-forwarded-proto': 'https' };
  // Behind the (trusted) load balancer over HTTPS: the https origin is this site, http is not.
  assertError(await client.post('/employees', { form: { name: 'N', role: 'R', department: 'D' }, headers: { ...viaHttps, origin: `http://${host}` } }), 403, 'forbidden');
  assert.equal((await client.post('/employees', { form: { name: 'N', role: 'R', department: 'D' }, headers: { ...viaHttps, origin: `https://${host}` } })).status, 201);
  // Over plain HTTP the other way round.
  assertError(await client.post('/employees', { form: { name: 'N', role: 'R', department: 'D' }, headers: { origin: `https://${host}` } }), 403, 'forbidden');
  assert.equal((await client.post('/employees', { form: { name: 'N', role: 'R', department: 'D' }, headers: { origin: `http://${host}` } })).status, 201);
  // The session cookie is Secure only when the scheme is believed to be HTTPS.
  const secure = await app.client().post('/login', { json: { username: user.username, password: user.password }, headers: viaHttps });
  assert.match(secure.setCookies[0], /;\s*Secure/i);

  const untrusting = await startApp();
  try {
    const direct = untrusting.client();
    const other = await direct.signUp('direct');
    const directHost = new URL(untrusting.url).host;
    assertError(await direct.post('/employees', { form: { name: 'N', role: 'R', department: 'D' }, headers: { ...viaHttps, origin: `https://${directHost}` } }), 403, 'forbidden');
    const plain = await untrusting.client().post('/login', { json: { username: other.username, password: other.password }, headers: viaHttps });
    assert.equal(plain.status, 200);
    assert.doesNotMatch(plain.setCookies[0], /;\s*Secure/i, 'a forged X-Forwarded-Proto does not make the cookie Secure');
  } finally {
    assert.equal(await untrusting.stop(), 0);
  }
});
