// From a phone to a desktop: nothing scrolls sideways, the grid adapts, every control has a
// label, every photo a text alternative, and nothing is fetched from anywhere but the app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, signUp, unique, apiCall, expectCards, assertFitsWidth } from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

let browser;
let department;
const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Edsger Dijkstra'];
// As the directory lists them: by name.
const listed = ['Ada Lovelace', 'Alan Turing', 'Edsger Dijkstra', 'Grace Hopper', 'Katherine Johnson'];

before(async () => {
  browser = await launchBrowser();
  const { page, context } = await openPage(browser);
  await signUp(page, unique('layout'));
  department = unique('Layout');
  for (const [index, name] of names.entries()) {
    const form = new FormData();
    form.append('name', name);
    form.append('role', 'Engineer');
    form.append('department', department);
    if (index % 2 === 0) {
      const photo = await portrait(page, { hue: index * 60 });
      form.append('image', new Blob([photo.buffer], { type: photo.mimeType }), photo.name);
    }
    assert.equal((await apiCall(context, 'POST', '/employees', form)).status, 201);
  }
  await context.close();
});
after(async () => { await browser?.close(); });

/** Distinct left edges of the cards: the number of grid columns. */
async function columns(page) {
  const lefts = await page.locator('.card').evaluateAll((elements) => elements.map((element) => Math.round(element.getBoundingClientRect().left)));
  return new Set(lefts).size;
}

async function assertLabelled(page, what) {
  const unlabelled = await page.locator('input, select, textarea').evaluateAll((controls) => controls
    .filter((control) => control.labels.length === 0 && !control.getAttribute('aria-label'))
    .map((control) => control.outerHTML));
  assert.deepEqual(unlabelled, [], `${what} has controls without a label`);
  const withoutAlt = await page.locator('img').evaluateAll((images) => images.filter((image) => !image.alt).map((image) => image.outerHTML));
  assert.deepEqual(withoutAlt, [], `${what} has images without alt text`);
}

for (const { label, width, height, minColumns, maxColumns } of [
  { label: 'phone', width: 390, height: 844, minColumns: 2, maxColumns: 2 },
  { label: 'desktop', width: 1280, height: 900, minColumns: 4, maxColumns: 5 },
]) {
  test(`the directory and the form fit a ${label} (${width} px)`, async () => {
    const { page, context, assertClean } = await openPage(browser, { width, height });
    const origins = new Set();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'blob:' && url.protocol !== 'data:') origins.add(url.origin);
    });
    await signUp(page, unique(label));
    await page.getByLabel('Department').selectOption(department);
    await expectCards(page, listed);
    const count = await columns(page);
    assert.ok(count >= minColumns && count <= maxColumns, `${count} columns at ${width} px`);
    await assertFitsWidth(page, 'the directory');
    await assertLabelled(page, 'the directory');

    await page.getByRole('link', { name: 'Add employee' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Add employee' }).waitFor();
    await assertFitsWidth(page, 'the form');
    await assertLabelled(page, 'the form');

    assert.deepEqual([...origins], [new URL(page.url()).origin], 'every request goes to the app itself');
    await context.close();
    assertClean();
  });
}

test('the page preloads every module it runs, so none waits for the one that imports it', async () => {
  const { page, context, assertClean } = await openPage(browser);
  const scripts = new Set();
  page.on('request', (request) => { if (request.resourceType() === 'script') scripts.add(request.url()); });
  await page.goto('/#/signin');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  const entry = await page.locator('script[type="module"][src]').evaluate((script) => script.src);
  const preloaded = await page.locator('link[rel="modulepreload"]').evaluateAll((links) => links.map((link) => link.href));
  assert.deepEqual([...scripts].filter((url) => url !== entry && !preloaded.includes(url)), [], 'modules not preloaded');
  await context.close();
  assertClean();
});

for (const { label, width, height } of [{ label: 'phone', width: 390, height: 844 }, { label: 'desktop', width: 1280, height: 900 }]) {
  test(`nothing moves while the directory loads on a ${label}: no layout shift from the first paint`, async () => {
    const { page, context, assertClean } = await openPage(browser, { width, height });
    await signUp(page, unique(`still_${label}`));
    await page.addInitScript(() => {
      window.layoutShifts = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          window.layoutShifts.push(`${entry.value.toFixed(4)}: ${entry.sources.map((source) => source.node?.outerHTML?.slice(0, 80)).join(' | ')}`);
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(`/#/?department=${encodeURIComponent(department)}`);
    await page.reload();
    await expectCards(page, listed);
    await page.locator('.card img').evaluateAll((images) => Promise.all(images.map((image) => image.decode())));
    assert.deepEqual(await page.evaluate(() => window.layoutShifts), []);
    await context.close();
    assertClean();
  });
}
