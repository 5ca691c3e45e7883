// Hostile and broken input against the real server. What is tried:
//  JSON: malformed (truncated, trailing garbage, invalid UTF-8, not an object, lone surrogate),
//    oversized (over the 64 KiB JSON limit), deeply nested (10,000 levels), NUL in a field;
//  content types: text/plain, form-urlencoded, none, JSON on an upload route (all 415);
//  multipart: no boundary, a boundary the body never uses, unterminated body, truncated part
//    headers, a part without Content-Disposition, hundreds of parts, repeated fields and
//    repeated images, invalid UTF-8 in a field;
//  files: executable, PDF, HTML and empty bytes named .jpg/.png; path-traversal file names
//    (../, absolute, backslashes, encoded, NUL); file names with quotes and backslashes as
//    browsers send them;
//  paths: /images/../.., encoded dot-segments, the database file, an invalid request target,
//    a 20 KB URL;
//  SQL metacharacters (quotes, comments, ; DROP, LIKE wildcards % and _, GLOB's * ? [ ],
//    backslashes) in fields, `q` and `department`: stored and read back verbatim, found by
//    their words, never matched as wildcards;
//    NUL, control characters, invalid UTF-8 and over-long text in `q` and `department` (400);
//  headers: one 20 KiB header and 150 header fields (431);
//  slow clients: a header that never ends, and one that dribbles a byte every 300 ms
//    (both cut off after HEADER_TIMEOUT_SECONDS);
//  smuggling: Content-Length with Transfer-Encoding, two different Content-Lengths, a bad
//    chunk size (400, connection closed, the smuggled request never answered);
//  oversized upload: a 50 MB Content-Length with Expect: 100-continue and no body, and without
//    Expect (413 before any body byte is sent).
// After all of it the server still answers and has logged no 5xx.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertError } from './lib/assertions.mjs';
import { startApp, testEnv } from './lib/app.mjs';
import { uniqueUsername } from './lib/http.mjs';
import { png } from './lib/images.mjs';
import { RawConnection, rawRequest } from './lib/raw.mjs';

const headerTimeoutSeconds = 2;
const maxImageBytes = 64 * 1024;
let app;
let client;

before(async () => {
  app = await startApp({ env: { HEADER_TIMEOUT_SECONDS: String(headerTimeoutSeconds), MAX_IMAGE_BYTES: String(maxImageBytes) } });
  client = app.client();
  await client.signUp('hostile');
});

after(async () => {
  const health = await app.client().get('/health');
  assert.equal(health.status, 200, 'the server still answers after every attack');
  const fiveHundreds = app.requestLogs.filter((entry) => entry.status >= 500);
  assert.deepEqual(fiveHundreds, [], 'no request was answered with a 5xx');
  assert.deepEqual(app.logs.filter((entry) => entry.level === 'error'), [], 'nothing was logged as an error');
  assert.equal(await app.stop(), 0);
});

const allFiles = (dir) => readdirSync(dir, { recursive: true }).filter((f) => statSync(path.join(dir, f)).isFile());
const employeeCount = () => app.database.value('SELECT count(*) AS n FROM employees');

