// Sign-in throttling (issue items 8 and 9): limits per account and per client address on
// /login and /register, counted in the database so every instance of a fleet shares them;
// X-Forwarded-For believed only from a trusted proxy; the sign-in pool shared fairly between
// clients; and a sign-in ends the session it arrived with.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { assertError } from './lib/assertions.mjs';
import { startApp, tempDir } from './lib/app.mjs';
import { Database, dbTimestamp } from './lib/database.mjs';
import { defaultPassword, uniqueUsername } from './lib/http.mjs';

/** The client the load balancer (trusted: the test's own 127.0.0.1) says it forwards for. */
const from = (address) => ({ 'x-forwarded-for': address });
const behindProxy = { TRUSTED_PROXIES: '127.0.0.1/32' };

const accountSubject = (username) => `account:${createHash('sha256').update(username.toLowerCase()).digest('hex')}`;

async function login(client, username, password, headers = {}) {
  return client.post('/login', { json: { username, password }, headers });
}

/** Signs in with a wrong password until answered 429 (the delays double, so it comes soon). */
async function failUntilThrottled(client, username, headers, most) {
  const answers = [];
  for (let i = 0; i < most; i++) {
    const reply = await login(client, username, 'wrong password!', headers);
    answers.push(reply.status);
    if (reply.status === 429) return { answers, reply };
  }
  assert.fail(`no 429 after ${most} failed sign-ins: ${answers}`);
}

function retryAfter(reply) {
  const value = Number(reply.headers.get('retry-after'));
  assert.ok(Number.isInteger(value) && value >= 1, `Retry-After is a whole number of seconds: ${reply.headers.get('retry-after')}`);
  return value;
}

