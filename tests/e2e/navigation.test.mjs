// Finding one's way in the directory: the page, the search, the department and the page size
// live in the address, each change a history entry, so Back, Forward and reload show exactly
// what was there; a page change scrolls to the top of the results; a page that fails to load
// says so, keeps its number and loads with Retry; the compact table on a phone and a laptop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, openPage, signUp, signIn, unique, apiCall, expectCards, expectRows, profileForm, waitUntil,
} from './lib/harness.mjs';

let browser;
let owner;
let department;
let otherDepartment;
// Nav 01 … Nav 30 in one department, in the order they were added (the server's order today).
const names = Array.from({ length: 30 }, (_, index) => `Nav ${String(index + 1).padStart(2, '0')}`);

before(async () => {
  browser = await launchBrowser();
  const { page, context } = await openPage(browser);
  owner = unique('navigator');
  await signUp(page, owner);
  department = unique('Wayfinding');
  otherDepartment = unique('Harbour');
  for (const name of names) {
    const created = await apiCall(context, 'POST', '/employees', profileForm({ name, role: 'Guide', department }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  for (const name of ['Pilot One', 'Pilot Two']) {
    assert.equal((await apiCall(context, 'POST', '/employees', profileForm({ name, role: 'Pilot', department: otherDepartment }))).status, 201);
  }
  await context.close();
});
after(async () => { await browser?.close(); });

async function openDirectory(screen = {}) {
  const opened = await openPage(browser, screen);
  await signIn(opened.page, owner);
  return opened;
}

function pager(page) {
  return page.getByRole('navigation', { name: 'Pages' });
}

function hashParams(page) {
  return Object.fromEntries(new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? ''));
}

test('Back, Forward and reload restore the page, the search and the department', async () => {
  const { page, context, assertClean } = await openDirectory();
  const listed = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/employees') listed.push(url.searchParams);
  });

  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, names.slice(0, 25));
  assert.equal(await page.locator('#results-summary').textContent(), 'Showing 1–25 of 30 employees matching this search.');
  await pager(page).getByRole('button', { name: 'Next' }).click();
  await expectCards(page, names.slice(25));
  assert.equal(await page.locator('#results-summary').textContent(), 'Showing 26–30 of 30 employees matching this search.');
  assert.deepEqual(hashParams(page), { department, page: '2' });

  // Typing with a pause makes one history entry, not one per pause.
  const search = page.getByLabel('Search by name or role');
  await search.fill('Nav');
  await waitUntil(() => hashParams(page).q === 'Nav');
  await expectCards(page, names.slice(0, 25));
  await search.fill('Nav 2');
  await expectCards(page, names.slice(19, 29));
  assert.deepEqual(hashParams(page), { q: 'Nav 2', department });

  await page.goBack();
  await expectCards(page, names.slice(25));
  assert.equal(await search.inputValue(), '');
  assert.equal(await pager(page).getByText('Page 2 of 2').count(), 1);
  await page.goBack();
  await expectCards(page, names.slice(0, 25));
  assert.equal(await page.getByLabel('Department').inputValue(), department);
  await page.goBack();
  await page.waitForFunction(() => !document.querySelector('.cards[aria-busy]'));
  assert.equal(await page.getByLabel('Department').inputValue(), '');
  assert.deepEqual(hashParams(page), {});

  await page.goForward();
  await expectCards(page, names.slice(0, 25));
  await page.goForward();
  await expectCards(page, names.slice(25));
  assert.equal(await page.getByLabel('Department').inputValue(), department);

  await page.reload();
  await expectCards(page, names.slice(25));
  assert.equal(await page.getByLabel('Department').inputValue(), department);
  assert.equal(await pager(page).getByText('Page 2 of 2').count(), 1);

  await page.goForward();
  await expectCards(page, names.slice(19, 29));
  assert.equal(await search.inputValue(), 'Nav 2');
  await page.reload();
  await expectCards(page, names.slice(19, 29));
  assert.equal(await search.inputValue(), 'Nav 2');
  assert.equal(await page.getByLabel('Department').inputValue(), department);

  // A server that does not list `sort` for GET /employees gets none, even from an address that names one.
  assert.equal(await page.getByLabel('Sort by').count(), 0, 'no sort control without a server that sorts');
  await page.goto(`/#/?department=${encodeURIComponent(department)}&sort=-name`);
  await expectCards(page, names.slice(0, 25));
  assert.ok(listed.length > 0 && listed.every((params) => !params.has('sort')), 'no request carries sort');
  assert.deepEqual(hashParams(page), { department });
  await context.close();
  assertClean();
});

test('the page size is in the address; a page change scrolls to the top of the results', async () => {
  const { page, context, assertClean } = await openDirectory({ width: 390, height: 844 });
  await page.goto(`/#/?department=${encodeURIComponent(department)}`);
  await expectCards(page, names.slice(0, 25));
  // At the bottom of a long page of cards, Next brings the top of the new page into view.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await pager(page).getByRole('button', { name: 'Next' }).click();
  await expectCards(page, names.slice(25));
  const top = await page.locator('.results-bar').evaluate((bar) => bar.getBoundingClientRect().top);
  assert.ok(top >= 0 && top < 100, `the results start ${top} px from the top of the screen`);

  await page.getByLabel('Per page').selectOption('50');
  await expectCards(page, names);
  assert.deepEqual(hashParams(page), { department, size: '50' });
  assert.equal(await pager(page).isHidden(), true, 'one page of 50 needs no pager');
  await page.reload();
  await expectCards(page, names);
  assert.equal(await page.getByLabel('Per page').inputValue(), '50');
  await page.goBack();
  await expectCards(page, names.slice(25));
  assert.equal(await page.getByLabel('Per page').inputValue(), '25');
  await context.close();
  assertClean();
});