/** A raw HTTP/1.1 request with the session cookie; `extra` are more header lines. */
function raw(method, target, { headers = [], body = '' } = {}) {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${app.port}`, `Cookie: hrapp_session=${client.token}`, ...headers];
  if (body !== undefined && !headers.some((h) => /^(content-length|transfer-encoding):/i.test(h)))
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body, 'latin1')]);
}

/** A multipart body whose parts are [headers, content] pairs, with boundary `b`. */
function multipartBody(parts, { boundary = 'b0undary', close = true } = {}) {
  const chunks = parts.map(([headers, content]) => `--${boundary}\r\n${headers}\r\n\r\n${content}\r\n`);
  return chunks.join('') + (close ? `--${boundary}--\r\n` : '');
}
const field = (name, value) => [`Content-Disposition: form-data; name="${name}"`, value];

describe('JSON', () => {
  test('malformed JSON is 400 bad_request', async () => {
    for (const body of ['{', '{"username":', '{"username":"a","password":"b"}x', 'null', '[]', '"text"', '42', '', '{"a":1,}', "{'a':1}"]) {
      assertError(await client.post('/register', { body, headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
    }
    const invalidUtf8 = Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","password":"12345678"}')]);
    assert.equal((await client.post('/register', { body: invalidUtf8, headers: { 'content-type': 'application/json' } })).status, 400);
    const loneSurrogate = '{"username":"abc","password":"\\ud800abcdefgh"}';
    assert.equal((await client.post('/register', { body: loneSurrogate, headers: { 'content-type': 'application/json' } })).status, 400);
  });

  test('a NUL inside a field is refused, not cut short', async () => {
    const name = uniqueUsername();
    assertError(await client.register(`${name}\u0000admin`, 'long enough phrase'), 400, 'validation_failed', ['username']);
    assert.equal(await app.database.value(`SELECT count(*) AS n FROM users WHERE username = '${name}'`), 0);
  });

  test('JSON over 64 KiB is 413', async () => {
    const body = JSON.stringify({ username: uniqueUsername(), password: 'x'.repeat(70 * 1024) });
    assertError(await client.post('/register', { body, headers: { 'content-type': 'application/json' } }), 413, 'payload_too_large');
  });

  test('deeply nested JSON is 400, not a crash', async () => {
    for (const body of ['['.repeat(10000) + ']'.repeat(10000), '{"a":'.repeat(10000) + '1' + '}'.repeat(10000)]) {
      assertError(await client.post('/login', { body, headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
    }
    const nested = { username: { a: { b: { c: {} } } }, password: 'long enough phrase' };
    assertError(await client.post('/register', { json: nested }), 400, 'validation_failed', ['username']);
  });
});

describe('multipart', () => {
  const upload = (body, contentType = 'multipart/form-data; boundary=b0undary') =>
    client.post('/employees', { body, headers: { 'content-type': contentType } });
  const valid = [field('name', 'A'), field('role', 'B'), field('department', 'C')];

  test('a multipart type without a boundary is 415', async () => {
    assertError(await upload(multipartBody(valid), 'multipart/form-data'), 415, 'unsupported_media_type');
  });

  test('broken multipart bodies are 400 bad_request and store nothing', async () => {
    const before = await employeeCount();
    const broken = [
      multipartBody(valid, { boundary: 'other' }), // the declared boundary never appears
      multipartBody(valid, { close: false }), // no closing delimiter
      `${multipartBody(valid, { close: false })}--b0undary\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n${png().toString('latin1').slice(0, 20)}`, // cut mid-file
      '--b0undary\r\nContent-Disposition: form-data; name="name"', // part headers never end
      multipartBody([['Content-Type: text/plain', 'no disposition'], ...valid]),
      multipartBody([['Content-Disposition: form-data', 'no name'], ...valid]),
      multipartBody([['Content-Disposition: attachment; name="name"', 'A'], ...valid.slice(1)]),
      multipartBody([[`Content-Disposition: form-data; name="x"\r\nX-Pad: ${'p'.repeat(5000)}`, ''], ...valid]),
      'not multipart at all',
      '',
    ];
    for (const body of broken) assertError(await upload(body), 400, 'bad_request');
    assert.equal(await employeeCount(), before);
  });

  test('hundreds of parts are refused', async () => {
    const parts = [...valid, ...Array.from({ length: 500 }, (_, i) => field(`extra${i}`, 'x'))];
    assertError(await upload(multipartBody(parts)), 400, 'bad_request');
  });

  test('repeated fields and repeated images are refused, leaving no file behind', async () => {
    const before = allFiles(app.dataDir).length;
    assertError(await upload(multipartBody([...valid, field('name', 'Other')])), 400, 'bad_request');
    const image = (seed) => [`Content-Disposition: form-data; name="image"; filename="p${seed}.png"\r\nContent-Type: image/png`, png({ seed }).toString('latin1')];
    assertError(await upload(multipartBody([...valid, image(1), image(2)])), 400, 'bad_request');
    assert.equal(allFiles(app.dataDir).length, before, 'neither image was kept');
  });

  test('invalid UTF-8 in a text field is 400 naming the field', async () => {
    const body = Buffer.concat([Buffer.from(multipartBody(valid.slice(1)).replace('--b0undary--\r\n', '')),
      Buffer.from('--b0undary\r\nContent-Disposition: form-data; name="name"\r\n\r\n'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('\r\n--b0undary--\r\n')]);
    assertError(await upload(body), 400, 'validation_failed', ['name']);
  });
});

describe('files', () => {
  test('non-image bytes named as images are refused naming the supported types', async () => {
    const fakes = [Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.from('MZ\x90\x00', 'latin1'), Buffer.from('%PDF-1.4'), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')];
    for (const bytes of fakes) {
      const reply = await client.createEmployee({ name: 'A', role: 'B', department: 'C', image: { bytes, filename: 'photo.jpg', type: 'image/jpeg' } });
      const body = assertError(reply, 400, 'unsupported_image_type');
      assert.match(body.message, /JPEG.*PNG.*GIF.*WebP/i);
    }
  });

  test('path-traversal file names never reach a path', async () => {
    const names = ['../../../../tmp/pwned.png', '..\\..\\..\\pwned.png', '/etc/cron.d/pwned.png', '%2e%2e%2fpwned.png', 'pwned.png\u0000.txt', `${'../'.repeat(50)}pwned.png`];
    for (const filename of names) {
      const reply = await client.createEmployee({ name: 'A', role: 'B', department: 'C', image: { bytes: png(), filename, type: 'image/png' } });
      assert.equal(reply.status, 201, `${filename}: ${reply}`);
      assert.match(reply.body.image_url, /^\/images\/[0-9a-f-]{36}\.jpg$/);
    }
    const everything = allFiles(app.dataDir);
    assert.ok(everything.every((f) => !f.includes('pwned')), 'no file is named after the client');
    const images = allFiles(path.join(app.dataDir, 'uploads'));
    assert.ok(images.every((f) => new RegExp(`^${testEnv.DEPLOYMENT_ID}/[0-9a-f-]{36}(\\.thumb|\\.w384|\\.w640)?\\.(jpg|webp)$`).test(f)), images.join());
    assert.equal(existsSync('/tmp/pwned.png'), false);
  });

  test('file names with quotes and backslashes, as browsers send them, are accepted', async () => {
    // Browsers escape only CR, LF and '"' (as %0D, %0A, %22) in a multipart file name.
    for (const filename of ['my "best" photo.png', 'back\\slash.png', '\\', 'C:\\Users\\me\\photo.png']) {
      const reply = await client.createEmployee({ name: 'A', role: 'B', department: 'C', image: { bytes: png(), filename, type: 'image/png' } });
      assert.equal(reply.status, 201, `${JSON.stringify(filename)}: ${reply}`);
    }
  });
});

describe('paths', () => {
  test('dot-segments and encoded traversal never leave the image folder', async () => {
    const targets = ['/images/../hrapp.db', '/images/../../etc/passwd', '/images/..%2fhrapp.db', '/images/%2e%2e%2fhrapp.db',
      '/images/%2e%2e/%2e%2e/etc/passwd', '/images/..%5c..%5chrapp.db', '/images/....//hrapp.db', '/images//etc/passwd',
      '/../../../etc/passwd', '/static/../hrapp.db', '/static/%2e%2e/%2e%2e/etc/passwd', '/images/%00.png'];
    for (const target of targets) {
      const reply = await rawRequest(app.port, raw('GET', target, { body: undefined }));
      assert.ok([400, 404].includes(reply.status), `${target}: ${reply.statusLine}`);
      assert.ok(!reply.body.includes('SQLite format') && !reply.body.includes('root:'), `${target} leaked a file`);
    }
  });

  test('an invalid request target is 400 and a 20 KB URL is 431', async () => {
    assert.equal((await rawRequest(app.port, raw('GET', '/employees?q=%zz', { body: undefined }))).status, 400);
    assert.equal((await rawRequest(app.port, raw('GET', 'http://[bad', { body: undefined }))).status, 400);
    const long = await rawRequest(app.port, raw('GET', `/employees?q=${'a'.repeat(20000)}`, { body: undefined }));
    assert.equal(long.status, 431);
    assert.equal(long.json.error, 'headers_too_large');
  });
});

test('SQL metacharacters are stored and read back verbatim; a search for them never errors or matches by wildcard', async () => {
  const tag = uniqueUsername('sql');
  const values = [
    `Robert'); DROP TABLE employees;-- ${tag}`,
    `" OR 1=1 -- ${tag}`,
    `100% ${tag}`,
    `under_score ${tag}`,
    `back\\slash ${tag} '' \\' $1 ?`,
    `glob*star [a-z] ${tag}`,
  ];
  const ids = [];
  for (const value of values) {
    const reply = await client.createEmployee({ name: value, role: value, department: value });
    assert.equal(reply.status, 201, `${reply}`);
    assert.deepEqual([reply.body.name, reply.body.role, reply.body.department], [value, value, value]);
    ids.push(reply.body.id);
  }
  const byTag = async (q) => {
    const reply = await client.get(`/employees?q=${encodeURIComponent(q)}`);
    assert.equal(reply.status, 200, `q=${q}: ${reply}`);
    return reply.body.map((e) => e.id).sort((a, b) => a - b);
  };
  for (const [i, value] of values.entries()) {
    const read = (await client.get(`/employees/${ids[i]}`)).body;
    assert.deepEqual([read.name, read.role, read.department], [value, value, value], 'read back verbatim');
    const byDepartment = await client.get(`/employees?department=${encodeURIComponent(value)}`);
    assert.deepEqual(byDepartment.body.map((e) => e.id), [ids[i]], `department ${value}`);
    assert.deepEqual(byDepartment.body[0].name, value);
    assert.deepEqual(await byTag(value.toUpperCase()), [ids[i]], `q ${value}`);
  }
  // The search is by words: punctuation separates them and is no word itself, so a wildcard
  // of LIKE (% _) or GLOB (* ? [ ]) alone is no filter, and between letters it splits them.
  for (const wildcard of ['%', '_', '%%', '*', '?', '[', ']', "'", '\\', '--', ';']) {
    assert.deepEqual(await byTag(`${wildcard} ${tag}`), ids, `'${wildcard}' is no word: every tagged profile`);
  }
  assert.deepEqual(await byTag(`100% ${tag}`), [ids[2]], "'100%' is the word 100");
  assert.deepEqual(await byTag(`under_score ${tag}`), [ids[3]], "'under_score' is the words under and score");
  assert.deepEqual(await byTag(`glob*star ${tag}`), [ids[5]]);
  for (const q of ['sl%sh', 'sl_sh', 'sl*sh', 'sl?sh', 'sl[a]sh', 'b%ck', 'ba_k']) {
    assert.deepEqual(await byTag(`${q} ${tag}`), [], `'${q}' is two words, not a pattern matching slash, back or score`);
  }
  assert.deepEqual(await byTag(`\\slash ${tag}`), [ids[4]]);
  assert.deepEqual(await byTag(`'; DROP TABLE employees;-- ${tag}`), [ids[0]]);
  assert.ok(await employeeCount() >= values.length, 'the employees table is still there');
});

