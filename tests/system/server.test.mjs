// The server around the API: keep-alive, 405 with Allow, security headers on every response,
// draining on SIGTERM, JSON logs that never hold a secret, LOG_LEVEL, bad settings, and the
// version, help and migrate commands.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Database } from './lib/database.mjs';
import { freePort, runHrapp, startApp, tempDir } from './lib/app.mjs';
import { multipart } from './lib/http.mjs';
import { png } from './lib/images.mjs';
import { RawConnection, rawRequest } from './lib/raw.mjs';

let app;
before(async () => {
  app = await startApp({ env: { IDLE_TIMEOUT_SECONDS: '2' } });
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

describe('connections', () => {
  test('one connection serves several requests (keep-alive)', async () => {
    const connection = await RawConnection.open(app.port);
    for (const path of ['/health', '/livez', '/no-such-page', '/health']) {
      await connection.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      const reply = await connection.readResponse();
      assert.ok([200, 404].includes(reply.status), reply.statusLine);
      assert.notEqual(reply.headers.connection?.toLowerCase(), 'close');
    }
    assert.equal(connection.closed, false);
    connection.close();
  });

  test('an idle keep-alive connection is closed after the idle time-out', async () => {
    const connection = await RawConnection.open(app.port);
    await connection.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await connection.readResponse()).status, 200);
    const started = Date.now();
    assert.ok(await connection.waitForClose(6000), 'closed when idle');
    assert.ok(Date.now() - started >= 1500, 'but not before the idle time-out');
  });

  test('Connection: close is honoured', async () => {
    const connection = await RawConnection.open(app.port);
    await connection.write('GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal((await connection.readResponse()).status, 200);
    assert.ok(await connection.waitForClose(2000));
  });
});

test('a wrong method or path with a body is 405 or 404, not 413', async () => {
  const client = app.client();
  await client.signUp();
  const json = { name: 'x', role: 'y', department: 'z' };
  assert.equal((await client.request('PUT', '/health', { json })).status, 405);
  assert.equal((await client.request('POST', '/me', { json })).status, 405);
  const missing = await client.request('POST', '/no-such-route', { json });
  assert.equal(missing.status, 404, `${missing}`);
  assert.equal(missing.body.error, 'not_found');
});

test('a wrong method is 405 with Allow listing the right ones', async () => {
  const client = app.client();
  await client.signUp();
  const created = await client.createEmployee({ name: 'A', role: 'B', department: 'C' });
  const cases = [
    ['DELETE', '/health', ['GET']],
    ['POST', '/livez', ['GET']],
    ['GET', '/login', ['POST']],
    ['GET', '/register', ['POST']],
    ['PUT', '/me', ['GET']],
    ['DELETE', '/employees', ['GET', 'POST']],
    ['POST', `/employees/${created.body.id}`, ['DELETE', 'GET', 'PATCH', 'PUT']],
    ['POST', '/departments', ['GET']],
  ];
  for (const [method, path, allowed] of cases) {
    const reply = await client.request(method, path);
    assert.equal(reply.status, 405, `${method} ${path}: ${reply}`);
    assert.equal(reply.body.error, 'method_not_allowed');
    const allow = reply.headers.get('allow').split(',').map((m) => m.trim()).filter((m) => m !== 'HEAD').sort();
    assert.deepEqual(allow, allowed, `${method} ${path}`);
  }
});

describe('security headers', () => {
  function assertSecurityHeaders(headers, what) {
    const get = (name) => (headers instanceof Headers ? headers.get(name) : headers[name]);
    assert.equal(get('x-content-type-options'), 'nosniff', what);
    assert.equal(get('referrer-policy'), 'no-referrer', what);
    assert.equal(get('x-frame-options'), 'DENY', what);
    assert.equal(get('server'), 'hrapp', `${what}: the Server header names no version`);
    const csp = get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "script-src 'self'"])
      assert.ok(csp.includes(directive), `${what}: CSP ${csp} lacks ${directive}`);
    assert.ok(!/unsafe-inline|unsafe-eval|\*/.test(csp), `${what}: CSP ${csp} is not strict`);
  }

  test('on every kind of response, with no-store on signed-in ones but photos', async () => {
    const client = app.client();
    await client.signUp();
    const created = await client.createEmployee({ name: 'A', role: 'B', department: 'C', image: { bytes: png(), filename: 'a.png' } });
    const anonymous = app.client();
    const responses = {
      'GET /health': await anonymous.get('/health'),
      'GET /livez': await anonymous.get('/livez'),
      'GET /': await anonymous.get('/'),
      '404': await anonymous.get('/nope'),
      '401': await anonymous.get('/me'),
      '405': await anonymous.request('DELETE', '/health'),
      '415': await anonymous.post('/login', { body: 'x', headers: { 'content-type': 'text/plain' } }),
      '400': await anonymous.post('/login', { body: '{', headers: { 'content-type': 'application/json' } }),
      'login 401': await anonymous.login('nobody-here', 'wrong password'),
      'POST /employees': created,
      'GET /me': await client.get('/me'),
      'GET /employees': await client.get('/employees'),
      'GET /employees/{id}': await client.get(`/employees/${created.body.id}`),
      'GET image': await client.get(created.body.image_url),
      'GET /departments': await client.get('/departments'),
      'PATCH': await client.request('PATCH', `/employees/${created.body.id}`, { json: { name: 'Z' } }),
      '403': await client.post('/employees', { form: multipart({ name: 'A', role: 'B', department: 'C' }), headers: { origin: 'http://evil.example' } }),
    };
    for (const [what, reply] of Object.entries(responses)) {
      assertSecurityHeaders(reply.headers, what);
      assert.match(reply.headers.get('x-request-id') ?? '', /^[A-Za-z0-9_-]{8,}$/, `${what} has a request id`);
    }
    for (const what of ['POST /employees', 'GET /me', 'GET /employees', 'GET /employees/{id}', 'GET /departments', 'PATCH'])
      assert.equal(responses[what].headers.get('cache-control'), 'no-store', what);
    // A photo's name never changes its bytes: the browser keeps it, for the signed-in user only.
    assert.equal(responses['GET image'].headers.get('cache-control'), 'private, max-age=31536000, immutable');
    const ids = Object.values(responses).map((r) => r.headers.get('x-request-id'));
    assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
  });

  test('on refusals made before routing (431, 413, 400 framing)', async () => {
    const refusals = {
      431: `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`,
      413: 'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
      400: 'POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    };
    for (const [status, request] of Object.entries(refusals)) {
      const reply = await rawRequest(app.port, request);
      assert.equal(reply.status, Number(status), reply.statusLine);
      assertSecurityHeaders(reply.headers, `refusal ${status}`);
      assert.equal(reply.headers['content-type'], 'application/json; charset=utf-8');
    }
  });
});

