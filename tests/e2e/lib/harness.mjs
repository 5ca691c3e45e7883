// Shared pieces of the browser tests: Debian's Chromium through playwright-core, the app's
// address, fresh users, a watch for errors the page must never show, and axe-core's and the
// width's checks of a page. Tests that need an app of their own (invitation-only sign-up, a role
// that must use two-factor sign-in) start one with startApp and make its first admin with
// firstAdmin.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const baseUrl = process.env.HRAPP_URL;
if (!baseUrl) throw new Error('HRAPP_URL is not set: run the browser tests through tests/e2e/run.sh <path-to-hrapp>');

export const password = 'correct horse battery';

/** Headless Debian Chromium with the flags of shared/TOOLCHAIN.md. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A name no other test uses, so tests can share one app and still count what they made. */
export function unique(prefix) {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * A fresh page in its own browser context, of the given viewport and pixel density. It records uncaught script errors and any
 * Content-Security-Policy refusal; `assertClean()` fails the test if there were any.
 */
export async function openPage(browser, { width = 1280, height = 900, deviceScaleFactor = 1, url = baseUrl } = {}) {
  const context = await browser.newContext({ baseURL: url, viewport: { width, height }, deviceScaleFactor });
  contextUrls.set(context, url);
  // Everything here answers in well under a second; a short wait makes a failure quick to see.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(`csp: ${message.text()}`);
    }
  });
  return {
    page,
    context,
    assertClean() {
      assert.deepEqual(problems, [], 'the page logged script errors or CSP refusals');
    },
  };
}

// The app each browser context talks to, for the calls the test makes to the API itself.
const contextUrls = new WeakMap();

/** Signs up through the UI and waits for the directory. */
export async function signUp(page, username) {
  await page.goto('/#/signup');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
}

/** Signs in through the UI and waits for the directory. */
export async function signIn(page, username) {
  await page.goto('/#/signin');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
}

/** A fresh page (openPage's `options`) signed in as `username` through the UI, showing the directory. */
export async function signedInPage(browser, username, options = {}) {
  const opened = await openPage(browser, options);
  await signIn(opened.page, username);
  return opened;
}

/** The session cookie the browser holds, for calls the test makes to the API itself. */
export async function sessionCookie(context) {
  const cookie = (await context.cookies(contextUrls.get(context) ?? baseUrl)).find(({ name }) => name === 'hrapp_session');
  assert.ok(cookie, 'the browser holds no hrapp_session cookie');
  assert.equal(cookie.httpOnly, true, 'the session cookie must be HttpOnly');
  return `${cookie.name}=${cookie.value}`;
}

/** Calls the API from the test with the browser's session (for seeding and for checking). */
export async function apiCall(context, method, path, body) {
  const headers = { Cookie: await sessionCookie(context) };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(new URL(path, contextUrls.get(context) ?? baseUrl), { method, headers, body: payload });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Fills the add/edit form's text fields. */
export async function fillEmployee(page, { name, role, department }) {
  if (name !== undefined) await page.getByLabel('Name', { exact: true }).fill(name);
  if (role !== undefined) await page.getByLabel('Role', { exact: true }).fill(role);
  if (department !== undefined) await page.getByLabel('Department', { exact: true }).fill(department);
}

/** Submits the add/edit form and waits for the directory's "Saved" notice, or fails with the form's errors. */
export async function saveForm(page, buttonName, employeeName) {
  await page.getByRole('button', { name: buttonName }).click();
  const saved = page.getByText(`Saved ${employeeName}.`);
  const problems = page.locator('.form-error:not([hidden]), .field-error:not([hidden])');
  await saved.or(problems).first().waitFor();
  if (!(await saved.isVisible())) assert.fail(`the form was not saved: ${(await problems.allTextContents()).join(' / ')}`);
}

/** The directory's cards, one per employee shown. */
export function cards(page) {
  return page.getByRole('list', { name: 'Employee directory' }).getByRole('listitem');
}

/** The card whose heading is `name`. */
export function cardOf(page, name) {
  return cards(page).filter({ has: page.getByRole('heading', { name, exact: true }) });
}

/** Waits until the directory shows exactly these names, in this order. */
export async function expectCards(page, names) {
  const headings = page.getByRole('list', { name: 'Employee directory' }).getByRole('heading');
  await page.waitForFunction(() => !document.querySelector('.cards[aria-busy]'));
  try {
    await waitUntil(async () => JSON.stringify(await headings.allTextContents()) === JSON.stringify(names));
  } catch {
    assert.deepEqual(await headings.allTextContents(), names, 'the directory shows other cards');
  }
}

/** The names in the directory's table view, in order, once it has loaded. */
export async function expectRows(page, names) {
  const headers = page.getByRole('table', { name: 'Employee directory' }).locator('tbody th .row-name');
  await page.waitForFunction(() => !document.querySelector('.directory-table[aria-busy]'));
  try {
    await waitUntil(async () => JSON.stringify(await headers.allTextContents()) === JSON.stringify(names));
  } catch {
    assert.deepEqual(await headers.allTextContents(), names, 'the table shows other people');
  }
}

/** A profile's form body, for seeding through the API. */
export function profileForm(fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

let axeSource;

/** Each violation axe-core finds on the page as it is now, with the elements at fault. */
export async function axeViolations(page) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const { violations: found } = await window.axe.run(document, { resultTypes: ['violations'] });
    return found.map(({ id, nodes }) => `${id}: ${nodes.map(({ target }) => target.join(' ')).join(', ')}`);
  });
}

