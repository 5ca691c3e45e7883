// Finding one's way in the directory: the page, the search, the department, the order and the
// page size live in the address, each change a history entry, so Back, Forward and reload show
// exactly what was there; a page change scrolls to the top of the results; a page that fails to
// load says so, keeps its number and loads with Retry; the compact table on a phone and a laptop.
// The order is the real server's (a server that lists none gets no control); Next and Previous go
// by the Link header's cursors; a capped count reads "more than"; a refused search says why.
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
  // The search matches departments too, and a one-digit word the start of any word: no digits in
  // this department's name, so "Nav 2" finds Nav 20 to Nav 29 by their names alone.
  department = unique('Wayfinding').replace(/[0-9]/g, (digit) => 'ghijklmnop'[digit]);
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
  assert.ok(listed.length > 0 && listed.every((params) => !params.has('sort')), 'the default order is not sent');
  await context.close();
  assertClean();
});

test('the table on a laptop wraps between words: no name, role or heading broken inside a word, long emails at their dots', async () => {
  const { page, context, assertClean } = await openDirectory({ width: 1280, height: 900 });
  const wide = unique('Wrapping');
  const people = [
    { name: 'Bartholomew Vanderbilt-Okonkwo', role: 'Principal Infrastructure Engineer', email: 'bartholomew.vanderbilt-okonkwo@infrastructure.example.com',
      phone: '+44 20 7946 0321', location: 'Llanfairpwllgwyngyll, Anglesey' },
    { name: 'Hana Sato', role: 'Product Designer', email: 'hana.sato@example.com', location: 'Buenos Aires, Argentina' },
    { name: 'Mateo García', role: 'Payroll Specialist', location: 'Rio de Janeiro' },
  ];
  for (const person of people) {
    assert.equal((await apiCall(context, 'POST', '/employees', profileForm({ ...person, department: wide }))).status, 201);
  }
  await page.goto(`/#/?department=${encodeURIComponent(wide)}`);
  await page.getByRole('group', { name: 'Show as' }).getByRole('button', { name: 'Table' }).click();
  await expectRows(page, people.map(({ name }) => name));
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  assert.ok(scrollWidth <= clientWidth, `the page scrolls sideways: ${scrollWidth} px in ${clientWidth} px`);
  const wrap = await page.locator('.directory-table-wrap').evaluate((element) => ({ scrollWidth: element.scrollWidth, clientWidth: element.clientWidth }));
  assert.ok(wrap.scrollWidth <= wrap.clientWidth, `the table scrolls sideways: ${wrap.scrollWidth} px in ${wrap.clientWidth} px`);
  // Each word lies on one line (a word broken across lines has boxes on two); a hyphen may end a
  // line, as may an email's parts before its @ and dots.
  const broken = await page.locator('.directory-table').evaluate((table) => {
    const found = [];
    const check = (element, pattern) => {
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.data.matchAll(pattern)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
          if (lines.size > 1) found.push(match[0]);
        }
      }
    };
    for (const cell of table.querySelectorAll('thead th, .row-name, td[data-label="Role"], td[data-label="Department"], td[data-label="Phone"]')) {
      check(cell, /[^\s-]+-?/g);
    }
    for (const cell of table.querySelectorAll('td[data-label="Email"] a')) check(cell, /[@.]?[^@.-]+-?/g);
    return found;
  });
  assert.deepEqual(broken, [], 'words broken across lines');
  // The long address wraps rather than widening the table: its cell is narrower than the address on one line.
  const email = page.getByRole('link', { name: people[0].email });
  const lines = await email.evaluate((link) => new Set([...link.getClientRects()].map((rect) => Math.round(rect.top))).size);
  assert.ok(lines >= 2, 'the long address wraps');
  await context.close();
  assertClean();
});

