// Two-factor sign-in through the UI, with codes the test computes itself (RFC 6238 from the
// setup key the page shows): enrolment from the account screen, signing in with a code and
// with a recovery code, turning it off, and a role that must enrol before anything else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, openPage, password, apiCall, anonymousCall, startApp, firstAdmin, invitedAccount, freshCode, waitUntil,
} from './lib/harness.mjs';

let browser;
let app;
let adminContext;

/** Fills username and password on the sign-in page and submits. */
async function signInWithPassword(page, username) {
  await page.goto('/#/signin');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Sets up two-factor sign-in from the account screen the page shows: checks the QR code loads,
 * reads the setup key, confirms with a computed code. Resolves to { secret, recoveryCodes }.
 */
async function enrol(page, used) {
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
  const qr = page.getByRole('img', { name: /QR code for your authenticator app/ });
  await qr.evaluate((image) => image.complete || new Promise((resolve) => image.addEventListener('load', resolve, { once: true })));
  assert.ok(await qr.evaluate((image) => image.naturalWidth) > 0, 'the QR code is drawn');
  const secret = (await page.getByRole('textbox', { name: 'Setup key' }).inputValue()).replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]+=*$/, 'the setup key is base32');

  // A wrong code is refused next to the field, and enrolment stays open.
  await page.getByLabel('Code from the app').fill('000000');
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await page.locator('#mfa-code-error:not([hidden])').waitFor();
  assert.equal(await page.getByLabel('Code from the app').getAttribute('aria-invalid'), 'true');

  await page.getByLabel('Code from the app').fill(await freshCode(secret, used));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
  const recoveryCodes = await page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').allTextContents();
  assert.equal(recoveryCodes.length, 10);
  assert.equal(new Set(recoveryCodes).size, 10);
  await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await page.getByText('Two-factor sign-in is on.', { exact: true }).waitFor();
  assert.equal(await page.locator('[data-mfa]').textContent(), 'On');
  return { secret, recoveryCodes };
}

before(async () => {
  browser = await launchBrowser();
  app = await startApp({ REGISTRATION: 'invite' });
  const admin = await firstAdmin(app);
  const opened = await openPage(browser, { url: app.url });
  await signInWithPassword(opened.page, admin.username);
  await opened.page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  adminContext = opened.context;
});
after(async () => {
  await adminContext?.close();
  await browser?.close();
  await app?.stop();
});

test('enrol with a computed code, sign in with a code and with a recovery code, then turn it off', async () => {
  const member = await invitedAccount(adminContext, 'member');
  const { page, context, assertClean } = await openPage(browser, { url: app.url });
  await signInWithPassword(page, member.username);
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();

  await page.getByRole('link', { name: `Signed in as ${member.username}` }).click();
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  assert.equal(await page.locator('[data-role]').textContent(), 'Member');
  assert.equal(await page.locator('[data-mfa]').textContent(), 'Off');
  const used = new Set();
  const { secret, recoveryCodes } = await enrol(page, used);
  assert.equal((await apiCall(context, 'GET', '/me')).body.mfa_enabled, true);

  // Sign in again: the password alone asks for a code.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByText('You have signed out.').waitFor();
  await signInWithPassword(page, member.username);
  const code = page.getByLabel('Authentication code');
  await code.waitFor();
  assert.ok(await code.evaluate((input) => input === document.activeElement), 'focus moves to the code');
  assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await code.getAttribute('inputmode'), 'numeric');
  await code.fill('000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#auth-code-error:not([hidden])').waitFor();
  await code.fill(await freshCode(secret, used));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();

  // A recovery code instead, once.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByText('You have signed out.').waitFor();
  await signInWithPassword(page, member.username);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(recoveryCodes[0]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  const reuse = await anonymousCall(app.url, 'POST', '/login', { username: member.username, password, code: recoveryCodes[0] });
  assert.equal(reuse.status, 401, 'a recovery code works once');

  // Turned off with the password.
  await page.getByRole('link', { name: `Signed in as ${member.username}` }).click();
  await page.getByLabel('Your password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
  await page.getByText('Two-factor sign-in is off.', { exact: true }).waitFor();
  assert.equal(await page.locator('[data-mfa]').textContent(), 'Off');
  const plain = await anonymousCall(app.url, 'POST', '/login', { username: member.username, password });
  assert.equal(plain.status, 200, 'the password alone signs in again');
  await context.close();
  assertClean();
});

test('an admin sees two-factor on and can reset it', async () => {
  const member = await invitedAccount(adminContext, 'member');
  const { page, context, assertClean } = await openPage(browser, { url: app.url });
  await signInWithPassword(page, member.username);
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  await page.goto('/#/account');
  await enrol(page, new Set());

  const adminPage = await adminContext.newPage();
  await adminPage.goto('/#/admin/accounts');
  const row = adminPage.locator(`tr[data-username="${member.username}"]`);
  await waitUntil(async () => (await row.locator('td[data-label="Two-factor"]').textContent().catch(() => '')) === 'On');
  await row.getByRole('button', { name: `Reset two-factor sign-in of ${member.username}` }).click();
  await adminPage.getByRole('alertdialog').getByRole('button', { name: 'Reset' }).click();
  await waitUntil(async () => (await adminPage.locator(`tr[data-username="${member.username}"] td[data-label="Two-factor"]`).textContent()) === 'Off');
  assert.equal((await anonymousCall(app.url, 'POST', '/login', { username: member.username, password })).status, 200);
  await adminPage.close();
  await context.close();
  assertClean();
});

test('a role that requires two-factor sign-in opens the account screen until it is set up', async () => {
  const strict = await startApp({ REGISTRATION: 'invite', MFA_REQUIRED_ROLES: 'admin,hr' });
  try {
    const admin = await firstAdmin(strict);
    const { page, context, assertClean } = await openPage(browser, { url: strict.url });
    await signInWithPassword(page, admin.username);
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await page.getByText('Your role, Administrator, requires two-factor sign-in.').waitFor();
    assert.equal((await apiCall(context, 'GET', '/employees')).status, 403);

    // The directory is out of reach until then: the app comes back here.
    await page.goto('/#/');
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await enrol(page, new Set());
    await page.getByRole('link', { name: 'HR Directory' }).click();
    await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
    assert.equal((await apiCall(context, 'GET', '/employees')).status, 200);

    // Turning it off is refused for this role, with the server's reason.
    await page.getByRole('link', { name: `Signed in as ${admin.username}` }).click();
    await page.getByLabel('Your password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /\S/);
    assert.equal((await apiCall(context, 'GET', '/me')).body.mfa_enabled, true);
    await context.close();
    assertClean();
  } finally {
    await strict.stop();
  }
});