describe('logs', () => {
  test('every line is JSON; request lines carry their fields; no password, hash or token appears', async () => {
    const client = app.client();
    const password = 'Sw0rdfish-log-canary-81';
    const user = await client.signUp('logcheck', password);
    const firstToken = client.token;
    await client.login(user.username, password);
    const secondToken = client.token;
    await client.login(user.username, 'wrong-password-canary-99');
    const created = await client.createEmployee({ name: 'Logged', role: 'R', department: 'D' });
    const reply = await client.get(`/employees/${created.body.id}?q=x`);
    await client.post('/logout');
    const hash = await app.database.value(`SELECT password_hash FROM users WHERE id = ${user.id}`);
    await app.waitForLog((entry) => entry.request_id === reply.headers.get('x-request-id'));

    assert.deepEqual(app.badLines, [], 'every stdout line is one JSON object');
    for (const entry of app.logs) {
      assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.ok(['debug', 'info', 'warn', 'error'].includes(entry.level), JSON.stringify(entry));
      assert.equal(typeof entry.msg, 'string');
    }
    const line = app.requestLogs.find((entry) => entry.request_id === reply.headers.get('x-request-id'));
    assert.ok(line, 'the request is logged under the id the client saw');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, `/employees/${created.body.id}`, 'the path is logged without the query');
    assert.equal(line.status, 200);
    assert.ok(Number.isInteger(line.duration_us) && line.duration_us >= 0);
    assert.equal(line.level, 'info');
    for (const entry of app.requestLogs) {
      for (const key of ['time', 'level', 'request_id', 'method', 'path', 'status', 'duration_us']) assert.ok(key in entry, `${key} in ${JSON.stringify(entry)}`);
    }
    const everything = app.logs.map((entry) => JSON.stringify(entry)).join('\n') + app.stderr;
    for (const secret of [password, 'wrong-password-canary-99', hash, hash.slice(7), firstToken, secondToken]) {
      assert.ok(!everything.includes(secret), `the log holds a secret: ${secret.slice(0, 12)}…`);
    }
  });

  test('successful health probes are logged at debug level only, failures at info', async () => {
    const reply = await app.client().get('/health');
    const id = reply.headers.get('x-request-id');
    const later = await app.client().get('/employees'); // logged after the probe would have been
    await app.waitForLog((entry) => entry.request_id === later.headers.get('x-request-id'));
    assert.equal(app.requestLogs.find((entry) => entry.request_id === id), undefined, 'a 200 from /health is not logged at info');
    const verbose = await startApp({ env: { LOG_LEVEL: 'debug' }, port: await freePort() });
    const probe = await verbose.client().get('/livez');
    const line = await verbose.waitForLog((entry) => entry.request_id === probe.headers.get('x-request-id'));
    assert.equal(line.level, 'debug');
    assert.equal(await verbose.stop(), 0);
  });

  test('LOG_LEVEL=error silences request lines', async () => {
    const quiet = await startApp({ env: { LOG_LEVEL: 'error' }, port: await freePort() });
    const client = quiet.client();
    await client.signUp();
    await client.get('/employees');
    await client.get('/nope');
    assert.equal(await quiet.stop(), 0);
    assert.deepEqual(quiet.requestLogs, []);
    assert.deepEqual(quiet.logs.filter((entry) => entry.level !== 'error'), [], 'only errors are logged');
  });
});

