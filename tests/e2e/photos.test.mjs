// The directory's photos: each card's <img> offers every variant of the photo in `srcset`,
// with `sizes` that match the card grid, so each screen fetches the smallest that fills the
// slot; the first row loads at once with high priority and the rest lazily; fixed dimensions
// keep the layout still while the bytes arrive; a variant that cannot be loaded gives way to
// the full picture, and a photo that cannot be loaded at all to the initials.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, signUp, signIn, unique, apiCall, cardOf, expectCards } from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

let browser;
let owner;
let department;
const people = [];

before(async () => {
  browser = await launchBrowser();
  const { page, context } = await openPage(browser);
  owner = unique('photos');
  await signUp(page, owner);
  department = unique('Photos');
  for (let i = 0; i < 6; i++) {
    const photo = await portrait(page, { name: `p${i}.jpg`, mimeType: 'image/jpeg', hue: 40 * i, size: 900 });
    const form = new FormData();
    for (const [k, v] of Object.entries({ name: `Person ${i} ${unique('p')}`, role: 'R', department })) form.append(k, v);
    form.append('image', new Blob([photo.buffer], { type: photo.mimeType }), photo.name);
    const created = await apiCall(context, 'POST', '/employees', form);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    people.push(created.body);
  }
  await context.close();
});
after(async () => { await browser?.close(); });

/** The photo's variants as the API offers them: `image_variants`, or a server's older two. */
function variantsOf(person) {
  return person.image_variants ?? [{ width: 256, url: person.thumbnail_url }, { width: 1600, url: person.image_url }];
}

/** A signed-in page of this screen showing the seeded department. */
async function openDirectory(screen) {
  const opened = await openPage(browser, screen);
  await signIn(opened.page, owner);
  await opened.page.getByLabel('Department').selectOption(department);
  await expectCards(opened.page, people.map((p) => p.name));
  return opened;
}

function photoOf(page, person) {
  return cardOf(page, person.name).getByRole('img', { name: `Photo of ${person.name}` });
}

/** Waits for the image's bytes; fails if it could not be loaded. */
function loaded(image) {
  return image.evaluate((element) => (element.complete && element.naturalWidth > 0) || new Promise((resolve, reject) => {
    element.addEventListener('load', resolve, { once: true });
    element.addEventListener('error', () => reject(new Error(`photo failed to load: ${element.src}`)), { once: true });
  }));
}

test('the first row loads at once with high priority, the rest lazily, with no layout shift', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signIn(page, owner);
  // The photos are held back until the cards are laid out, so their arrival can be watched.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route(/\/images\//, async (route) => { await held; await route.continue(); });
  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, people.map((p) => p.name));
  const columns = await page.locator('.cards').evaluate((list) => getComputedStyle(list).gridTemplateColumns.split(' ').length);
  assert.equal(columns, 4, 'a 1280 px screen shows four columns');
  const boxes = () => Promise.all(people.map((p) => photoOf(page, p).boundingBox()));
  const before = await boxes();
  await page.evaluate(() => {
    window.layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value;
    }).observe({ type: 'layout-shift' });
  });
  release();
  for (const [index, person] of people.entries()) {
    const image = photoOf(page, person);
    if (index < columns) await loaded(image);
    const shown = await image.evaluate((element) => ({
      loading: element.loading, fetchPriority: element.getAttribute('fetchpriority'), srcset: element.srcset,
      width: element.getAttribute('width'), height: element.getAttribute('height'),
    }));
    const firstRow = index < columns;
    assert.equal(shown.loading, firstRow ? 'eager' : 'lazy', `card ${index}`);
    assert.equal(shown.fetchPriority, firstRow ? 'high' : null, `card ${index}`);
    assert.equal(shown.srcset, variantsOf(person).map(({ url, width }) => `${url} ${width}w`).join(', '));
    assert.deepEqual([shown.width, shown.height], ['256', '256'], 'fixed dimensions reserve the space');
    const link = cardOf(page, person.name).getByRole('link', { name: person.name, exact: true });
    assert.equal(await link.getAttribute('href'), `#/people/${person.id}`, 'the name (and the photo under its link) opens the person\'s page');
  }
  assert.deepEqual(await boxes(), before, 'the photos take the space reserved for them');
  assert.ok(before.every((box) => box.width > 100 && box.height === box.width), JSON.stringify(before));
  assert.equal(await page.evaluate(() => window.layoutShift), 0, 'no layout shift while the photos load');
  assertClean();
  await context.close();
});

