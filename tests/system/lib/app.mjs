// Starts the real hrapp binary on a free port with its own data folder and database, collects
// its JSON log lines, and stops it with SIGTERM, returning the exit code.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Database } from './database.mjs';
import { Client } from './http.mjs';

const run = promisify(execFile);

export const binary = process.env.HRAPP_BIN;
if (!binary) throw new Error('HRAPP_BIN is not set: run the suite through tests/system/run.sh <hrapp-binary>');

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** A new empty folder under the run's temporary root, removed by run.sh at the end. */
export function tempDir(prefix = 'hrapp-') {
  return mkdtempSync(path.join(process.env.HRAPP_TEST_TMP ?? os.tmpdir(), prefix));
}

/** Settings every test instance shares: fast bcrypt and a fixed image prefix. Every test client
 * connects from 127.0.0.1, like a whole office behind one address: the per-address sign-in
 * limit is tested where a test asks for it. */
export const testEnv = { BCRYPT_COST: '4', REGISTRATION: 'open', DEPLOYMENT_ID: 'systest', LOG_LEVEL: 'info', SIGNIN_ADDRESS_FAILURES: '100000' };

function childEnv(extra) {
  const env = { ...process.env, ...testEnv, ...extra };
  // The harness's own variables mean nothing to the app.
  for (const name of Object.keys(env)) if (name.startsWith('HRAPP_') || name.startsWith('NODE_')) delete env[name];
  return env;
}

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class App {
  constructor({ child, dataDir, database }) {
    this.child = child;
    this.dataDir = dataDir;
    this.database = database;
    this.logs = []; // parsed JSON lines of stdout
    this.badLines = []; // stdout lines that are not UTF-8 JSON objects (invalid bytes as latin1)
    this.stderr = '';
    this.port = undefined;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    this.exited.then(() => running.delete(child));
    this.#waiters = [];
    // Bytes, not text: a line that is not valid UTF-8 must be seen, not silently repaired.
    let pending = Buffer.alloc(0);
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    child.stdout.on('data', (bytes) => {
      pending = Buffer.concat([pending, bytes]);
      for (let end = pending.indexOf(0x0a); end >= 0; end = pending.indexOf(0x0a)) {
        const line = pending.subarray(0, end);
        pending = pending.subarray(end + 1);
        let text;
        try {
          text = utf8.decode(line);
        } catch {
          this.badLines.push(line.toString('latin1'));
          continue;
        }
        this.#addLine(text);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => (this.stderr += text));
  }

  #waiters;

  #addLine(line) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      this.badLines.push(line);
      return;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      this.badLines.push(line);
      return;
    }
    this.logs.push(entry);
    this.#waiters = this.#waiters.filter(({ predicate, resolve }) => !(predicate(entry) && (resolve(entry), true)));
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first log entry (already logged or to come) for which `predicate` holds. */
  waitForLog(predicate, timeoutMs = 15000) {
    const seen = this.logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      const waiter = { predicate, resolve: (entry) => (clearTimeout(timer), resolve(entry)) };
      this.#waiters.push(waiter);
      this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`hrapp exited (${code}) before the awaited log line; stderr: ${this.stderr}`));
      });
    });
  }

  /** The access-log entries, one per answered request. */
  get requestLogs() {
    return this.logs.filter((entry) => entry.msg === 'request');
  }

  /** A new HTTP client with an empty cookie jar. */
  client() {
    return new Client(this.url);
  }

  /** Sends `signal`, waits for the process to end and returns its exit code. */
  async stop(signal = 'SIGTERM', timeoutMs = 20000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** A port that was free a moment ago, for an app whose log will not say which port it took. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

async function waitUntilAnswering(app, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.child.exitCode !== null) throw new Error(`hrapp exited (${app.child.exitCode}); stderr: ${app.stderr}`);
    try {
      if ((await new Client(app.url).get('/livez')).status === 200) return;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // fetch's TypeError: not listening yet
    }
    if (Date.now() > deadline) throw new Error(`hrapp did not answer on port ${app.port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts `hrapp serve` and resolves once it is listening: on port 0, learning the port from
 * the "listening" log line; or on `port`, polling /livez (for log levels that hide that line).
 * `database` defaults to a fresh one on this run's engine; `dataDir` to a fresh folder.
 */
export async function startApp({ env = {}, args = [], dataDir = tempDir(), database, port } = {}) {
  database ??= await Database.create(dataDir);
  const child = spawn(binary, ['serve', '--port', String(port ?? 0), '--data-dir', dataDir, ...args], {
    env: childEnv({ ...database.env, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const app = new App({ child, dataDir, database });
  if (port) {
    app.port = port;
    await waitUntilAnswering(app);
  } else {
    app.port = (await app.waitForLog((entry) => entry.msg === 'listening')).port;
  }
  return app;
}

/**
 * Stops `app`, which must exit with 0, and starts it again on the same data folder and
 * database. Resolves to { app, client }: the new instance and, when `client` is given, a client
 * of it with the same session (a session outlives a restart).
 */
export async function restartApp(app, client) {
  assert.equal(await app.stop(), 0);
  const restarted = await startApp({ dataDir: app.dataDir, database: app.database });
  if (!client) return { app: restarted };
  const again = restarted.client();
  again.token = client.token;
  again.user = client.user;
  return { app: restarted, client: again };
}

/** How many profiles `app` derived the sort and search columns of as it started (undefined: it logged no derivation). */
export function profilesDerivedAtStart(app) {
  return app.logs.find((entry) => entry.msg === "profiles' sort and search columns derived")?.profiles;
}

/**
 * Runs a one-shot hrapp command (version, help, migrate, user, or a bad setting). `stdin`, when
 * given, is written to the command's standard input, which is then closed.
 */
export async function runHrapp(args, env = {}, { stdin } = {}) {
  try {
    const running = run(binary, args, { env: childEnv(env), timeout: 30000 });
    if (stdin !== undefined) {
      running.child.stdin.on('error', () => {}); // a command that exits without reading
      running.child.stdin.end(stdin);
    }
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error.code !== 'number') throw error;
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}
