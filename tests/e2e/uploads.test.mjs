// The add form's error paths: missing fields, a file that is too large, a file that is not an
// image (caught in the browser by its type, and by the server by its bytes). None leaves a profile behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, signUp, unique, apiCall, fillEmployee, saveForm, sessionCookie } from './lib/harness.mjs';
import { noisePng, oversizedPng, portrait } from './lib/images.mjs';
import { imageSize } from '../system/lib/images.mjs';

const sixMiB = 6 * 1024 * 1024;

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function openAddForm(browser) {
  const opened = await openPage(browser);
  await signUp(opened.page, unique('uploader'));
  await opened.page.goto('/#/new');
  await opened.page.getByRole('heading', { level: 1, name: 'Add employee' }).waitFor();
  return opened;
}

/** The message shown next to the photo field; fails with the form's alert if it went there instead. */
async function imageError(page) {
  const error = page.locator('#employee-image-error');
  const formError = page.locator('.form-error:not([hidden])');
  await error.or(formError).first().waitFor();
  if (!(await error.isVisible())) assert.fail(`the error is not next to the photo field: ${await formError.textContent()}`);
  assert.equal(await page.getByLabel('Choose a photo').getAttribute('aria-invalid'), 'true');
  return error.textContent();
}

async function employeesIn(context, department) {
  const response = await apiCall(context, 'GET', `/employees?department=${encodeURIComponent(department)}`);
  assert.equal(response.status, 200);
  return response.body;
}

test('missing fields are named next to each field', async () => {
  const { page, context, assertClean } = await openAddForm(browser);
  await fillEmployee(page, { name: 'Only A Name' });
  await page.getByRole('button', { name: 'Add employee' }).click();
  await page.locator('#employee-role-error').waitFor();
  assert.equal(await page.getByLabel('Role', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Department', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), null);
  assert.ok(await page.getByLabel('Role', { exact: true }).evaluate((input) => input === document.activeElement));
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Only A Name', 'what was typed stays');
  await context.close();
  assertClean();
});

test('an oversized photo is refused inline and creates nothing', async () => {
  const { page, context, assertClean } = await openAddForm(browser);
  const department = unique('Oversized');
  await fillEmployee(page, { name: 'Big Picture', role: 'Tester', department });
  await page.getByLabel('Choose a photo').setInputFiles(oversizedPng(sixMiB));
  await page.getByRole('button', { name: 'Add employee' }).click();
  assert.match(await imageError(page), /too large|5 MiB/i);
  assert.deepEqual(await employeesIn(context, department), []);

  // Choosing a proper photo clears the error and the same form saves.
  await page.getByLabel('Choose a photo').setInputFiles(await portrait(page, { name: 'small.png' }));
  assert.equal(await page.locator('#employee-image-error').isHidden(), true);
  await saveForm(page, 'Add employee', 'Big Picture');
  assert.equal((await employeesIn(context, department)).length, 1);
  await context.close();
  assertClean();
});

test('a photo of a few MiB, under the limit, is saved and shown', async () => {
  const { page, context, assertClean } = await openAddForm(browser);
  const department = unique('Large');
  const photo = await noisePng(page, { side: 800 });
  assert.ok(photo.buffer.length > 2 * 1024 * 1024 && photo.buffer.length < 5 * 1024 * 1024, `${photo.buffer.length} bytes`);
  await fillEmployee(page, { name: 'Detailed Photo', role: 'Tester', department });
  await page.getByLabel('Choose a photo').setInputFiles(photo);
  await saveForm(page, 'Add employee', 'Detailed Photo');
  const [saved] = await employeesIn(context, department);
  const image = await fetch(new URL(saved.image_url, page.url()), { headers: { Cookie: await sessionCookie(context) } });
  assert.equal(image.status, 200);
  assert.equal(image.headers.get('content-type'), 'image/jpeg', 'stored re-encoded');
  assert.deepEqual(imageSize(Buffer.from(await image.arrayBuffer())), { width: 800, height: 800 }, 'the whole picture is kept');
  await context.close();
  assertClean();
});

test('a file that is plainly not an image is refused as soon as it is chosen', async () => {
  const { page, context, assertClean } = await openAddForm(browser);
  await page.getByLabel('Choose a photo').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  assert.match(await imageError(page), /“notes\.txt” is not a JPEG, PNG, GIF or WebP image/);
  assert.equal(await page.getByLabel('Choose a photo').evaluate((input) => input.files.length), 0, 'the bad file is not kept');
  await context.close();
  assertClean();
});

test('a file that only pretends to be an image is refused by the server, inline', async () => {
  const { page, context, assertClean } = await openAddForm(browser);
  const department = unique('Disguised');
  await fillEmployee(page, { name: 'Fake Photo', role: 'Tester', department });
  await page.getByLabel('Choose a photo').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('<html>not a picture</html>') });
  await page.getByRole('button', { name: 'Add employee' }).click();
  assert.match(await imageError(page), /JPEG|PNG|GIF|WebP/);
  assert.deepEqual(await employeesIn(context, department), []);
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Fake Photo', 'what was typed stays');
  await context.close();
  assertClean();
});