test('a NUL, a control character or invalid UTF-8 in a list filter is 400 naming it', async () => {
  for (const [query, name] of [['q=%00', 'q'], ['q=%ff%fe', 'q'], ['department=IT%00', 'department'], ['department=%1b', 'department'], [`q=${'x'.repeat(256)}`, 'q']]) {
    const reply = await client.get(`/employees?${query}`);
    assertError(reply, 400, 'bad_request', [name]);
  }
});

test('ids past the 32-bit range, negative or not numbers are 404 on every method', async () => {
  for (const id of ['2147483648', '99999999999999999999', '-1', '0', '1e3', '0x10']) {
    for (const method of ['GET', 'DELETE']) assertError(await client.request(method, `/employees/${id}`), 404, 'not_found');
    const patch = await client.request('PATCH', `/employees/${id}`, { json: { role: 'x' } });
    assertError(patch, 404, 'not_found');
  }
});

describe('headers', () => {
  test('a 20 KiB header is 431', async () => {
    const reply = await rawRequest(app.port, raw('GET', '/me', { headers: [`X-Big: ${'a'.repeat(20 * 1024)}`], body: undefined }));
    assert.equal(reply.status, 431);
    assert.equal(reply.json.error, 'headers_too_large');
  });

  test('150 header fields are 431', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `X-Field-${i}: ${i}`);
    const reply = await rawRequest(app.port, raw('GET', '/me', { headers: many, body: undefined }));
    assert.equal(reply.status, 431);
    assert.equal(reply.json.error, 'headers_too_large');
    const fewer = Array.from({ length: 50 }, (_, i) => `X-Field-${i}: ${i}`);
    assert.equal((await rawRequest(app.port, raw('GET', '/me', { headers: fewer, body: undefined }))).status, 200);
  });
});

