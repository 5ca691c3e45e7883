// axe-core finds no accessibility violation (WCAG 2.x A and AA, and axe's best practices) on
// any view: sign-in, the directory with photos on a phone and a desktop, and the add form while
// a photo uploads (its progress bar showing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchBrowser, openPage, signUp, unique, apiCall, expectCards, fillEmployee } from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Each violation axe finds on the page as it is now, with the elements at fault. */
async function violations(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const { violations: found } = await window.axe.run(document, { resultTypes: ['violations'] });
    return found.map(({ id, nodes }) => `${id}: ${nodes.map(({ target }) => target.join(' ')).join(', ')}`);
  });
}

test('sign-in, the directory on a phone and a desktop, and an upload in progress', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await page.goto('/#/signin');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  assert.deepEqual(await violations(page), [], 'sign-in');

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
    assert.deepEqual(await violations(page), [], `the directory at ${width} px`);
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
  assert.deepEqual(await violations(page), [], 'the form while uploading');
  release();
  await page.getByText('Saved Grace Hopper.').waitFor();
  assertClean();
  await context.close();
});