test('sizes names the width the grid gives a card photo, from a small phone to a wide screen', async () => {
  const { page, context, assertClean } = await openDirectory({ width: 1280, height: 900 });
  const image = photoOf(page, people[0]);
  for (const width of [320, 360, 390, 412, 480, 560, 640, 700, 800, 900, 1000, 1100, 1280, 1600]) {
    await page.setViewportSize({ width, height: 900 });
    const { declared, laidOut } = await image.evaluate((element) => {
      // The first clause whose media query holds gives the slot, as the browser reads it.
      const clauses = element.sizes.split(/,\s*/).map((clause) => clause.match(/^(\([^)]*\))?\s*(.+)$/));
      const [, , length] = clauses.find(([, media]) => !media || matchMedia(media).matches);
      const probe = document.createElement('div');
      probe.style.width = length;
      document.body.append(probe);
      const declared = probe.getBoundingClientRect().width;
      probe.remove();
      return { declared, laidOut: element.getBoundingClientRect().width };
    });
    // Within 3%: the browser then picks the variant it would pick for the real slot.
    assert.ok(Math.abs(declared - laidOut) <= laidOut * 0.03, `at ${width} px sizes says ${declared} px for a ${laidOut} px photo`);
  }
  assertClean();
  await context.close();
});

for (const screen of [
  { label: 'a 1× laptop', width: 1280, height: 900, deviceScaleFactor: 1 },
  { label: 'a 3× phone', width: 390, height: 844, deviceScaleFactor: 3 },
]) {
  test(`${screen.label} fetches the smallest variant that fills the slot`, async () => {
    const { page, context, assertClean } = await openDirectory(screen);
    const fetched = [];
    page.on('requestfinished', (request) => { if (request.url().includes('/images/')) fetched.push(request.url()); });
    const [person] = people;
    const image = photoOf(page, person);
    await loaded(image);
    // The photos are square crops of square portraits: the slot's width in device pixels.
    const needed = (await image.evaluate((element) => element.getBoundingClientRect().width)) * screen.deviceScaleFactor;
    const variants = variantsOf(person);
    const expected = (variants.find(({ width }) => width >= needed) ?? variants.at(-1)).url;
    assert.equal(await image.evaluate((element) => element.currentSrc), new URL(expected, page.url()).href, `${needed} px needed`);
    if (expected !== person.image_url) {
      assert.ok(!fetched.includes(new URL(person.image_url, page.url()).href), 'the full picture is not fetched');
    }
    assertClean();
    await context.close();
  });
}

test('a variant that cannot be loaded gives way to the full picture, and a lost photo to the initials', async () => {
  const { page, context, assertClean } = await openPage(browser, { width: 1280, height: 900 });
  await signIn(page, owner);
  const [fallback, lost] = people;
  const full = new URL(fallback.image_url, page.url()).href;
  // As for a photo stored before a variant existed: every URL but the full picture's is 404.
  await page.route(/\/images\//, (route) => (route.request().url() === full ? route.continue()
    : route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":"not_found","message":"no such image"}' })));
  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, people.map((p) => p.name));

  const image = photoOf(page, fallback);
  await loaded(image);
  assert.equal(await image.evaluate((element) => element.currentSrc), full);
  assert.equal(await image.getAttribute('srcset'), null, 'the srcset is dropped');

  const placeholder = cardOf(page, lost.name).locator('.avatar-placeholder');
  await placeholder.waitFor();
  assert.equal(await cardOf(page, lost.name).locator('img').count(), 0, 'no broken image is left');
  assertClean();
  await context.close();
});