test('a server whose description lists no `sort` gets no sort control, even from an address that names one', async () => {
  const { page, context, assertClean } = await openPage(browser);
  // As an older server describes itself: GET /employees without `sort`.
  await page.route('**/openapi.json', async (route) => {
    const response = await route.fetch();
    const document = await response.json();
    const list = document.paths['/employees'].get;
    list.parameters = list.parameters.filter((parameter) => parameter.name !== 'sort' && !String(parameter.$ref ?? '').endsWith('/sort'));
    await route.fulfill({ status: 200, json: document });
  });
  const listed = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/employees') listed.push(url.searchParams);
  });
  await signIn(page, owner);
  await page.goto(`/#/?department=${encodeURIComponent(department)}&sort=-name`);
  await expectCards(page, names.slice(0, 25));
  assert.equal(await page.getByLabel('Sort by').count(), 0, 'no sort control without a server that sorts');
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
  await page.route((url) => url.pathname === '/employees' && (url.searchParams.get('offset') === '25' || url.searchParams.has('cursor')), (route) => {
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

test('the server sorts: the order chosen is in the address, starts at page 1, and Back, Forward and reload restore it', async () => {
  const { page, context, assertClean } = await openDirectory();
  const requests = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/employees') requests.push(url.searchParams);
  });
  await page.goto(`/#/?department=${encodeURIComponent(department)}&page=2`);
  await expectCards(page, names.slice(25));
  const sort = page.getByLabel('Sort by');
  await sort.waitFor();
  assert.equal(await sort.inputValue(), 'name', 'the server\'s default order is the one chosen');
  assert.deepEqual(await sort.locator('option').evaluateAll((options) => options.map((option) => option.value)),
    ['name', '-name', 'department', 'start_date', '-start_date', 'created', '-created']);

  // Another order starts again at its first page.
  await sort.selectOption('-name');
  const reversed = [...names].reverse();
  await expectCards(page, reversed.slice(0, 25));
  assert.deepEqual(hashParams(page), { department, sort: '-name' });
  assert.equal(requests.at(-1).get('sort'), '-name');
  assert.equal(requests.at(-1).get('offset'), '0');

  // Next follows the Link header's cursor; Previous too.
  await pager(page).getByRole('button', { name: 'Next' }).click();
  await expectCards(page, reversed.slice(25));
  assert.deepEqual(hashParams(page), { department, sort: '-name', page: '2' });
  assert.ok(requests.at(-1).get('cursor') && !requests.at(-1).has('offset'), `the next page is asked for by cursor: ${requests.at(-1)}`);
  assert.equal(requests.at(-1).get('sort'), '-name');
  assert.equal(await pager(page).getByText('Page 2 of 2').count(), 1);
  await pager(page).getByRole('button', { name: 'Previous' }).click();
  await expectCards(page, reversed.slice(0, 25));
  await pager(page).getByRole('button', { name: 'Next' }).click();
  await expectCards(page, reversed.slice(25));

  // A reload asks for the same page by its offset, in the same order.
  await page.reload();
  await expectCards(page, reversed.slice(25));
  assert.equal(await sort.inputValue(), '-name');
  assert.equal(requests.at(-1).get('sort'), '-name');
  assert.equal(requests.at(-1).get('offset'), '25');

  await page.goBack(); // page 1, Z to A
  await expectCards(page, reversed.slice(0, 25));
  assert.equal(await sort.inputValue(), '-name');
  await page.goBack(); // page 2, Z to A
  await page.goBack(); // page 1, Z to A
  await page.goBack(); // page 2, by name
  await expectCards(page, names.slice(25));
  assert.equal(await sort.inputValue(), 'name');
  assert.deepEqual(hashParams(page), { department, page: '2' });
  assert.equal(requests.at(-1).has('sort'), false, 'the default order is not sent');
  await page.goForward();
  await expectCards(page, reversed.slice(0, 25));
  assert.equal(await sort.inputValue(), '-name');
  assert.deepEqual(hashParams(page), { department, sort: '-name' });
  await context.close();
  assertClean();
});

