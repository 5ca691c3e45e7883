// The edge under hostile traffic: one routing decision on the decoded path (every route in an
// encoded form is the same route), HEAD wherever GET works, chunk extensions and trailers
// within the header limit, the JSON limit on every JSON body, transfer codings other than
// chunked, stalled bodies, refusals decided from the header before any body byte is read,
// and the connection cap and body budget.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertError, assertStopsCleanly } from './lib/assertions.mjs';
import { runHrapp, startApp } from './lib/app.mjs';
import { multipart } from './lib/http.mjs';
import { png } from './lib/images.mjs';
import { RawConnection, rawRequest } from './lib/raw.mjs';

const bodyTimeoutSeconds = 2;
let app;
let client;

before(async () => {
  app = await startApp({ env: { BODY_TIMEOUT_SECONDS: String(bodyTimeoutSeconds) } });
  client = app.client();
  await client.signUp('edge');
});

after(() => assertStopsCleanly(app));

/** Every letter of the path percent-encoded: the same resource for any RFC 3986 reader. */
const encoded = (path) => path.replace(/[A-Za-z]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/**
 * Request bytes with the session cookie of `token` (the shared client's unless null); `lines`
 * are more header lines, `body` follows as is.
 */
function raw(method, target, lines = [], body = '', { token = client.token } = {}) {
  const head = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', ...(token ? [`Cookie: hrapp_session=${token}`] : []), ...lines];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body, 'latin1')]);
}

/** Sends `data`; the reply must be `status`, the connection closed, nothing after it answered. */
async function assertRefusedAndClosed(data, status, code) {
  const connection = await RawConnection.open(app.port);
  await connection.write(data);
  const reply = await connection.readResponse();
  assert.equal(reply.status, status, reply.statusLine);
  if (code) assert.equal(reply.json.error, code);
  assert.ok(await connection.waitForClose(10000), 'the connection is closed');
  assert.ok(!connection.buffer.toString('latin1').includes('HTTP/1.1'), 'nothing after the refusal was answered');
  return reply;
}

describe('one routing decision, on the decoded path', () => {
  test('every route answers its encoded form as it answers the plain one', async () => {
    const form = () => multipart({ name: 'Encoded', role: 'R', department: 'Enc', image: { bytes: png(), filename: 'a.png' } });
    const first = await client.createEmployee({ name: 'Plain', role: 'R', department: 'Enc', image: { bytes: png(), filename: 'a.png' } });
    const second = await client.createEmployee({ name: 'Plain', role: 'R', department: 'Enc' });
    const image = first.body.image_url;
    const stranger = app.client();
    // [method, path, options, also compare the body]
    const cases = [
      ['GET', '/health', {}, true],
      ['GET', '/livez', {}, true],
      ['GET', '/', {}, true],
      ['GET', '/static/app.js', {}, true],
      ['GET', '/me', {}, true],
      ['GET', '/employees?department=Enc', {}, true],
      ['GET', `/employees/${first.body.id}`, {}, true],
      ['GET', '/departments', {}, true],
      ['GET', image, {}, true],
      ['PUT', `/employees/${first.body.id}`, { form }],
      ['PATCH', `/employees/${first.body.id}`, { json: () => ({ role: 'Changed' }) }],
      ['POST', '/employees', { form }],
      ['POST', '/login', { json: () => ({ username: client.user.username, password: 'wrong password!' }) }, true],
      ['POST', '/register', { json: () => ({ username: client.user.username, password: 'long enough password' }) }, true],
      ['GET', '/no-such-page', {}, false],
      ['DELETE', '/health', {}, false],
    ];
    for (const [method, path, options, sameBody] of cases) {
      const send = (target) => client.request(method, target, {
        json: options.json?.(), form: options.form?.() });
      const plain = await send(path);
      const other = await send(encoded(path));
      assert.equal(other.status, plain.status, `${method} ${encoded(path)}: ${other} vs ${plain}`);
      if (sameBody) assert.deepEqual(other.bytes, plain.bytes, `${method} ${encoded(path)} has the same body`);
      assert.ok(plain.status < 500, `${method} ${path}: ${plain}`);
    }
    // A stranger gets the same 401 either way, and a session route without a session costs no body.
    for (const path of ['/me', '/departments', `/employees/${second.body.id}`]) {
      assertError(await stranger.get(encoded(path)), 401, 'unauthorized');
    }
    // Deleting: the encoded form removes the row as the plain one does.
    assert.equal((await client.request('DELETE', encoded(`/employees/${second.body.id}`))).status, 204);
    assert.equal((await client.get(`/employees/${second.body.id}`)).status, 404);
    // Sign-in and sign-out in encoded form do what the plain forms do.
    const other = app.client();
    const signedIn = await other.post(encoded('/login'), { json: { username: client.user.username, password: client.user.password } });
    assert.equal(signedIn.status, 200, `${signedIn}`);
    assert.equal((await other.get(encoded('/me'))).body.username, client.user.username);
    assert.equal((await other.post(encoded('/logout'))).status, 200);
    assertError(await other.get('/me'), 401, 'unauthorized');
  });

  test('an encoded slash or dot-segment is the route its decoded path names, or 404', async () => {
    const created = await client.createEmployee({ name: 'Slash', role: 'R', department: 'D' });
    for (const target of [`/employees%2F${created.body.id}`, `/employees%2f${created.body.id}`]) {
      const reply = await rawRequest(app.port, raw('GET', target));
      assert.ok([200, 404].includes(reply.status), `${target}: ${reply.statusLine}`);
      if (reply.status === 200) assert.equal(reply.json.id, created.body.id);
    }
    for (const target of ['/%6cogin/', '/l%6Fgin%00', '/%2e%2e/login', '/images/%2e%2e%2flogin']) {
      const reply = await rawRequest(app.port, raw('POST', target, ['Content-Type: application/json', 'Content-Length: 2'], '{}'));
      assert.ok([404, 405].includes(reply.status), `${target}: ${reply.statusLine}`);
    }
  });
});

describe('HEAD', () => {
  /** HEAD on a fresh connection: the status, the headers and every byte after them. */
  async function head(target) {
    const connection = await RawConnection.open(app.port);
    await connection.write(raw('HEAD', target, ['Connection: close']));
    assert.ok(await connection.waitForClose(10000), 'closed after the HEAD');
    const text = connection.buffer.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    const lines = text.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    return { status: Number(lines[0].split(' ')[1]), headers, rest: text.slice(end + 4) };
  }

  test('answers wherever GET does, with its status and headers and no body', async () => {
    const created = await client.createEmployee({ name: 'Head', role: 'R', department: 'D', image: { bytes: png(), filename: 'a.png' } });
    for (const path of ['/', '/static/app.js', '/static/app.css', '/health', '/livez', '/me', `/employees/${created.body.id}`,
      '/employees', '/departments', created.body.image_url, '/no-such-page', '/employees/999999']) {
      const got = await client.get(path);
      const reply = await head(path);
      assert.equal(reply.status, got.status, `HEAD ${path}`);
      assert.equal(reply.rest, '', `HEAD ${path} sends no body`);
      for (const name of ['content-type', 'cache-control', 'content-security-policy'])
        assert.equal(reply.headers[name], got.headers.get(name) ?? undefined, `HEAD ${path}: ${name}`);
      if (got.status === 200) assert.equal(Number(reply.headers['content-length']), got.bytes.length, `HEAD ${path}: Content-Length`);
    }
  });

  test('is listed in Allow next to GET', async () => {
    const reply = await client.request('DELETE', '/departments');
    assert.equal(reply.status, 405);
    assert.deepEqual(reply.headers.get('allow').split(',').map((m) => m.trim()).sort(), ['GET', 'HEAD']);
    assert.equal((await client.request('HEAD', '/login')).status, 405);
  });
});

describe('chunked bodies', () => {
  const login = (body, lines = []) => raw('POST', '/login', ['Content-Type: application/json', 'Transfer-Encoding: chunked', ...lines], body, { token: null });
  const credentials = () => JSON.stringify({ username: client.user.username, password: client.user.password });

  test('a body with small extensions and trailers is read', async () => {
    const json = credentials();
    const reply = await rawRequest(app.port, login(`${json.length.toString(16)};note=small\r\n${json}\r\n0;end\r\nX-Trailer: yes\r\n\r\n`));
    assert.equal(reply.status, 200, reply.statusLine);
  });

  test('an oversized chunk extension is 431 and closes the connection', async () => {
    await assertRefusedAndClosed(login(`2;ext=${'a'.repeat(64 * 1024)}\r\n{}\r\n0\r\n\r\n`), 431, 'headers_too_large');
  });

  test('extensions count with the header: many small ones past the limit are 431', async () => {
    const chunks = Array.from({ length: 40 }, () => `1;e=${'b'.repeat(500)}\r\n \r\n`).join('');
    await assertRefusedAndClosed(login(`${chunks}0\r\n\r\n`), 431, 'headers_too_large');
  });

  test('oversized trailers are 431 and close the connection', async () => {
    const trailers = Array.from({ length: 30 }, (_, i) => `X-T${i}: ${'c'.repeat(1000)}\r\n`).join('');
    await assertRefusedAndClosed(login(`2\r\n{}\r\n0\r\n${trailers}\r\n`), 431, 'headers_too_large');
    await assertRefusedAndClosed(login(`2\r\n{}\r\n0\r\nX-Big: ${'d'.repeat(30 * 1024)}\r\n\r\n`), 431, 'headers_too_large');
  });
});

describe('transfer codings other than chunked', () => {
  const smuggled = 'GET /me HTTP/1.1\r\nHost: x\r\n\r\n';
  const post = (coding, body) => raw('POST', '/login', ['Content-Type: application/json', `Transfer-Encoding: ${coding}`], body, { token: null });

  test('a known coding before chunked is 501; the rest of the stream is never a request', async () => {
    for (const coding of ['gzip, chunked', 'deflate,chunked', 'x-unknown, chunked'])
      await assertRefusedAndClosed(post(coding, `2\r\n{}\r\n0\r\n\r\n${smuggled}`), 501, 'not_implemented');
  });

  test('a coding list that does not end in one chunked is 400', async () => {
    for (const coding of ['gzip', 'identity', 'chunked, gzip', 'chunked, chunked', 'x-unknown'])
      await assertRefusedAndClosed(post(coding, `{}${smuggled}`), 400, 'bad_request');
  });
});

describe('stalled bodies', () => {
  test('a body that stops arriving gets 408 and a close', async () => {
    const connection = await RawConnection.open(app.port);
    await connection.write(raw('POST', '/login', ['Content-Type: application/json', 'Content-Length: 100'], '{"username":', { token: null }));
    const reply = await connection.readResponse((bodyTimeoutSeconds + 10) * 1000);
    assert.equal(reply.status, 408, reply.statusLine);
    assert.equal(reply.json.error, 'request_timeout');
    assert.ok(await connection.waitForClose(5000), 'closed after the 408');
  });

  test('the time-out runs from the last byte: a slow but steady body is read', async () => {
    // 8 KiB (JSON ends in spaces) in pieces with pauses well inside the time-out, longer in all
    // than it, at about 2.7 KiB/s: above the least rate a body must keep.
    const json = JSON.stringify({ username: client.user.username, password: client.user.password }).padEnd(8192, ' ');
    const connection = await RawConnection.open(app.port);
    await connection.write(raw('POST', '/login', ['Content-Type: application/json', `Content-Length: ${json.length}`], '', { token: null }));
    const pieces = json.match(/[^]{1,1366}/g);
    for (const piece of pieces) {
      await new Promise((resolve) => setTimeout(resolve, (bodyTimeoutSeconds * 1000 * 1.5) / pieces.length));
      await connection.write(piece);
    }
    assert.equal((await connection.readResponse()).status, 200);
    connection.close();
  });

  test('a body dripped a few bytes at a time, each pause inside the time-out, gets 408 soon after it', async () => {
    const connection = await RawConnection.open(app.port);
    const started = Date.now();
    await connection.write(raw('POST', '/login', ['Content-Type: application/json', 'Content-Length: 1000'], '', { token: null }));
    let dripping = true;
    const drip = (async () => {
      while (dripping && !connection.closed) {
        await new Promise((resolve) => setTimeout(resolve, bodyTimeoutSeconds * 1000 * 0.6));
        if (dripping && !connection.closed) await connection.write('    ').catch(() => {});
      }
    })();
    const reply = await connection.readResponse((bodyTimeoutSeconds + 10) * 1000);
    dripping = false;
    await drip;
    assert.equal(reply.status, 408, reply.statusLine);
    assert.equal(reply.json.error, 'request_timeout');
    // Without a least rate, the drip would hold the request for as long as it liked.
    assert.ok(Date.now() - started < bodyTimeoutSeconds * 1000 * 3, `cut off after ${Date.now() - started} ms`);
  });
});

describe('HTTP/1.0', () => {
  test('a Transfer-Encoding in an HTTP/1.0 request is faulty framing: 400 and a close', async () => {
    const request = Buffer.from('POST /login HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', 'latin1');
    const connection = await RawConnection.open(app.port);
    await connection.write(request);
    const reply = await connection.readResponse();
    assert.equal(reply.status, 400, reply.statusLine);
    assert.equal(reply.json.error, 'bad_request');
    assert.match(reply.json.message, /HTTP\/1\.0/);
    assert.ok(await connection.waitForClose(10000), 'the connection is closed');
  });
});

describe('JSON bodies', () => {
  test('take the JSON limit on every route, declared or chunked', async () => {
    const created = await client.createEmployee({ name: 'J', role: 'R', department: 'D' });
    const big = JSON.stringify({ name: 'x'.repeat(200 * 1024) });
    assertError(await client.request('PATCH', `/employees/${created.body.id}`, { json: JSON.parse(big) }), 413, 'payload_too_large');
    const chunked = `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`;
    await assertRefusedAndClosed(raw('PATCH', `/employees/${created.body.id}`, ['Content-Type: application/json', 'Transfer-Encoding: chunked'], chunked), 413, 'payload_too_large');
    assert.equal((await client.get(`/employees/${created.body.id}`)).body.name, 'J', 'nothing changed');
  });
});

describe('refusals decided from the header', () => {
  const upload = (lines, token = client.token) => raw('POST', '/employees',
    ['Content-Type: multipart/form-data; boundary=b0undary', 'Content-Length: 1000000', 'Expect: 100-continue', ...lines], '', { token });

  async function assertRefusedBeforeBody(data, status, code) {
    const connection = await RawConnection.open(app.port);
    await connection.write(data);
    const reply = await connection.readResponse();
    assert.equal(reply.status, status, `no 100 Continue, the refusal first: ${reply.statusLine}`);
    assert.equal(reply.json.error, code);
    connection.close();
  }

  test('no session, another origin, a wrong media type or a declared length over the limit: refused before 100 Continue', async () => {
    await assertRefusedBeforeBody(upload([], null), 401, 'unauthorized');
    await assertRefusedBeforeBody(raw('POST', '/employees', ['Content-Type: multipart/form-data; boundary=b', 'Content-Length: 1000000', 'Expect: 100-continue',
      'Cookie: hrapp_session=forged-token-that-names-no-session'], '', { token: null }), 401, 'unauthorized');
    await assertRefusedBeforeBody(upload(['Origin: http://evil.example']), 403, 'forbidden');
    await assertRefusedBeforeBody(raw('POST', '/employees', ['Content-Type: text/plain', 'Content-Length: 1000', 'Expect: 100-continue']), 415, 'unsupported_media_type');
    await assertRefusedBeforeBody(raw('POST', '/login', ['Content-Type: application/json', 'Content-Length: 1000000', 'Expect: 100-continue'], '', { token: null }), 413, 'payload_too_large');
    await assertRefusedBeforeBody(raw('POST', '/no-such-route', ['Content-Type: application/json', 'Content-Length: 1000000', 'Expect: 100-continue']), 404, 'not_found');
  });

  test('a signed-out session is refused before the body too', async () => {
    const leaver = app.client();
    await leaver.signUp('leaver');
    const token = leaver.token;
    await leaver.post('/logout');
    await assertRefusedBeforeBody(raw('PATCH', '/employees/1', ['Content-Type: application/json', 'Content-Length: 1000', 'Expect: 100-continue',
      `Cookie: hrapp_session=${token}`], '', { token: null }), 401, 'unauthorized');
  });

  test('an accepted request gets 100 Continue, then its answer', async () => {
    const body = JSON.stringify({ role: 'Continued' });
    const created = await client.createEmployee({ name: 'C', role: 'R', department: 'D' });
    const connection = await RawConnection.open(app.port);
    await connection.write(raw('PATCH', `/employees/${created.body.id}`, ['Content-Type: application/json', `Content-Length: ${body.length}`, 'Expect: 100-continue']));
    assert.equal((await connection.readResponse()).status, 100);
    await connection.write(body);
    const reply = await connection.readResponse();
    assert.equal(reply.status, 200, reply.statusLine);
    assert.equal(reply.json.role, 'Continued');
    connection.close();
  });
});

describe('limits', () => {
  test('past the connection cap, 503 with Retry-After; a freed slot serves again', async () => {
    // From a trusted proxy, which carries many clients: the whole cap, no client's share.
    const capped = await startApp({ env: { MAX_CONNECTIONS: '3', TRUSTED_PROXIES: '127.0.0.1/32' } });
    const held = await Promise.all([1, 2, 3].map(() => RawConnection.open(capped.port)));
    // Each is counted once the server has accepted it: a request on each shows that.
    for (const connection of held) {
      await connection.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal((await connection.readResponse()).status, 200);
    }
    const extra = await RawConnection.open(capped.port);
    const refused = await extra.readResponse();
    assert.equal(refused.status, 503);
    assert.equal(refused.json.error, 'unavailable');
    assert.match(refused.headers['retry-after'] ?? '', /^\d+$/);
    assert.ok(await extra.waitForClose(5000));
    held[0].close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await rawRequest(capped.port, 'GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(again.status, 200);
    for (const connection of held) connection.close();
    assert.equal(await capped.stop(), 0);
  });

  test('one client holds at most a quarter of the connections; another client is still served', async () => {
    const capped = await startApp({ env: { MAX_CONNECTIONS: '8' } });
    const held = await Promise.all([1, 2].map(() => RawConnection.open(capped.port)));
    for (const connection of held) {
      await connection.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal((await connection.readResponse()).status, 200);
    }
    const third = await RawConnection.open(capped.port);
    assert.equal((await third.readResponse()).status, 503, 'past its share of 2');
    const other = await RawConnection.open(capped.port, '127.0.0.2');
    await other.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await other.readResponse()).status, 200, 'another client keeps its share');
    for (const connection of [...held, third, other]) connection.close();
    assert.equal(await capped.stop(), 0);
  });

  test('one client\'s silent bodies hold at most its share of the body budget; another client signs in', async () => {
    // Behind a trusted proxy, X-Forwarded-For names the client.
    const shared = await startApp({ env: { TRUSTED_PROXIES: '127.0.0.1/32', BODY_TIMEOUT_SECONDS: '20' } });
    const colleague = shared.client();
    await colleague.signUp('share');
    const silent = () => `POST /login HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.7\r\nContent-Type: application/json\r\n` +
      'Transfer-Encoding: chunked\r\n\r\n';
    // Each reserves the JSON limit (64 KiB): the client's share of the 32 MiB budget is 8 MiB,
    // 128 of them.
    const held = await Promise.all(Array.from({ length: 130 }, () => RawConnection.open(shared.port)));
    for (const connection of held) await connection.write(silent());
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const answered = held.filter((connection) => connection.buffer.length > 0);
    assert.equal(answered.length, 2, 'two silent bodies past the share of 128');
    for (const connection of answered) assert.equal((await connection.readResponse()).status, 503);
    const login = await colleague.request('POST', '/login', {
      json: { username: colleague.user.username, password: colleague.user.password }, headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    assert.equal(login.status, 200, `${login}`);
    for (const connection of held) connection.close();
    assert.equal(await shared.stop(), 0);
  });

  test('past the body budget, 503 with Retry-After before the body; the budget comes back', async () => {
    const maxImage = 64 * 1024;
    const budget = maxImage + 64 * 1024;
    const small = await startApp({ env: { MAX_IMAGE_BYTES: String(maxImage), BODY_BUDGET_BYTES: String(budget) } });
    const owner = small.client();
    await owner.signUp('budget');
    const upload = (length) => raw('POST', '/employees', ['Content-Type: multipart/form-data; boundary=b0undary', `Content-Length: ${length}`,
      'Expect: 100-continue'], '', { token: owner.token });
    const first = await RawConnection.open(small.port);
    await first.write(upload(budget - 1000));
    assert.equal((await first.readResponse()).status, 100, 'the first upload holds most of the budget');
    const second = await RawConnection.open(small.port);
    await second.write(upload(2000));
    const refused = await second.readResponse();
    assert.equal(refused.status, 503, refused.statusLine);
    assert.match(refused.headers['retry-after'] ?? '', /^\d+$/);
    first.close();
    second.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const created = await owner.createEmployee({ name: 'After', role: 'R', department: 'D' });
    assert.equal(created.status, 201, `${created}`);
    assert.equal(await small.stop(), 0);
  });

  test('a signed-in upload takes its account\'s share of the body budget, from whatever address', async () => {
    // The share is a quarter of 1 MiB: two uploads of 100 KiB fit in it, a third does not.
    const shared = await startApp({
      env: { TRUSTED_PROXIES: '127.0.0.1/32', MAX_IMAGE_BYTES: String(64 * 1024), BODY_BUDGET_BYTES: String(1024 * 1024) },
    });
    const [first, second] = [shared.client(), shared.client()];
    await first.signUp('share-a');
    await second.signUp('share-b');
    const opened = [];
    const upload = async (account, address) => {
      const connection = await RawConnection.open(shared.port);
      opened.push(connection);
      await connection.write(raw('POST', '/employees', [`X-Forwarded-For: ${address}`,
        'Content-Type: multipart/form-data; boundary=b0undary', `Content-Length: ${100 * 1024}`, 'Expect: 100-continue'], '',
      { token: account.token }));
      return (await connection.readResponse()).status;
    };
    assert.equal(await upload(first, '198.51.100.1'), 100);
    assert.equal(await upload(first, '198.51.100.1'), 100, 'the account\'s share holds two');
    // By address, this one would pass (198.51.100.2 holds nothing) and the next be refused.
    assert.equal(await upload(first, '198.51.100.2'), 503, 'the account\'s share is taken, from any address');
    assert.equal(await upload(second, '198.51.100.1'), 100, 'another account from the same address has its own');
    for (const connection of opened) connection.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await upload(first, '198.51.100.2'), 100, 'the share comes back when the bodies end');
    for (const connection of opened) connection.close();
    assert.equal(await shared.stop(), 0);
  });

  test('a body budget smaller than one upload is a configuration error', async () => {
    const result = await runHrapp(['serve'], { MAX_IMAGE_BYTES: String(1024 * 1024), BODY_BUDGET_BYTES: String(512 * 1024) });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /BODY_BUDGET_BYTES/);
  });
});