test('a page that fails to load says so, keeps its number, and Retry loads it', async () => {
  const { page, context, assertClean } = await openDirectory();
  await page.goto(`/#/?department=${encodeURIComponent(department)}`);
  await expectCards(page, names.slice(0, 25));
  // The server cannot be reached for one request: the second page's.
  let failed = 0;
  await page.route((url) => url.pathname === '/employees' && url.searchParams.get('offset') === '25', (route) => {
    if (failed++ === 0) return route.abort('connectionrefused');
    return route.continue();
  });
  await pager(page).getByRole('button', { name: 'Next' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'could not be loaded' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /Page 2 of the directory could not be loaded\. The server could not be reached/);
  assert.equal(await page.locator('.card').count(), 0, 'no cards of the first page are shown as the second\'s');
  assert.equal(await pager(page).isHidden(), true);
  assert.deepEqual(hashParams(page), { department, page: '2' }, 'the address keeps the page asked for');

  await alert.getByRole('button', { name: 'Retry' }).click();
  await expectCards(page, names.slice(25));
  assert.equal(failed, 2);
  assert.equal(await alert.isHidden(), true);
  assert.equal(await page.locator('#results-summary').textContent(), 'Showing 26–30 of 30 employees matching this search.');
  assert.equal(await pager(page).getByText('Page 2 of 2').count(), 1);
  assert.ok(await page.locator('#results-summary').evaluate((summary) => summary === document.activeElement),
    'focus goes to the results once Retry has gone');
  await context.close();
  assertClean();
});

for (const { label, width, height } of [
  { label: 'phone', width: 390, height: 844 },
  { label: 'laptop', width: 1280, height: 800 },
]) {
  test(`the table view on a ${label}: one row a person, remembered, each name opens the person's page`, async () => {
    const { page, context, assertClean } = await openDirectory({ width, height });
    await page.goto(`/#/?department=${encodeURIComponent(department)}`);
    await expectCards(page, names.slice(0, 25));
    const tableButton = page.getByRole('group', { name: 'Show as' }).getByRole('button', { name: 'Table' });
    await tableButton.click();
    assert.equal(await tableButton.getAttribute('aria-pressed'), 'true');
    await expectRows(page, names.slice(0, 25));
    assert.equal(await page.locator('.card').count(), 0);

    // Rows are compact: 25 people take less height than a few rows of cards.
    const rowHeight = await page.locator('.directory-table tbody tr').first().evaluate((row) => row.getBoundingClientRect().height);
    assert.ok(rowHeight <= (width < 600 ? 90 : 60), `a row is ${rowHeight} px tall`);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    assert.ok(scrollWidth <= clientWidth, `the table scrolls sideways: ${scrollWidth} px in ${clientWidth} px`);
    const nameLinks = page.getByRole('table', { name: 'Employee directory' }).getByRole('link', { name: names[3], exact: true });
    const linkHeight = await nameLinks.evaluate((link) => link.getBoundingClientRect().height);
    assert.ok(linkHeight >= 44, `the name's link is ${linkHeight} px tall`);
    // Edit and delete are a row's own on a laptop; on a phone they are on the person's page.
    assert.equal(await page.getByRole('link', { name: `Edit ${names[3]}` }).isVisible(), width >= 600);

    await pager(page).getByRole('button', { name: 'Next' }).click();
    await expectRows(page, names.slice(25));
    await page.reload();
    await expectRows(page, names.slice(25));

    await page.getByRole('link', { name: names[27], exact: true }).click();
    await page.getByRole('heading', { level: 1, name: names[27] }).waitFor();
    await page.getByRole('link', { name: 'Back to the directory' }).click();
    await expectRows(page, names.slice(25));
    assert.deepEqual(hashParams(page), { department, page: '2' });

    await page.getByRole('button', { name: 'Cards' }).click();
    await expectCards(page, names.slice(25));
    await context.close();
    assertClean();
  });
}

test('a server that lists `sort` gets a sort control, and the order is in the address like the rest', async () => {
  const { page, context, assertClean } = await openDirectory();
  // As a server that sorts would describe itself; this one does not sort yet.
  await page.route('**/openapi.json', async (route) => {
    const response = await route.fetch();
    const document = await response.json();
    document.paths['/employees'].get.parameters.push({ name: 'sort', in: 'query',
      schema: { type: 'string', enum: ['name', '-name', 'department', 'start_date', '-start_date', 'created', '-created'], default: 'name' } });
    await route.fulfill({ status: 200, json: document });
  });
  const sorts = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/employees') sorts.push(url.searchParams.get('sort'));
  });
  await page.reload();
  await page.getByLabel('Department').selectOption(department);
  const sort = page.getByLabel('Sort by');
  await sort.waitFor();
  assert.equal(await sort.inputValue(), 'name');
  await sort.selectOption('-name');
  await waitUntil(() => sorts.at(-1) === '-name');
  assert.deepEqual(hashParams(page), { department, sort: '-name' });
  await pager(page).getByRole('button', { name: 'Next' }).click();
  await waitUntil(() => hashParams(page).page === '2');
  await page.reload();
  await sort.waitFor();
  await waitUntil(() => sorts.at(-1) === '-name');
  assert.equal(await sort.inputValue(), '-name');
  assert.deepEqual(hashParams(page), { department, sort: '-name', page: '2' });
  await page.goBack();
  await page.goBack();
  await waitUntil(async () => (await sort.inputValue()) === 'name');
  await waitUntil(() => sorts.at(-1) === null); // the default order is not sent
  assert.deepEqual(hashParams(page), { department });
  await context.close();
  assertClean();
});
