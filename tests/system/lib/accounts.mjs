// Accounts, roles and second factors for the system tests: the first admin from the setup
// link the server logs, accounts of a role by invitation, TOTP codes computed here (RFC 6238),
// a dump of the whole database to search for secrets, and raw requests that report what the
// server answered without judging it against the API description.
import { createHash, createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { defaultPassword, uniqueUsername } from './http.mjs';

const run = promisify(execFile);

export const setupLinkMessage = 'first admin setup link';

/** The setup token of the newest setup link `app` logged (waiting for one if none yet). */
export async function setupToken(app, timeoutMs = 15000) {
  await app.waitForLog((entry) => entry.msg === setupLinkMessage, timeoutMs);
  const entry = app.logs.filter((e) => e.msg === setupLinkMessage).at(-1);
  const match = /^\/#setup=([^&#\s]+)$/.exec(entry.path ?? '');
  if (!match) throw new Error(`setup link without a /#setup= path: ${JSON.stringify(entry)}`);
  return match[1];
}

/** POST /register with an optional invitation token. */
export function register(client, username, password, invitation) {
  const json = { username, password };
  if (invitation !== undefined) json.invitation = invitation;
  return client.post('/register', { json });
}

/** POST /login with an optional second-factor code. */
export function login(client, username, password, code, headers = {}) {
  const json = { username, password };
  if (code !== undefined) json.code = code;
  return client.post('/login', { json, headers });
}

/** Registers `username` with `invitation` and signs the client in; throws unless both succeed. */
export async function registerAndSignIn(client, { prefix = 'user', username = uniqueUsername(prefix), password = defaultPassword, invitation } = {}) {
  const registered = await register(client, username, password, invitation);
  if (registered.status !== 201) throw new Error(`register ${username}: ${registered}`);
  const signedIn = await login(client, username, password);
  if (signedIn.status !== 200 || !client.token) throw new Error(`login ${username}: ${signedIn}`);
  client.user = { id: registered.body.id, username, password, role: registered.body.role };
  return client.user;
}

/** The first admin of `app`'s database, by the setup link it logged at start: a signed-in client. */
export async function firstAdmin(app, prefix = 'admin') {
  const token = await setupToken(app);
  const client = app.client();
  const user = await registerAndSignIn(client, { prefix, invitation: token });
  if (user.role !== 'admin') throw new Error(`the setup link made a ${user.role}, not an admin`);
  return client;
}

/** POST /invitations as `admin`; returns the invitation (with its token). */
export async function invite(admin, role = 'member', extra = {}) {
  const reply = await admin.post('/invitations', { json: { role, ...extra } });
  if (reply.status !== 201) throw new Error(`invite ${role}: ${reply}`);
  return reply.body;
}

/** A new signed-in client of an account with `role`, invited by `admin`. */
export async function userWithRole(app, admin, role, prefix = role) {
  const { token } = await invite(admin, role);
  const client = app.client();
  await registerAndSignIn(client, { prefix, invitation: token });
  if (client.user.role !== role) throw new Error(`the ${role} invitation made a ${client.user.role}`);
  return client;
}

// --- TOTP (RFC 4226, RFC 6238) -------------------------------------------------------------

/** The bytes of an RFC 4648 base32 text (padding and case ignored). */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of clean) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** HOTP of `key` at `counter`, `digits` long (SHA-1 unless `algorithm` says otherwise). */
export function hotp(key, counter, digits = 6, algorithm = 'sha1') {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The TOTP step (30 s) at `unixSeconds`. */
export const totpStep = (unixSeconds = Date.now() / 1000) => Math.floor(unixSeconds / 30);

/** The 6-digit TOTP code of a base32 secret at a step. */
export const totpAt = (secret, step) => hotp(base32Decode(secret), step);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An authenticator app for one secret: each code it hands out is of a later step than the
 * last (a server accepts each step once), within the ±1 step the server allows, and never
 * within 3 s of the current step's end, so the server's clock agrees on the window.
 */
export class Authenticator {
  constructor(secret) {
    this.secret = secret;
    this.lastStep = -Infinity;
  }

  async nextCode() {
    for (;;) {
      const seconds = Date.now() / 1000;
      if (seconds % 30 > 27) {
        await sleep((30 - (seconds % 30)) * 1000 + 100);
        continue;
      }
      const now = totpStep(seconds);
      const step = Math.max(this.lastStep + 1, now - 1);
      if (step <= now + 1) {
        this.lastStep = step;
        return totpAt(this.secret, step);
      }
      await sleep((30 - (seconds % 30)) * 1000 + 100);
    }
  }

  /** A code the server must refuse: a step already used. */
  usedCode() {
    return totpAt(this.secret, this.lastStep);
  }
}

/**
 * Enrols the signed-in client in two-factor sign-in: POST /me/mfa then /me/mfa/confirm.
 * Returns { secret, authenticator, recoveryCodes, enrolment }.
 */
export async function enrolMfa(client) {
  const started = await client.post('/me/mfa');
  if (started.status !== 201) throw new Error(`POST /me/mfa: ${started}`);
  const authenticator = new Authenticator(started.body.secret);
  const confirmed = await client.post('/me/mfa/confirm', { json: { code: await authenticator.nextCode() } });
  if (confirmed.status !== 200) throw new Error(`POST /me/mfa/confirm: ${confirmed}`);
  return { secret: started.body.secret, authenticator, recoveryCodes: confirmed.body.recovery_codes, enrolment: started.body };
}

// --- The database as text ---------------------------------------------------------------------

/** Everything `database` holds, as SQL text (sqlite3 .dump or pg_dump). */
export async function dumpDatabase(database) {
  if (database.postgresName) {
    const { stdout } = await run(
      `${process.env.HRAPP_PG_BIN}/pg_dump`,
      ['-h', '127.0.0.1', '-p', process.env.HRAPP_PG_PORT, '-U', 'postgres', '--data-only', database.postgresName],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    return stdout;
  }
  const { stdout } = await run('sqlite3', ['-cmd', '.timeout 10000', database.sqliteFile, '.dump'], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** The hex SHA-256 of a text (how the server keys sessions by their token). */
export const sha256Hex = (text) => createHash('sha256').update(text).digest('hex');

// --- Raw requests ----------------------------------------------------------------------------

/**
 * Sends one request exactly as written (method, target, headers) on a fresh connection and
 * returns { status, headers, text, json } of the answer, without checking it against the API
 * description: for path spellings that name no route.
 */
export function rawExchange(port, method, target, headers = {}, body = '') {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer to ${method} ${target}: ${received.toString('latin1').slice(0, 200)}`));
    }, 10000);
    const finish = () => {
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return false;
      const lines = received.subarray(0, headEnd).toString('latin1').split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const head = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        head[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = method === 'HEAD' ? 0 : Number(head['content-length'] ?? 0);
      if (received.length < headEnd + 4 + length) return false;
      const text = received.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
      let json;
      try {
        json = (head['content-type'] ?? '').startsWith('application/json') && text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, headers: head, text, json, toString: () => `${status} ${text.slice(0, 200)}` });
      return true;
    };
    socket.on('data', (data) => {
      received = Buffer.concat([received, data]);
      finish();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      if (!finish()) {
        clearTimeout(timer);
        reject(new Error(`connection closed before an answer to ${method} ${target}: ${received.toString('latin1').slice(0, 200)}`));
      }
    });
    const bodyBytes = Buffer.from(body);
    const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    if (bodyBytes.length || ['POST', 'PUT', 'PATCH'].includes(method)) lines.push(`Content-Length: ${bodyBytes.length}`);
    socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bodyBytes]));
  });
}