test('SIGTERM while an upload is in flight: the request completes, new connections are refused, exit 0', async () => {
  const draining = await startApp();
  const client = draining.client();
  await client.signUp('drain');
  const photo = png({ width: 64, height: 64, seed: 9 });
  const form = new Response(multipart({ name: 'Drained', role: 'R', department: 'D', image: { bytes: photo, filename: 'a.png' } }));
  const body = Buffer.from(await form.arrayBuffer());
  const head = `POST /employees HTTP/1.1\r\nHost: 127.0.0.1:${draining.port}\r\nCookie: hrapp_session=${client.token}\r\n` +
    `Content-Type: ${form.headers.get('content-type')}\r\nContent-Length: ${body.length}\r\n\r\n`;
  const connection = await RawConnection.open(draining.port);
  await connection.write(Buffer.concat([Buffer.from(head), body.subarray(0, body.length / 2)]));
  await new Promise((resolve) => setTimeout(resolve, 200));

  draining.child.kill('SIGTERM');
  await draining.waitForLog((entry) => entry.msg === 'draining');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(draining.child.exitCode, null, 'still running while a request is in flight');
  await assert.rejects(RawConnection.open(draining.port), /ECONNREFUSED/, 'no new connections while draining');

  await connection.write(body.subarray(body.length / 2));
  const reply = await connection.readResponse();
  assert.equal(reply.status, 201, `${reply.statusLine} ${reply.text}`);
  assert.equal(reply.json.name, 'Drained');
  assert.equal(await draining.exited, 0, 'exit code 0 after draining');
  assert.equal(await draining.database.value(`SELECT count(*) AS n FROM employees WHERE id = ${reply.json.id}`), 1);
});

