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

/**
 * Makes the page keep the image of each form it sends with XMLHttpRequest, for sentImage():
 * the test sees the bytes as they left the page's script (DevTools does not show a file's).
 */
async function recordSentImages(page) {
  await page.addInitScript(() => {
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function sendAndRecord(body) {
      if (body instanceof FormData && body.get('image') instanceof Blob) window.sentImage = body.get('image');
      return send.call(this, body);
    };
  });
  await page.reload();
}

/** The type and bytes of the last image the page sent. */
async function sentImage(page) {
  const { type, base64 } = await page.evaluate(async () => {
    const image = window.sentImage;
    const bytes = new Uint8Array(await image.arrayBuffer());
    let binary = '';
    for (let offset = 0; offset < bytes.length; offset += 0x8000) binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
    return { type: image.type, base64: btoa(binary) };
  });
  return { type, bytes: Buffer.from(base64, 'base64') };
}

/** A camera-sized JPEG, `width` × `height`, drawn in the browser. */
async function largeJpeg(page, { width, height, name = 'camera.jpg' }) {
  const dataUrl = await page.evaluate(({ width, height }) => {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const g = canvas.getContext('2d');
    const gradient = g.createLinearGradient(0, 0, width, height);
    gradient.addColorStop(0, '#3b82f6');
    gradient.addColorStop(1, '#f59e0b');
    g.fillStyle = gradient;
    g.fillRect(0, 0, width, height);
    g.fillStyle = '#111827';
    g.fillRect(width * 0.4, height * 0.3, width * 0.2, height * 0.4);
    return canvas.toDataURL('image/jpeg', 0.92);
  }, { width, height });
  return { name, mimeType: 'image/jpeg', buffer: Buffer.from(dataUrl.split(',')[1], 'base64') };
}

for (const { label, photo, expected } of [
  { label: 'a photo over 2048 px', photo: (page) => largeJpeg(page, { width: 3000, height: 2250 }), expected: { width: 2048, height: 1536 } },
  // Noise that PNG cannot compress: 1400² opaque pixels are about 5.9 MB.
  { label: 'a photo over 5 MiB', photo: (page) => noisePng(page, { side: 1400 }), expected: { width: 1400, height: 1400 } },
]) {
  test(`${label} is shrunk to a JPEG in the browser before it is sent`, async () => {
    const { page, context, assertClean } = await openAddForm(browser);
    await recordSentImages(page);
    await page.getByRole('heading', { level: 1, name: 'Add employee' }).waitFor();
    const department = unique('Shrunk');
    const file = await photo(page);
    await fillEmployee(page, { name: 'Phone Photo', role: 'Tester', department });
    await page.getByLabel('Choose a photo').setInputFiles(file);
    await page.getByText(`${expected.width} × ${expected.height} pixels`).waitFor();
    await saveForm(page, 'Add employee', 'Phone Photo');
    const sent = await sentImage(page);
    assert.equal(sent.type, 'image/jpeg');
    assert.deepEqual(imageSize(sent.bytes), expected, 'the long side is at most 2048 px, in proportion');
    assert.ok(sent.bytes.length <= 5 * 1024 * 1024, `${sent.bytes.length} bytes sent`);
    assert.ok(sent.bytes.length < file.buffer.length, 'fewer bytes than the chosen file');
    assert.equal((await employeesIn(context, department)).length, 1);
    await context.close();
    assertClean();
  });
}

test('the upload shows its progress in a labelled progress bar', async () => {
  const { page, context, assertClean } = await openAddForm(browser);
  const department = unique('Progress');
  // A slow uplink (2 Mbit/s), so the bar is seen between empty and full.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
  const photo = await noisePng(page, { side: 600 });
  await fillEmployee(page, { name: 'Slow Upload', role: 'Tester', department });
  await page.getByLabel('Choose a photo').setInputFiles(photo);
  const bar = page.getByRole('progressbar', { name: 'Uploading the photo' });
  assert.equal(await bar.isVisible(), false, 'no bar before the upload');
  await page.getByRole('button', { name: 'Add employee' }).click();
  await bar.waitFor();
  await page.waitForFunction(() => {
    const progress = document.querySelector('progress');
    return progress && progress.value > 0 && progress.value < progress.max;
  });
  const { value, max } = await bar.evaluate((progress) => ({ value: progress.value, max: progress.max }));
  assert.ok(max >= photo.buffer.length, `the bar counts the body's ${max} bytes`);
  assert.ok(value > 0 && value < max, `part way: ${value} of ${max}`);
  await page.getByText('Saved Slow Upload.').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('progress').count(), 0, 'the bar leaves with the form');
  assert.equal((await employeesIn(context, department)).length, 1);
  await context.close();
  assertClean();
});