/** Fails unless the page's content fits its width: nothing scrolls sideways. */
export async function assertFitsWidth(page, what) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const { scrollWidth, clientWidth } = document.documentElement;
    return { scrollWidth, clientWidth };
  });
  assert.ok(scrollWidth <= clientWidth, `${what} scrolls sideways: ${scrollWidth} px of content in ${clientWidth} px`);
}

/** Polls `condition` until it is true, or throws after `timeoutMs`. */
export async function waitUntil(condition, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts an app of the test's own (the binary run.sh was given, on a fresh data directory and a
 * free port) with `env` added to its settings. Resolves to { url, logs, waitForLog, stop };
 * `logs` holds the JSON log lines seen so far.
 */
export async function startApp(env = {}) {
  const binary = process.env.HRAPP_BIN;
  if (!binary) throw new Error('HRAPP_BIN is not set: run the browser tests through tests/e2e/run.sh <path-to-hrapp>');
  const dataDir = mkdtempSync(join(tmpdir(), 'hrapp-e2e-'));
  const child = spawn(binary, ['serve', '--port', '0', '--web-dir', process.env.HRAPP_WEB_DIR], {
    env: { ...process.env, BCRYPT_COST: '4', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  const waiters = new Set();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      for (const waiter of waiters) waiter(entry);
    });
  }

  /** Resolves to the first log line, past or future, that `predicate` accepts. */
  function waitForLog(predicate, timeoutMs = 15_000) {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no such log line within ${timeoutMs} ms; the log: ${JSON.stringify(logs.slice(-20))}`));
      }, timeoutMs);
      const waiter = (entry) => {
        if (!predicate(entry)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(entry);
      };
      waiters.add(waiter);
      exited.then((code) => {
        if (!waiters.has(waiter)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        reject(new Error(`hrapp exited (${code}) first; the log: ${JSON.stringify(logs.slice(-20))}`));
      });
    });
  }

  const { port } = await waitForLog((entry) => entry.msg === 'listening');
  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    waitForLog,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The path of the first administrator's setup link (/#setup=TOKEN) that the app logged at start. */
export async function setupPath(app) {
  const entry = await app.waitForLog((line) => line.msg === 'first admin setup link');
  assert.match(entry.path, /^\/#setup=./, 'the setup link is a path with the token in the fragment');
  return entry.path;
}

/** Calls the API without a session (registration, sign-in). */
export async function anonymousCall(url, method, path, body) {
  const response = await fetch(new URL(path, url), { method, headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Makes the first administrator of `app` through its setup link; resolves to the account ({ id, username, role }). */
export async function firstAdmin(app, username = unique('admin')) {
  const token = (await setupPath(app)).split('#setup=')[1];
  const created = await anonymousCall(app.url, 'POST', '/register', { username, password, invitation: token });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { username, ...created.body };
}

/**
 * Makes an account of `role` through an invitation the signed-in admin of `adminContext` makes.
 * Resolves to the account ({ id, username, role }).
 */
export async function invitedAccount(adminContext, role, username = unique(role)) {
  const invitation = await apiCall(adminContext, 'POST', '/invitations', { role });
  assert.equal(invitation.status, 201, JSON.stringify(invitation.body));
  const account = await anonymousCall(contextUrls.get(adminContext), 'POST', '/register',
    { username, password, invitation: invitation.body.token });
  assert.equal(account.status, 201, JSON.stringify(account.body));
  assert.equal(account.body.role, role);
  return account.body;
}

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The bytes of a base32 text (RFC 4648; spaces, case and padding ignored). */
export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = base32Alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The RFC 6238 time step of `timeMs` (30 s steps from the Unix epoch). */
export function totpStep(timeMs = Date.now()) {
  return Math.floor(timeMs / 1000 / 30);
}

/** The 6-digit TOTP code (RFC 6238 with HMAC-SHA1, RFC 4226's dynamic truncation) of `step`. */
export function totp(secret, step = totpStep()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', Buffer.isBuffer(secret) ? secret : base32Decode(secret)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/**
 * A code the server has not seen yet: each time step is usable once, and it accepts one step
 * either side of its own. `used` is the set of steps used already for this secret; the step
 * chosen is added to it. Waits for the next step if both usable ones are spent.
 */
export async function freshCode(secret, used) {
  for (;;) {
    const now = totpStep();
    const last = used.size ? Math.max(...used) : -Infinity;
    const step = [now, now + 1].find((candidate) => candidate > last);
    if (step !== undefined) {
      used.add(step);
      return totp(secret, step);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