test('an account waits after its free failures, for at most a minute, and a correct password waits too', async () => {
  const app = await startApp({ env: { ...behindProxy, SIGNIN_ACCOUNT_FAILURES: '3' } });
  try {
    const client = app.client();
    const username = uniqueUsername('target');
    assert.equal((await client.register(username, defaultPassword)).status, 201);
    // Each failure from a different address: the account's own count does it.
    const { answers, reply } = await failUntilThrottled(client, username, from('198.51.100.1'), 10);
    assert.deepEqual(answers.slice(0, 4), [401, 401, 401, 401], 'three free failures and one more are answered');
    assertError(reply, 429, 'too_many_requests');
    assert.ok(retryAfter(reply) <= 60);
    const stored = await app.database.value(`SELECT failures FROM sign_in_failures WHERE subject = '${accountSubject(username)}'`);
    assert.ok(Number(stored) >= 4, `the failures are counted in the database: ${stored}`);

    // Many failures as a stranger could pile up: the wait is still a minute at most, and even
    // the right password is not checked while it lasts.
    await app.database.execute(`UPDATE sign_in_failures SET failures = 500, last_failure_at = ${nowSql()} WHERE subject = '${accountSubject(username)}'`);
    const waiting = await login(client, username, defaultPassword, from('203.0.113.50'));
    assertError(waiting, 429, 'too_many_requests');
    assert.ok(retryAfter(waiting) > 30 && retryAfter(waiting) <= 60, `Retry-After ${retryAfter(waiting)}`);
    assert.deepEqual(waiting.setCookies, []);

    // Once the wait is over the owner signs in, and that clears the account's count.
    await app.database.execute(`UPDATE sign_in_failures SET last_failure_at = ${nowSql(-61)} WHERE subject = '${accountSubject(username)}'`);
    assert.equal((await login(client, username, defaultPassword, from('203.0.113.50'))).status, 200);
    assert.equal(await app.database.value(`SELECT COUNT(*) FROM sign_in_failures WHERE subject = '${accountSubject(username)}'`), 0);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('an unknown username is throttled exactly like a known one (no enumeration)', async () => {
  const app = await startApp({ env: { ...behindProxy, SIGNIN_ACCOUNT_FAILURES: '2' } });
  try {
    const client = app.client();
    const known = uniqueUsername('known');
    assert.equal((await client.register(known, defaultPassword)).status, 201);
    const a = await failUntilThrottled(client, known, from('198.51.100.2'), 10);
    const b = await failUntilThrottled(client, uniqueUsername('ghost'), from('198.51.100.3'), 10);
    assert.deepEqual(a.answers.slice(0, 3), [401, 401, 401]);
    assert.deepEqual(b.answers.slice(0, 3), [401, 401, 401]);
    // The same words; only the seconds to wait may differ.
    const shape = (reply) => reply.body.message.replace(/\d+/g, 'N');
    assert.equal(shape(a.reply), shape(b.reply));
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('a client address that keeps failing waits, across accounts; other addresses do not', async () => {
  const app = await startApp({ env: { ...behindProxy, SIGNIN_ADDRESS_FAILURES: '4' } });
  try {
    const client = app.client();
    const victim = uniqueUsername('victim');
    assert.equal((await client.register(victim, defaultPassword)).status, 201);
    const statuses = [];
    let throttled;
    for (let i = 0; i < 12 && !throttled; i++) {
      const reply = await login(client, uniqueUsername('guess'), 'wrong password!', from('203.0.113.66'));
      statuses.push(reply.status);
      if (reply.status === 429) throttled = reply;
    }
    assert.ok(throttled, `the guessing address is throttled: ${statuses}`);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assertError(throttled, 429, 'too_many_requests');
    retryAfter(throttled);
    // While the guesser waits (made long here: the refusal itself came a second late), a sign-up
    // from the guesser waits too, and a try at another account is refused without counting
    // anything against that account.
    await app.database.execute(`UPDATE sign_in_failures SET failures = 30, last_failure_at = ${nowSql()} WHERE subject = 'address:203.0.113.66'`);
    assertError(await client.post('/register', { json: { username: uniqueUsername(), password: defaultPassword }, headers: from('203.0.113.66') }), 429, 'too_many_requests');
    const blocked = await login(client, victim, 'wrong password!', from('203.0.113.66'));
    assert.equal(blocked.status, 429);
    assert.equal(await app.database.value(`SELECT COUNT(*) FROM sign_in_failures WHERE subject = '${accountSubject(victim)}'`), 0);
    // The owner, from elsewhere, signs in at once.
    assert.equal((await login(client, victim, defaultPassword, from('198.51.100.7'))).status, 200);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('X-Forwarded-For from a peer that is not a trusted proxy is ignored: the peer is the client', async () => {
  const app = await startApp({ env: { SIGNIN_ADDRESS_FAILURES: '3' } });
  try {
    const client = app.client();
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      // A new forged address each time would dodge the limit if it were believed.
      const reply = await login(client, uniqueUsername('guess'), 'wrong password!', from(`198.51.100.${i + 10}`));
      statuses.push(reply.status);
      if (reply.status === 429) break;
    }
    assert.equal(statuses.at(-1), 429, `throttled by the peer address: ${statuses}`);
    const event = app.logs.find((l) => l.msg === 'sign-in throttled');
    assert.equal(event.client, '127.0.0.1');
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('sign-ups count only refused names against the address', async () => {
  const app = await startApp({ env: { ...behindProxy, SIGNIN_ADDRESS_FAILURES: '3' } });
  try {
    const client = app.client();
    const names = [];
    for (let i = 0; i < 8; i++) {
      const username = uniqueUsername('office');
      names.push(username);
      assert.equal((await client.register(username, defaultPassword)).status, 201, 'many sign-ups from one office are fine');
    }
    const statuses = [];
    for (const username of names) {
      const reply = await client.post('/register', { json: { username, password: defaultPassword }, headers: from('203.0.113.9') });
      statuses.push(reply.status);
      if (reply.status === 429) break;
    }
    assert.deepEqual(statuses.slice(0, 4), [400, 400, 400, 400], 'taken names are refused, then counted');
    assert.equal(statuses.at(-1), 429, `asking taken name after name is throttled: ${statuses}`);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('the counts hold for the fleet: failures on one instance throttle the account on another', async () => {
  const dataDir = tempDir();
  const database = await Database.create(dataDir);
  const env = { ...behindProxy, SIGNIN_ACCOUNT_FAILURES: '2' };
  const a = await startApp({ env, dataDir, database });
  const b = await startApp({ env, dataDir, database });
  try {
    const username = uniqueUsername('fleet');
    assert.equal((await a.client().register(username, defaultPassword)).status, 201);
    for (let i = 0; i < 3; i++) assert.equal((await login(a.client(), username, 'wrong password!', from(`198.51.100.${20 + i}`))).status, 401);
    await database.execute(`UPDATE sign_in_failures SET failures = 100, last_failure_at = ${nowSql()} WHERE subject = '${accountSubject(username)}'`);
    assertError(await login(b.client(), username, defaultPassword, from('198.51.100.30')), 429, 'too_many_requests');
  } finally {
    assert.equal(await a.stop(), 0);
    assert.equal(await b.stop(), 0);
  }
});

test('one client flooding sign-ins does not make another client\'s sign-in fail', async () => {
  // bcrypt at cost 10 keeps the sign-in pool busy for the whole flood.
  const app = await startApp({ env: { ...behindProxy, BCRYPT_COST: '10' } });
  try {
    const flooder = app.client();
    const floodUser = uniqueUsername('flood');
    assert.equal((await flooder.register(floodUser, defaultPassword)).status, 201);
    const other = app.client();
    const otherUser = uniqueUsername('other');
    assert.equal((await other.register(otherUser, defaultPassword)).status, 201);
    // Correct passwords: the flood is never throttled as failures, only by its share of the pool.
    const flood = Array.from({ length: 40 }, () => login(app.client(), floodUser, defaultPassword, from('203.0.113.77')));
    const mine = login(other, otherUser, defaultPassword, from('198.51.100.40'));
    const floodReplies = await Promise.all(flood);
    assert.equal((await mine).status, 200, 'the other client signs in');
    const statuses = floodReplies.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 429), `the flood gets 200 or 429, never 503: ${statuses}`);
    const refused = floodReplies.find((r) => r.status === 429);
    assert.ok(refused, `a client past its share of the pool is told to wait: ${statuses}`);
    assertError(refused, 429, 'too_many_requests');
    retryAfter(refused);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('a refused sign-in is answered only once the client may ask again, so asking at once cannot spin the server', async () => {
  const app = await startApp({ env: { ...behindProxy, SIGNIN_ADDRESS_FAILURES: '1' } });
  try {
    const client = app.client();
    const guesser = from('203.0.113.88');
    await app.database.execute(`INSERT INTO sign_in_failures (subject, failures, last_failure_at, version) VALUES ('address:203.0.113.88', 30, ${nowSql()}, 1)`);
    // A lower bound only: a timer never fires early, however busy the machine.
    const asked = performance.now();
    const refused = await login(client, uniqueUsername('guess'), 'wrong password!', guesser);
    const answeredAfter = performance.now() - asked;
    assertError(refused, 429, 'too_many_requests');
    assert.ok(retryAfter(refused) > 60);
    assert.ok(answeredAfter >= 990, `the refusal is held for a second: answered after ${answeredAfter.toFixed(0)} ms`);
    // Nothing was counted meanwhile, and another client is not held.
    assert.equal(Number(await app.database.value(`SELECT failures FROM sign_in_failures WHERE subject = 'address:203.0.113.88'`)), 30);
    const other = uniqueUsername('other');
    assert.equal((await client.post('/register', { json: { username: other, password: defaultPassword }, headers: from('198.51.100.8') })).status, 201);
    assert.equal((await login(client, other, defaultPassword, from('198.51.100.8'))).status, 200);
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

test('a sign-in ends the session it arrived with, and only that one', async () => {
  const app = await startApp();
  try {
    const client = app.client();
    const user = await client.signUp('resign');
    const first = client.token;
    const elsewhere = app.client();
    assert.equal((await elsewhere.login(user.username, user.password)).status, 200);
    assertError(await client.login(user.username, 'wrong password!'), 401, 'unauthorized');
    assert.equal((await client.get('/me')).status, 200, 'a failed sign-in ends nothing');
    assert.equal((await client.login(user.username, user.password)).status, 200);
    assert.notEqual(client.token, first);
    assert.equal((await client.get('/me')).status, 200);
    const stale = app.client();
    stale.token = first;
    assertError(await stale.get('/me'), 401, 'unauthorized');
    assert.equal((await elsewhere.get('/me')).status, 200, 'other sessions of the user go on');
  } finally {
    assert.equal(await app.stop(), 0);
  }
});

/** "Now" plus `seconds` as an SQL literal, for rewriting the time of the last failure. */
function nowSql(seconds = 0) {
  return `'${dbTimestamp(new Date(Date.now() + seconds * 1000))}'`;
}
