// Sign up, sign in, sign out, and the messages people see when they get it wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, signUp, unique, password, apiCall } from './lib/harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('sign-up shows the API validation messages next to the fields', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await page.goto('/#/signup');
  await page.getByLabel('Username').fill('ab');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();

  const username = page.getByLabel('Username');
  const passwordField = page.getByLabel('Password');
  await page.locator('#auth-username-error').waitFor();
  assert.equal(await username.getAttribute('aria-invalid'), 'true');
  assert.equal(await passwordField.getAttribute('aria-invalid'), 'true');
  // The messages are the API's, tied to the inputs so a screen reader reads them with the field.
  assert.match(await page.locator('#auth-username-error').textContent(), /\S/);
  assert.match(await page.locator('#auth-password-error').textContent(), /8/);
  assert.match(await username.getAttribute('aria-describedby'), /auth-username-error/);
  assert.ok(await username.evaluate((element) => element === document.activeElement), 'focus moves to the first bad field');
  await context.close();
  assertClean();
});

test('a taken username is reported next to the username field', async () => {
  const { page, context, assertClean } = await openPage(browser);
  const name = unique('taken');
  await signUp(page, name);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();

  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(name.toUpperCase());
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  const error = page.locator('#auth-username-error');
  await error.waitFor();
  assert.match(await error.textContent(), /taken/i);
  await context.close();
  assertClean();
});

test('sign in, a wrong password, sign out, and the session is gone on the server', async () => {
  const { page, context, assertClean } = await openPage(browser);
  const name = unique('alice');
  await signUp(page, name);
  assert.equal(await page.locator('[data-username]').textContent(), name);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();

  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.getByText('Wrong username or password.').waitFor();
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');

  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  assert.equal((await apiCall(context, 'GET', '/me')).status, 200);

  const cookieBefore = (await context.cookies()).find(({ name: cookie }) => cookie === 'hrapp_session');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const probe = await fetch(new URL('/me', page.url()), { headers: { Cookie: `hrapp_session=${cookieBefore.value}` } });
  assert.equal(probe.status, 401, 'the old session must be revoked on the server');

  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await context.close();
  assertClean();
});

test('a page opened without a session asks to sign in and then goes there', async () => {
  const { page, context, assertClean } = await openPage(browser);
  const name = unique('bob');
  await signUp(page, name);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();

  await page.goto('/#/new');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signInHere(page, name);
  await page.getByRole('heading', { level: 1, name: 'Add employee' }).waitFor();
  await context.close();
  assertClean();
});

test('the sign-in form works from the keyboard alone', async () => {
  const { page, context, assertClean } = await openPage(browser);
  const name = unique('keys');
  await signUp(page, name);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();

  // The page puts focus on its heading, so the next Tab reaches the first field.
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Sign in');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'auth-username');
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'auth-password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  await context.close();
  assertClean();
});

async function signInHere(page, name) {
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
