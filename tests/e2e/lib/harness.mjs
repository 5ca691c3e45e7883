// Shared pieces of the browser tests: Debian's Chromium through playwright-core, the app's
// address, fresh users, and a watch for errors the page must never show.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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
export async function openPage(browser, { width = 1280, height = 900, deviceScaleFactor = 1 } = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width, height }, deviceScaleFactor });
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

/** The session cookie the browser holds, for calls the test makes to the API itself. */
export async function sessionCookie(context) {
  const cookie = (await context.cookies(baseUrl)).find(({ name }) => name === 'hrapp_session');
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
  const response = await fetch(new URL(path, baseUrl), { method, headers, body: payload });
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

/** Polls `condition` until it is true, or throws after `timeoutMs`. */
export async function waitUntil(condition, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
