// The directory loads thumbnails, not full photos: each card's <img> has a srcset of the
// 256 px thumbnail and the 1600 px picture, loads lazily, has fixed dimensions so nothing
// moves when the bytes arrive, and links to the full picture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, signUp, unique, apiCall, cardOf, expectCards } from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('cards show the thumbnail, lazily, with no layout shift, and link to the full photo', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signUp(page, unique('thumbs'));
  const department = unique('Thumbs');
  const people = [];
  for (let i = 0; i < 3; i++) {
    const photo = await portrait(page, { name: `p${i}.jpg`, mimeType: 'image/jpeg', hue: 40 * i, size: 900 });
    const form = new FormData();
    for (const [k, v] of Object.entries({ name: unique(`Person ${i}`), role: 'R', department })) form.append(k, v);
    form.append('image', new Blob([photo.buffer], { type: photo.mimeType }), photo.name);
    const created = await apiCall(context, 'POST', '/employees', form);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.ok(created.body.thumbnail_url, 'the API gives a thumbnail URL');
    people.push(created.body);
  }

  // The department list is read when the directory opens.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  // The thumbnails are held back until the cards are laid out, so their arrival can be watched.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route(/\.thumb\.jpg$/, async (route) => { await held; await route.continue(); });
  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, people.map((p) => p.name));
  const boxes = () => Promise.all(people.map((p) => cardOf(page, p.name).getByRole('img', { name: `Photo of ${p.name}` }).boundingBox()));
  const before = await boxes();
  await page.evaluate(() => {
    window.layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value;
    }).observe({ type: 'layout-shift' });
  });
  release();
  for (const person of people) {
    const image = cardOf(page, person.name).getByRole('img', { name: `Photo of ${person.name}` });
    await image.evaluate((element) => element.complete || new Promise((resolve, reject) => {
      element.addEventListener('load', resolve, { once: true });
      element.addEventListener('error', () => reject(new Error(`photo failed to load: ${element.src}`)), { once: true });
    }));
    const shown = await image.evaluate((element) => ({
      current: element.currentSrc, natural: element.naturalWidth, loading: element.loading, srcset: element.srcset,
      width: element.getAttribute('width'), height: element.getAttribute('height'),
    }));
    assert.equal(shown.current, new URL(person.thumbnail_url, page.url()).href, 'an ordinary screen loads the thumbnail');
    assert.equal(shown.natural, 256, 'the thumbnail is 256 px');
    assert.equal(shown.loading, 'lazy');
    assert.match(shown.srcset, /\.thumb\.jpg 256w, .*\.jpg 1600w$/);
    assert.deepEqual([shown.width, shown.height], ['256', '256'], 'fixed dimensions reserve the space');
    const link = cardOf(page, person.name).getByRole('link', { name: `Full-size photo of ${person.name}` });
    assert.equal(await link.getAttribute('href'), person.image_url, 'the photo opens the full picture');
  }
  assert.deepEqual(await boxes(), before, 'the photos take the space reserved for them');
  assert.ok(before.every((box) => box.width > 100 && box.height === box.width), JSON.stringify(before));
  assert.equal(await page.evaluate(() => window.layoutShift), 0, 'no layout shift while the photos load');
  await assertClean();
  await context.close();
});