describe('settings and commands', () => {
  test('a bad setting stops start-up with exit 2 and one line naming it', async () => {
    const cases = [
      [{ BCRYPT_COST: '3' }, [], 'BCRYPT_COST'],
      [{ BCRYPT_COST: 'twelve' }, [], 'BCRYPT_COST'],
      [{ APP_PORT: '70000' }, [], 'APP_PORT'],
      [{ APP_HOST: 'not-an-ip' }, [], 'APP_HOST'],
      [{ APP_HOST: '999.0.0.1' }, [], 'APP_HOST'],
      [{ APP_PORT: String(app.port) }, [], 'APP_PORT'], // taken by the running app
      [{ LOG_LEVEL: 'loud' }, [], 'LOG_LEVEL'],
      [{ MAX_IMAGE_BYTES: '-1' }, [], 'MAX_IMAGE_BYTES'],
      [{ IMAGE_MAX_MEGAPIXELS: '0' }, [], 'IMAGE_MAX_MEGAPIXELS'],
      [{}, ['--image-max-megapixels', '501'], '--image-max-megapixels'],
      [{ DEPLOYMENT_ID: 'Team_01' }, [], 'DEPLOYMENT_ID'],
      [{ HEADER_TIMEOUT_SECONDS: '0' }, [], 'HEADER_TIMEOUT_SECONDS'],
      [{ IDLE_TIMEOUT_SECONDS: 'soon' }, [], 'IDLE_TIMEOUT_SECONDS'],
      [{ DB_POOL_SIZE: '0' }, [], 'DB_POOL_SIZE'],
      [{ TRUSTED_PROXIES: '10.0.0.0/33' }, [], 'TRUSTED_PROXIES'],
      [{ SIGNIN_ACCOUNT_FAILURES: '0' }, [], 'SIGNIN_ACCOUNT_FAILURES'],
      [{}, ['--signin-address-failures', 'many'], '--signin-address-failures'],
      [{ S3_BUCKET_NAME: 'Not A Bucket' }, [], 'S3_BUCKET_NAME'],
      [{ AWS_REGION: 'mars' }, [], 'AWS_REGION'],
      [{ AWS_ENDPOINT_URL: 'ftp://example' }, [], 'AWS_ENDPOINT_URL'],
      [{ WEB_DIR: '/nonexistent/web' }, [], 'WEB_DIR'],
      [{}, ['--bcrypt-cost', '99'], '--bcrypt-cost'],
      [{}, ['--port', '-1'], '--port'],
      [{}, ['--no-such-flag', '1'], '--no-such-flag'],
    ];
    for (const [env, args, named] of cases) {
      const result = await runHrapp(['serve', '--data-dir', tempDir(), ...args], { APP_PORT: '0', ...env });
      assert.equal(result.code, 2, `${named}: exit code ${result.code}; ${result.stderr}`);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line for ${named}: ${result.stderr}`);
      assert.ok(lines[0].includes(named), `${lines[0]} names ${named}`);
      assert.ok(!result.stdout.includes('listening'));
    }
  });

  test('hrapp version and hrapp --help', async () => {
    for (const args of [['version'], ['--version']]) {
      const result = await runHrapp(args);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^hrapp \d+\.\d+\.\d+\S*\n$/);
    }
    for (const args of [['--help'], ['help'], ['serve', '--help']]) {
      const result = await runHrapp(args);
      assert.equal(result.code, 0, args.join(' '));
      for (const word of ['serve', 'migrate', 'version', 'APP_PORT', 'DATA_DIR', 'DATABASE_URL', 'DB_SECRET_ARN', 'S3_BUCKET_NAME',
        'DEPLOYMENT_ID', 'AWS_REGION', 'LOG_LEVEL', 'BCRYPT_COST', 'MAX_IMAGE_BYTES', 'IMAGE_MAX_MEGAPIXELS', 'HEADER_TIMEOUT_SECONDS', 'IDLE_TIMEOUT_SECONDS',
        'TRUSTED_PROXIES', 'SIGNIN_ACCOUNT_FAILURES', 'SIGNIN_ADDRESS_FAILURES']) {
        assert.ok(result.stdout.includes(word), `--help mentions ${word}`);
      }
    }
    const unknown = await runHrapp(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /frobnicate/);
  });

  test('hrapp migrate creates the schema once; serve then finds it applied', async () => {
    const dataDir = tempDir();
    const database = await Database.create(dataDir);
    const first = await runHrapp(['migrate', '--data-dir', dataDir], database.env);
    assert.equal(first.code, 0, first.stderr);
    const firstLog = first.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.ok(firstLog.some((entry) => entry.msg === 'migration applied'));
    const versions = await database.rows('SELECT version FROM schema_migrations ORDER BY version');
    assert.ok(versions.length >= 1);
    assert.equal(await database.value("SELECT count(*) AS n FROM employees"), 0, 'the employees table exists');
    assert.equal(await database.value("SELECT count(*) AS n FROM users"), 0, 'the users table exists');
    assert.equal(await database.value("SELECT count(*) AS n FROM sessions"), 0, 'the sessions table exists');

    const second = await runHrapp(['migrate', '--data-dir', dataDir], database.env);
    assert.equal(second.code, 0);
    const secondLog = second.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.ok(!secondLog.some((entry) => entry.msg === 'migration applied'), 'nothing is applied twice');
    assert.deepEqual(await database.rows('SELECT version FROM schema_migrations ORDER BY version'), versions);

    const served = await startApp({ dataDir, database });
    assert.ok(!served.logs.some((entry) => entry.msg === 'migration applied'));
    const client = served.client();
    await client.signUp();
    assert.equal((await client.get('/me')).status, 200);
    assert.equal(await served.stop(), 0);
  });
});
