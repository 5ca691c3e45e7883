// A session that ends while someone is typing: the page asks them to sign in again on top of
// the form, then finishes what they asked for with what they typed, photo included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, signUp, unique, password, sessionCookie, baseUrl, fillEmployee, cardOf, expectCards } from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Ends the browser's session on the server, as expiry or a sign-out elsewhere would. */
async function endSessionOnServer(context) {
  const response = await fetch(new URL('/logout', baseUrl), { method: 'POST', headers: { Cookie: await sessionCookie(context) } });
  assert.equal(response.status, 200);
}

test('an expired session is renewed in place and the typed form is saved', async () => {
  const { page, context, assertClean } = await openPage(browser);
  const username = unique('typist');
  await signUp(page, username);
  const department = unique('Archive');
  await page.goto('/#/new');
  await fillEmployee(page, { name: 'Patient Typist', role: 'Archivist', department });
  await page.getByLabel('Choose a photo').setInputFiles(await portrait(page, { name: 'typist.png', hue: 120 }));

  await endSessionOnServer(context);
  await page.getByRole('button', { name: 'Add employee' }).click();

  const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
  await dialog.waitFor();
  assert.equal(await dialog.getByLabel('Username').inputValue(), username, 'the username is filled in');
  assert.ok(await dialog.getByLabel('Password').evaluate((input) => input === document.activeElement), 'focus is on the password');
  await page.keyboard.press('Escape');
  assert.equal(await dialog.isVisible(), true, 'Escape does not drop the user into a dead session');

  await dialog.getByLabel('Password').fill('wrong password');
  await dialog.getByRole('button', { name: 'Sign in and continue' }).click();
  await dialog.getByRole('alert').getByText('Wrong username or password.').waitFor();
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Patient Typist');

  await dialog.getByLabel('Password').fill(password);
  await dialog.getByRole('button', { name: 'Sign in and continue' }).click();
  await page.getByText('Saved Patient Typist.').waitFor();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('heading', { level: 1, name: 'Patient Typist' }).waitFor();

  await page.getByRole('link', { name: 'Back to the directory' }).click();
  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, ['Patient Typist']);
  const card = cardOf(page, 'Patient Typist');
  assert.equal(await card.locator('.card-role').textContent(), 'Archivist');
  const photo = card.getByRole('img', { name: 'Photo of Patient Typist' });
  await photo.evaluate((image) => image.complete || new Promise((resolve) => image.addEventListener('load', resolve, { once: true })));
  assert.ok(await photo.evaluate((image) => image.naturalWidth) > 0, 'the photo chosen before expiry was uploaded');
  await context.close();
  assertClean();
});

test('leaving the renewal dialog goes to the sign-in page', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signUp(page, unique('leaver'));
  await endSessionOnServer(context);
  await page.getByRole('button', { name: 'Search' }).click();
  const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
  await dialog.getByRole('button', { name: 'Go to the sign-in page' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByText('Your session has ended. Sign in again.').waitFor();
  assert.equal(await page.locator('.account').isHidden(), true, 'the header no longer shows the account');
  await context.close();
  assertClean();
});
