// CSV export and import, for HR and admins only: the export downloads what the directory's
// filters match, in its order, every page of it; the import's Check lists every problem of a bad
// file by line and column and writes nothing, gives the counts for a good one, and Import writes
// it and opens the directory with the counts. A member sees neither. axe-core finds nothing on
// the import screen (empty, with problems, ready), the directory with its CSV controls or a
// refused search, at 390 and 1280 px, where nothing scrolls sideways and a phone's controls are
// 44 px tall.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  launchBrowser, signedInPage, unique, apiCall, startApp, firstAdmin, invitedAccount, expectCards, profileForm, waitUntil,
  axeViolations, assertFitsWidth,
} from './lib/harness.mjs';

const header = ['name', 'role', 'department', 'email', 'phone', 'location', 'manager_email', 'start_date'];

let browser;
let app;
let admin;
let hr;
let member;

/** A browser page signed in as `account` on the test's app, showing the directory. */
const signedIn = (account, screen = {}) => signedInPage(browser, account.username, { url: app.url, ...screen });

before(async () => {
  browser = await launchBrowser();
  app = await startApp({ REGISTRATION: 'invite' });
  admin = await signedIn(await firstAdmin(app));
  hr = await signedIn(await invitedAccount(admin.context, 'hr'));
  member = await signedIn(await invitedAccount(admin.context, 'member'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

/** The rows of a CSV text (RFC 4180: quoted fields may hold commas, quotes doubled, line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A CSV line of `cells`, quoted where needed. */
function csvLine(cells) {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',');
}

function csvFile(name, lines) {
  return { name, mimeType: 'text/csv', buffer: Buffer.from(`${lines.map(csvLine).join('\r\n')}\r\n`) };
}

async function create(context, fields) {
  const created = await apiCall(context, 'POST', '/employees', profileForm(fields));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

/** Every profile of `department`, by name, from the API. */
async function profilesOf(context, department) {
  const listed = await apiCall(context, 'GET', `/employees?department=${encodeURIComponent(department)}&limit=100`);
  assert.equal(listed.status, 200);
  return listed.body;
}

function directoryHash(params) {
  return `/#/?${new URLSearchParams(params)}`;
}

/** The import screen's problems table as [line, column, problem] rows. */
async function problemRows(page) {
  const table = page.getByRole('table', { name: /^Problems in / });
  await table.waitFor();
  return table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent.trim())));
}

async function openImport(page) {
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await page.getByRole('heading', { level: 1, name: 'Import employees' }).waitFor();
  assert.equal(new URL(page.url()).hash, '#/import');
}

/** Nothing scrolls sideways; on a phone every visible control is at least 44 px tall. */
async function assertFits(page, what, { phone }) {
  await assertFitsWidth(page, what);
  if (!phone) return;
  const small = await page.locator('header a, header button, main a.button, main nav a, main button, main input, main select, main table a, main .back-link, main summary')
    .evaluateAll((controls) => controls
      .filter((control) => control.getClientRects().length > 0 && !['checkbox', 'radio'].includes(control.type))
      .filter((control) => control.getBoundingClientRect().height < 44)
      .map((control) => `${control.outerHTML.slice(0, 80)} (${Math.round(control.getBoundingClientRect().height)} px)`));
  assert.deepEqual(small, [], `${what} has controls under 44 px tall on a phone`);
}

test('a member sees neither the export nor the import, and the import screen is not theirs; HR and admins see both', async () => {
  for (const { page } of [hr, admin]) {
    await page.goto('/#/');
    await page.getByRole('link', { name: 'Export CSV' }).waitFor();
    await page.getByRole('link', { name: 'Import CSV' }).waitFor();
  }
  const { page, assertClean } = member;
  await page.goto('/#/');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  await page.getByLabel('Sort by').waitFor(); // what the server offers is known by now
  assert.equal(await page.getByRole('link', { name: 'Export CSV' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Import CSV' }).count(), 0);
  await page.goto('/#/import');
  await page.getByRole('heading', { level: 1, name: 'Import employees' }).waitFor();
  await page.getByText('Only HR and administrators can import profiles.').waitFor();
  assert.equal(await page.getByLabel('CSV file').count(), 0);
  assertClean();
});

test('HR exports what the directory shows: its filters and order, every page, one row a person', async () => {
  const { page, context, assertClean } = hr;
  const department = unique('Export');
  const manager = await create(context, { name: 'Maya Manager', role: 'Head of Sales', department, email: 'maya.manager@example.com',
    phone: '+44 20 7946 0000', location: 'Leeds', start_date: '2020-02-03' });
  const people = [];
  for (let index = 1; index <= 26; index++) {
    people.push(await create(context, { name: `Seller ${String(index).padStart(2, '0')}`, role: index % 2 ? 'Sales Rep' : 'Account Lead', department }));
  }
  // A name with a comma and quotes, reporting to the manager.
  const quoted = await create(context, { name: 'Quinn "Q" Quote, Jr.', role: 'Sales Rep', department, location: 'York, UK' });
  assert.equal((await apiCall(context, 'PATCH', `/employees/${quoted.id}`, { manager_id: manager.id })).status, 200);
  await create(context, { name: 'Outside Person', role: 'Sales Rep', department: unique('Elsewhere') });

  await page.goto(directoryHash({ department }));
  await page.getByLabel('Sort by').selectOption('-name');
  const expected = ['Seller 26', 'Seller 25', 'Seller 24'];
  await waitUntil(async () => (await page.locator('.card-name').first().textContent()) === 'Seller 26');
  // The directory's names in order, over its two pages.
  const shown = await page.locator('.card-name').allTextContents();
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Next' }).click();
  await waitUntil(async () => new URL(page.url()).hash.includes('page=2') && !(await page.locator('.cards[aria-busy]').count()));
  shown.push(...await page.locator('.card-name').allTextContents());
  assert.equal(shown.length, 28);
  assert.deepEqual(shown.slice(0, 3), expected);

  const exportLink = page.getByRole('link', { name: 'Export CSV' });
  const href = new URL(await exportLink.getAttribute('href'), app.url);
  assert.equal(href.pathname, '/employees.csv');
  assert.deepEqual(Object.fromEntries(href.searchParams), { department, sort: '-name' }, 'the filters and order, and no paging');
  const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
  assert.equal(download.suggestedFilename(), 'employees.csv');
  const rows = parseCsv(readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, ''));
  assert.deepEqual(rows[0], header);
  const records = rows.slice(1).map((cells) => Object.fromEntries(header.map((name, index) => [name, cells[index]])));
  assert.deepEqual(records.map(({ name }) => name), shown, 'the file has the directory\'s people in its order');
  assert.ok(records.every((record) => record.department === department));
  // A cell that a spreadsheet would take for a formula (+, -, =, @) is guarded with a leading apostrophe.
  assert.deepEqual(records.find(({ name }) => name === 'Maya Manager'), { name: 'Maya Manager', role: 'Head of Sales', department,
    email: 'maya.manager@example.com', phone: "'+44 20 7946 0000", location: 'Leeds', manager_email: '', start_date: '2020-02-03' });
  const quinn = records.find(({ name }) => name === 'Quinn "Q" Quote, Jr.');
  assert.equal(quinn?.location, 'York, UK');
  assert.equal(quinn?.manager_email, 'maya.manager@example.com');

  // A search narrows the file as it narrows the directory.
  await page.getByLabel('Search by name or role').fill('account lead');
  await page.getByLabel('Search by name or role').press('Enter');
  const leads = people.filter((person) => person.role === 'Account Lead').map(({ name }) => name).sort().reverse();
  await expectCards(page, leads);
  const [searched] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
  const searchedRows = parseCsv(readFileSync(await searched.path(), 'utf8').replace(/^\uFEFF/, ''));
  assert.deepEqual(searchedRows.slice(1).map(([name]) => name), leads);
  assertClean();
});

test('Check lists every problem of a bad file by line and column and writes nothing; a file too large is not sent', async () => {
  const { page, context, assertClean } = hr;
  const department = unique('Checked');
  await page.goto(directoryHash({ department }));
  await openImport(page);
  const posts = [];
  page.on('request', (request) => { if (request.method() === 'POST') posts.push(new URL(request.url())); });

  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByText('Choose a CSV file first.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'import-file');

  await page.getByLabel('CSV file').setInputFiles(csvFile('people.csv', [
    ['name', 'role', 'department', 'email', 'start_date'], // line 1
    ['Good Person', 'Clerk', department, 'good.person@example.com', '2024-01-02'],
    ['Bad Email', 'Clerk', department, 'not-an-email', ''], // line 3
    ['', 'Clerk', department, '', ''], // line 4: no name
    ['Bad Date', 'Clerk', department, '', '2024-13-45'], // line 5
  ]));
  await page.getByRole('button', { name: 'Check file' }).click();
  const heading = page.getByRole('heading', { level: 2, name: 'people.csv has 3 problems' });
  await heading.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'people.csv has 3 problems', 'focus moves to the outcome');
  const rows = await problemRows(page);
  assert.deepEqual(rows.map(([line, column]) => [line, column]), [['Line 3', 'email'], ['Line 4', 'name'], ['Line 5', 'start_date']]);
  assert.ok(rows.every(([, , problem]) => problem.length > 0), 'each problem says what is wrong');
  assert.equal(await page.getByRole('button', { name: /^Import / }).count(), 0, 'nothing to import from a file with problems');
  assert.equal(posts.length, 1);
  assert.equal(posts[0].pathname, '/employees/import');
  assert.equal(posts[0].searchParams.get('dry_run'), 'true');
  assert.deepEqual(await profilesOf(context, department), [], 'a check writes nothing');

  // Problems of the header: a column the import does not know, one it needs. (They are the whole
  // file's; this server names the header's line, 1, where the contract names none: either reads as the header's.)
  await page.getByLabel('CSV file').setInputFiles(csvFile('columns.csv', [['name', 'role', 'nickname'], ['Ann', 'Clerk', 'Annie']]));
  assert.equal(await heading.count(), 0, 'a new file clears the last outcome');
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('heading', { level: 2, name: 'columns.csv has 2 problems' }).waitFor();
  const header = await problemRows(page);
  assert.deepEqual(header.map(([, column]) => column).sort(), ['department', 'nickname'], JSON.stringify(header));
  assert.ok(header.every(([line]) => line === 'Whole file' || line === 'Line 1 (header)'), JSON.stringify(header));

  // An empty file is a problem of the whole file: no line, no column.
  await page.getByLabel('CSV file').setInputFiles({ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('heading', { level: 2, name: 'empty.csv has 1 problem' }).waitFor();
  const [[line, column, problem]] = await problemRows(page);
  assert.deepEqual([line, column], ['Whole file', '—']);
  assert.match(problem, /header/i);

  // A header and nothing under it: nothing to import.
  await page.getByLabel('CSV file').setInputFiles(csvFile('header-only.csv', [['name', 'role', 'department']]));
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('heading', { level: 2, name: 'header-only.csv has no rows to import' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /^Import / }).count(), 0);

  // More than 5 MiB is refused before it is sent.
  await page.getByLabel('CSV file').setInputFiles({ name: 'huge.csv', mimeType: 'text/csv', buffer: Buffer.alloc(5 * 1024 * 1024 + 1, 'a') });
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByText(/^huge\.csv is 5\.2 MB; the most a file may hold is 5 MiB/).waitFor();
  assert.equal(posts.length, 4, 'the large file was not sent');
  assertClean();
});

test('Check gives the counts of a good file; Import creates and updates the people and the directory shows them', async () => {
  const { page, context, assertClean } = hr;
  const department = unique('Imported');
  const updated = await create(context, { name: 'Una Update', role: 'Clerk', department, email: 'una.update@example.com' });
  const unchanged = await create(context, { name: 'Uri Unchanged', role: 'Clerk', department, email: 'uri.unchanged@example.com' });
  await page.goto(directoryHash({ department }));
  await expectCards(page, ['Una Update', 'Uri Unchanged']);
  await openImport(page);
  await page.getByLabel('CSV file').setInputFiles(csvFile('team.csv', [
    ['Email', 'Name', 'Role', 'Department', 'Manager_Email'], // any order, any case
    ['rex.report@example.com', 'Rex Report', 'Sales Rep', department, 'mia.manager@example.com'], // the manager comes later in the file
    ['mia.manager@example.com', 'Mia Manager', 'Head of Sales', department, ''],
    ['', 'Sam Second', 'Sales Rep', department, 'mia.manager@example.com'],
    ['una.update@example.com', 'Una Update', 'Senior Clerk', department, ''],
    ['uri.unchanged@example.com', 'Uri Unchanged', 'Clerk', department, ''],
  ]));
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('heading', { level: 2, name: 'team.csv is ready to import' }).waitFor();
  await page.getByText('3 to create, 1 to update, 1 unchanged.').waitFor();
  assert.equal((await profilesOf(context, department)).length, 2, 'a check writes nothing');

  await page.getByRole('button', { name: 'Import team.csv' }).click();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  await page.getByText('Imported team.csv: 3 created, 1 updated, 1 unchanged.').waitFor();
  assert.deepEqual(Object.fromEntries(new URLSearchParams(new URL(page.url()).hash.split('?')[1])), { department },
    'the directory opens where it was left');
  await expectCards(page, ['Mia Manager', 'Rex Report', 'Sam Second', 'Una Update', 'Uri Unchanged']);

  const profiles = await profilesOf(context, department);
  const byName = Object.fromEntries(profiles.map((profile) => [profile.name, profile]));
  assert.equal(byName['Rex Report'].manager_id, byName['Mia Manager'].id);
  assert.equal(byName['Sam Second'].manager_id, byName['Mia Manager'].id);
  assert.equal(byName['Una Update'].id, updated.id);
  assert.equal(byName['Una Update'].role, 'Senior Clerk');
  assert.equal(byName['Uri Unchanged'].updated_at, unchanged.updated_at);
  assertClean();
});

for (const { label, width, height } of [{ label: 'phone', width: 390, height: 844 }, { label: 'laptop', width: 1280, height: 900 }]) {
  test(`axe-core finds nothing on the import screen and the directory's CSV controls on a ${label}`, async () => {
    const { page, context, assertClean } = await signedIn(await invitedAccount(admin.context, 'hr'), { width, height });
    const phone = width < 600;
    const department = unique('Access');
    await create(context, { name: 'Ada Lovelace', role: 'Analyst', department, email: `${department.toLowerCase()}@example.com`, location: 'London' });
    await page.goto(directoryHash({ department }));
    await expectCards(page, ['Ada Lovelace']);
    assert.deepEqual(await axeViolations(page), [], 'the directory with its CSV controls');
    await assertFits(page, 'the directory', { phone });
    // A search the server refuses, its reason beside the box.
    await page.getByLabel('Search by name or role').fill('one two three four five six seven eight nine');
    await page.getByLabel('Search by name or role').press('Enter');
    await page.locator('#search-error').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'a refused search');
    await assertFits(page, 'a refused search', { phone });

    await openImport(page);
    assert.deepEqual(await axeViolations(page), [], 'the import screen');
    await assertFits(page, 'the import screen', { phone });

    await page.getByLabel('CSV file').setInputFiles(csvFile('problems.csv', [
      ['name', 'role', 'department', 'email', 'manager_email', 'start_date'],
      ['Bad Email', 'Clerk', department, 'not-an-email', '', ''],
      ['Bad Manager', 'Clerk', department, '', 'nobody.at.all@example.com', ''],
      ['Bad Date', 'Clerk', department, '', '', 'yesterday'],
    ]));
    await page.getByRole('button', { name: 'Check file' }).click();
    await page.getByRole('heading', { level: 2, name: /^problems\.csv has \d+ problems$/ }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the problems table');
    await assertFits(page, 'the problems table', { phone });

    await page.getByLabel('CSV file').setInputFiles(csvFile('fine.csv', [['name', 'role', 'department'], ['Fine Person', 'Clerk', department]]));
    await page.getByRole('button', { name: 'Check file' }).click();
    await page.getByRole('heading', { level: 2, name: 'fine.csv is ready to import' }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'a file ready to import');
    await assertFits(page, 'a file ready to import', { phone });
    await context.close();
    assertClean();
  });
}