describe('slow clients', () => {
  test('a header that never ends is cut off after the header time-out', async () => {
    const connection = await RawConnection.open(app.port);
    const started = Date.now();
    await connection.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: `);
    assert.ok(await connection.waitForClose((headerTimeoutSeconds + 3) * 1000), 'the server closed the connection');
    assert.ok(Date.now() - started >= (headerTimeoutSeconds - 0.5) * 1000, 'not before the time-out');
  });

  test('a header dribbled a byte at a time is cut off after the header time-out too', async () => {
    const connection = await RawConnection.open(app.port);
    const started = Date.now();
    const header = `GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(100)}\r\n\r\n`;
    for (const byte of header) {
      if (connection.closed || Date.now() - started > (headerTimeoutSeconds + 3) * 1000) break;
      await connection.write(byte);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    assert.ok(connection.closed, 'the server closed the connection before the header was complete');
    assert.ok(Date.now() - started < (headerTimeoutSeconds + 3) * 1000);
  });
});

describe('request smuggling', () => {
  const smuggled = 'GET /me HTTP/1.1\r\nHost: x\r\n\r\n';

  async function assertRefusedAndClosed(request) {
    const connection = await RawConnection.open(app.port);
    await connection.write(request);
    const reply = await connection.readResponse();
    assert.equal(reply.status, 400, reply.statusLine);
    assert.ok(await connection.waitForClose(5000), 'the connection is closed after a framing error');
    assert.ok(!connection.buffer.toString('latin1').includes('HTTP/1.1'), 'the smuggled request was not answered');
  }

  test('Content-Length together with Transfer-Encoding is 400', async () => {
    const chunked = `0\r\n\r\n${smuggled}`;
    await assertRefusedAndClosed(raw('POST', '/login', { headers: ['Content-Type: application/json', `Content-Length: ${chunked.length}`, 'Transfer-Encoding: chunked'], body: chunked }));
    await assertRefusedAndClosed(raw('POST', '/login', { headers: ['Transfer-Encoding: chunked', 'Content-Length: 4'], body: `0\r\n\r\n${smuggled}` }));
  });

  test('two different Content-Lengths are 400', async () => {
    await assertRefusedAndClosed(raw('POST', '/login', { headers: ['Content-Type: application/json', 'Content-Length: 2', 'Content-Length: 40'], body: `{}${smuggled}` }));
    await assertRefusedAndClosed(raw('POST', '/login', { headers: ['Content-Type: application/json', 'Content-Length: 2, 40'], body: `{}${smuggled}` }));
  });

  test('a bad chunk size is 400', async () => {
    await assertRefusedAndClosed(raw('POST', '/login', { headers: ['Content-Type: application/json', 'Transfer-Encoding: chunked'], body: `zz\r\n{}\r\n0\r\n\r\n${smuggled}` }));
  });
});

describe('oversized uploads', () => {
  const bigUpload = (expect) => {
    const headers = ['Content-Type: multipart/form-data; boundary=b0undary', `Content-Length: ${50 * 1024 * 1024}`];
    if (expect) headers.push('Expect: 100-continue');
    return raw('POST', '/employees', { headers, body: '' });
  };

  test('with Expect: 100-continue, 413 comes instead of 100 Continue', async () => {
    const connection = await RawConnection.open(app.port);
    await connection.write(bigUpload(true));
    const reply = await connection.readResponse(5000);
    assert.equal(reply.status, 413, reply.statusLine);
    assert.equal(reply.json.error, 'payload_too_large');
    connection.close();
  });

  test('without Expect, 413 comes before any body byte is sent', async () => {
    const connection = await RawConnection.open(app.port);
    await connection.write(bigUpload(false));
    const reply = await connection.readResponse(5000);
    assert.equal(reply.status, 413, reply.statusLine);
    assert.equal(reply.json.error, 'payload_too_large');
    connection.close();
  });
});
