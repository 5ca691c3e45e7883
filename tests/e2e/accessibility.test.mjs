// axe-core finds no accessibility violation (WCAG 2.x A and AA, and axe's best practices) on
// any view: sign-in, the directory with photos on a phone and a desktop, its table view, a
// person's page, a page that failed to load, the add form while a photo uploads (its progress
// bar showing), the sign-in's code step, the account screen with two-factor setup, and the
// administration's screens. On a phone, those screens keep to the width and their controls are
// at least 44 px tall.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, openPage, signUp, unique, apiCall, expectCards, fillEmployee, startApp, firstAdmin, password,
  invitedAccount, waitUntil, expectRows, axeViolations, assertFitsWidth,
} from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('sign-in, the directory on a phone and a desktop, and an upload in progress', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await page.goto('/#/signin');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'sign-in');

  await signUp(page, unique('a11y'));
  const department = unique('Access');
  const names = ['Ada Lovelace', 'Alan Turing'];
  for (const [index, name] of names.entries()) {
    const form = new FormData();
    for (const [k, v] of Object.entries({ name, role: 'Engineer', department })) form.append(k, v);
    if (index === 0) {
      const photo = await portrait(page);
      form.append('image', new Blob([photo.buffer], { type: photo.mimeType }), photo.name);
    }
    assert.equal((await apiCall(context, 'POST', '/employees', form)).status, 201);
  }
  // The department list is read when the directory opens.
  await page.reload();
  await page.getByLabel('Department').selectOption(department);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await expectCards(page, names);
    assert.deepEqual(await axeViolations(page), [], `the directory at ${width} px`);
  }

  await page.goto('/#/new');
  await page.getByRole('heading', { level: 1, name: 'Add employee' }).waitFor();
  await fillEmployee(page, { name: 'Grace Hopper', role: 'Engineer', department });
  await page.getByLabel('Choose a photo').setInputFiles(await portrait(page, { name: 'grace.png' }));
  // The upload is held at the server's door, so the page is checked with its progress bar up.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/employees', async (route) => { await held; await route.continue(); });
  await page.getByRole('button', { name: 'Add employee' }).click();
  await page.getByRole('progressbar', { name: 'Uploading the photo' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'the form while uploading');
  release();
  await page.getByText('Saved Grace Hopper.').waitFor();
  assertClean();
  await context.close();
});

/** Controls on the page shorter than 44 px (checkboxes and radios aside: their label is the target). */
async function smallTargets(page) {
  return page.locator('header a, header button, main a.button, main nav a, main button, main input, main select, main table a, main dd a, main .back-link')
    .evaluateAll((controls) => controls
    .filter((control) => control.offsetParent !== null && !['checkbox', 'radio'].includes(control.type))
    .filter((control) => control.getBoundingClientRect().height < 44)
    .map((control) => `${control.outerHTML.slice(0, 80)} (${Math.round(control.getBoundingClientRect().height)} px)`));
}

test('the table view, a person\'s page and a page that failed to load, on a phone and a desktop', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signUp(page, unique('a11y_people'));
  const department = unique('Access');
  const created = [];
  for (const [index, name] of ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'].entries()) {
    const form = new FormData();
    for (const [k, v] of Object.entries({ name, role: 'Engineer', department })) form.append(k, v);
    if (index !== 1) {
      const photo = await portrait(page, { hue: index * 90 });
      form.append('image', new Blob([photo.buffer], { type: photo.mimeType }), photo.name);
    }
    const response = await apiCall(context, 'POST', '/employees', form);
    assert.equal(response.status, 201);
    created.push(response.body);
  }
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const check = async (what) => {
      assert.deepEqual(await axeViolations(page), [], `${what} at ${width} px`);
      await assertFitsWidth(page, `${what} at ${width} px`);
      if (width < 600) assert.deepEqual(await smallTargets(page), [], `${what}: tap targets at ${width} px`);
    };
    await page.goto(`/#/?department=${encodeURIComponent(department)}`);
    await page.getByRole('button', { name: 'Table' }).click();
    await expectRows(page, ['Ada Lovelace', 'Alan Turing', 'Grace Hopper']);
    await check('the table view');
    await page.getByRole('button', { name: 'Cards' }).click();
    await expectCards(page, ['Ada Lovelace', 'Alan Turing', 'Grace Hopper']);
    await check('the cards');

    await page.goto(`/#/people/${created[0].id}`);
    await page.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).waitFor();
    await page.getByRole('img', { name: 'Photo of Ada Lovelace' }).evaluate((image) => image.decode());
    await check('a person\'s page');
    await page.goto(`/#/people/${created[1].id}`);
    await page.getByRole('heading', { level: 1, name: 'Alan Turing' }).waitFor();
    await check('a person\'s page without a photo');

    await page.route((url) => url.pathname === '/employees', (route) => route.abort('connectionrefused'), { times: 1 });
    await page.goto(`/#/?department=${encodeURIComponent(department)}&page=2`);
    await page.getByRole('button', { name: 'Retry' }).waitFor();
    await check('a page that failed to load');
  }
  assertClean();
  await context.close();
});

test('the code step of sign-in, the account screen and the administration, on a phone and a desktop', async () => {
  const app = await startApp({ REGISTRATION: 'invite' });
  const { page, context, assertClean } = await openPage(browser, { url: app.url });
  try {
    const admin = await firstAdmin(app);

    // The code step, as an account with two-factor sign-in gets it.
    await page.goto('/#/signin');
    await page.route('**/login', (route) => route.fulfill({ status: 401, contentType: 'application/json',
      body: JSON.stringify({ error: 'mfa_required', message: 'a second factor is required' }) }));
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the code step');
    await page.unroute('**/login');
    await page.reload();
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
    await invitedAccount(context, 'hr');

    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const phone = width < 600;
      const check = async (what) => {
        assert.deepEqual(await axeViolations(page), [], `${what} at ${width} px`);
        await assertFitsWidth(page, `${what} at ${width} px`);
        if (phone) assert.deepEqual(await smallTargets(page), [], `${what}: tap targets at ${width} px`);
      };

      await page.goto('/#/account');
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
      await check('the account screen');
      await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
      await page.getByRole('textbox', { name: 'Setup key' }).waitFor();
      await check('two-factor setup');
      await page.getByRole('button', { name: 'Cancel' }).click();

      await page.goto('/#/admin/accounts');
      await page.locator('.accounts-table tbody tr').nth(1).waitFor();
      await check('the accounts');

      await page.goto('/#/admin/invitations');
      await page.getByRole('heading', { level: 1, name: 'Invitations' }).waitFor();
      await page.getByRole('button', { name: 'Create invitation' }).click();
      await page.getByRole('textbox', { name: 'Invitation link' }).waitFor();
      await waitUntil(async () => (await page.locator('.invitations-table tbody tr').count()) > 0);
      await check('the invitations');

      await page.goto('/#/admin/audit');
      await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
      await page.locator('.audit-table tbody tr').first().waitFor();
      await check('the audit log');
    }
    assertClean();
  } finally {
    await context.close();
    await app.stop();
  }
});