test('names sort by Unicode collation: Álvarez between Adams and Baker, either way round', async () => {
  const { page, context, assertClean } = await openDirectory();
  const accented = unique('Collation');
  for (const name of ['Baker', 'Álvarez', 'Adams', 'Zoë', 'Émile']) {
    assert.equal((await apiCall(context, 'POST', '/employees', profileForm({ name, role: 'Clerk', department: accented }))).status, 201);
  }
  await page.goto(`/#/?department=${encodeURIComponent(accented)}`);
  await expectCards(page, ['Adams', 'Álvarez', 'Baker', 'Émile', 'Zoë']);
  await page.getByLabel('Sort by').selectOption('-name');
  await expectCards(page, ['Zoë', 'Émile', 'Baker', 'Álvarez', 'Adams']);
  await page.getByLabel('Sort by').selectOption('-created');
  await expectCards(page, ['Émile', 'Zoë', 'Adams', 'Álvarez', 'Baker']);
  assert.deepEqual(hashParams(page), { department: accented, sort: '-created' });
  await context.close();
  assertClean();
});

test('a count the server caps reads "more than 10,000"; the pager goes as far as the Link header leads', async () => {
  const { page, context, assertClean } = await openDirectory();
  // As a directory of more than 10,000 would answer: the count capped, the rest as the server sends it.
  await page.route((url) => url.pathname === '/employees', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'x-total-count': '10000', 'x-total-count-capped': 'true' } });
  });
  await page.goto(`/#/?department=${encodeURIComponent(department)}`);
  await page.reload();
  await expectCards(page, names.slice(0, 25));
  const summary = page.locator('#results-summary');
  assert.equal(await summary.textContent(), 'Showing 1–25 of more than 10,000 employees matching this search.');
  assert.equal(await pager(page).locator('.page-label').textContent(), 'Page 1 of more than 400');
  await pager(page).getByRole('button', { name: 'Next' }).click();
  await expectCards(page, names.slice(25));
  // The real directory ends here: its Link header names no next page, whatever the count says,
  // and the last page tells how many there are.
  assert.equal(await pager(page).getByRole('button', { name: 'Next' }).isDisabled(), true);
  assert.equal(await summary.textContent(), 'Showing 26–30 of 30 employees matching this search.');
  assert.equal(await pager(page).locator('.page-label').textContent(), 'Page 2 of 2');

  // A page past the count is not taken for the last one: no page number is made up.
  await page.goto(`/#/?department=${encodeURIComponent(department)}&page=402`);
  await page.waitForFunction(() => !document.querySelector('.cards[aria-busy]'));
  await waitUntil(async () => (await summary.textContent()) === 'There are no employees on page 402.');
  assert.equal(await pager(page).locator('.page-label').textContent(), 'Page 402');
  assert.equal(hashParams(page).page, '402');
  await context.close();
  assertClean();
});

test('a search the server refuses shows its reason beside the search box, not a broken page', async () => {
  const { page, context, assertClean } = await openDirectory();
  await page.goto(`/#/?department=${encodeURIComponent(department)}`);
  await expectCards(page, names.slice(0, 25));
  const search = page.getByLabel('Search by name or role');
  assert.equal(await search.getAttribute('maxlength'), '100');
  await search.fill('one two three four five six seven eight nine');
  await search.press('Enter');
  const problem = page.locator('#search-error');
  await problem.waitFor();
  assert.equal(await problem.textContent(), 'The search must be at most 8 words.');
  assert.equal(await problem.getAttribute('role'), 'alert');
  assert.equal(await search.getAttribute('aria-invalid'), 'true');
  assert.match(await search.getAttribute('aria-describedby'), /\bsearch-error\b/);
  assert.equal(await page.getByRole('alert').filter({ hasText: 'could not be loaded' }).count(), 0, 'no failed-load alert');
  assert.equal(await page.locator('.card').count(), 0, 'no cards of the earlier search are shown as this one\'s');
  assert.equal(await page.locator('#results-summary').textContent(), 'Change the search to see results.');

  await search.fill('Nav 2');
  await search.press('Enter');
  await expectCards(page, names.slice(19, 29));
  assert.equal(await problem.isHidden(), true);
  assert.equal(await search.getAttribute('aria-invalid'), null);
  await context.close();
  assertClean();
});
