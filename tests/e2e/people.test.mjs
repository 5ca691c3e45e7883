// A page per person: opened from a card's name or photo, an address that survives reload;
// after Add the new person's page opens; edit and delete where the role allows; the profile's
// fields (email, phone, location, manager, start date, direct reports) shown when they hold
// something, set from the form with the server's refusals beside the right field, and absent
// with a server that does not know them; unsaved changes in the form ask before they are dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, openPage, signUp, unique, apiCall, fillEmployee, saveForm, cardOf, expectCards, profileForm,
} from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** The person page's facts as { label: text }. */
async function facts(page) {
  return page.locator('.person-facts > div').evaluateAll((rows) => Object.fromEntries(rows.map((row) =>
    [row.querySelector('dt').textContent, row.querySelector('dd').textContent])));
}

test('after Add the new person\'s page opens; it survives reload, and edit and delete work from it', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signUp(page, unique('adder'));
  const department = unique('Pages');
  const name = `Ada ${unique('Page')}`;
  await page.getByRole('link', { name: 'Add employee' }).click();
  await fillEmployee(page, { name, role: 'Analyst', department });
  await page.getByLabel('Choose a photo').setInputFiles(await portrait(page, { name: 'ada.jpg', mimeType: 'image/jpeg', size: 900 }));
  await saveForm(page, 'Add employee', name);

  await page.getByRole('heading', { level: 1, name }).waitFor();
  const [created] = (await apiCall(context, 'GET', `/employees?department=${encodeURIComponent(department)}`)).body;
  assert.equal(new URL(page.url()).hash, `#/people/${created.id}`);
  const photo = page.getByRole('img', { name: `Photo of ${name}` });
  await photo.evaluate((image) => image.complete || new Promise((resolve) => image.addEventListener('load', resolve, { once: true })));
  assert.ok(await photo.evaluate((image) => image.naturalWidth) > 0);
  // A 256 px slot on a 1× screen: the 256 px variant, not the full picture.
  assert.equal(await photo.evaluate((image) => image.currentSrc), new URL(created.image_variants[0].url, page.url()).href);
  // The fields the profile leaves empty (null from the server) make no rows.
  assert.deepEqual(Object.keys(await facts(page)), ['Department', 'Added']);
  assert.equal((await facts(page)).Department, department);
  assert.equal(await page.getByText('Analyst', { exact: true }).count(), 1);
  // The server knows managers: the direct reports are asked for, and there are none.
  await page.getByText('No one reports to this person.').waitFor();

  // The page took the form's place in the history: Back goes to where Add was pressed.
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  await page.goForward();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await page.reload();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  assert.equal(await page.getByText(`Saved ${name}.`).count(), 0, 'the notice was for the save, not the address');

  // Edit from the page returns to the page.
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `Edit ${name}` }).waitFor();
  await fillEmployee(page, { role: 'Chief Analyst' });
  await saveForm(page, 'Save changes', name);
  await page.getByRole('heading', { level: 1, name }).waitFor();
  assert.equal(new URL(page.url()).hash, `#/people/${created.id}`);
  assert.equal(await page.locator('.person-role').textContent(), 'Chief Analyst');

  // The directory's card opens the same page, by its name or its photo.
  await page.getByRole('link', { name: 'Back to the directory' }).click();
  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, [name]);
  // The photo lies under the name's link, which covers the card: a tap on it is a tap on the link.
  const box = await cardOf(page, name).getByRole('img', { name: `Photo of ${name}` }).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await page.goBack();
  await expectCards(page, [name]);
  await cardOf(page, name).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();

  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('alertdialog', { name: `Delete ${name}?` }).getByRole('button', { name: 'Delete' }).click();
  await page.getByText(`Deleted ${name}.`).waitFor();
  await expectCards(page, []);
  assert.deepEqual(hashParams(page), { department });
  await page.goto(`/#/people/${created.id}`);
  await page.getByRole('heading', { level: 1, name: 'Profile not found' }).waitFor();
  await context.close();
  assertClean();
});

function hashParams(page) {
  return Object.fromEntries(new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? ''));
}

test('another member sees the page without edit and delete', async () => {
  const owner = await openPage(browser);
  await signUp(owner.page, unique('owner'));
  const created = await apiCall(owner.context, 'POST', '/employees', profileForm({ name: 'Olive Owner', role: 'Counsel', department: unique('Legal') }));
  const visitor = await openPage(browser);
  await signUp(visitor.page, unique('visitor'));
  await visitor.page.goto(`/#/people/${created.body.id}`);
  await visitor.page.getByRole('heading', { level: 1, name: 'Olive Owner' }).waitFor();
  assert.equal(await visitor.page.getByRole('link', { name: 'Edit' }).count(), 0);
  assert.equal(await visitor.page.getByRole('button', { name: 'Delete' }).count(), 0);
  await owner.context.close();
  await visitor.context.close();
  owner.assertClean();
  visitor.assertClean();
});

test('a server that sends contact fields and managers: shown, with the manager as a link and the direct reports', async () => {
  const { page, context, assertClean } = await openPage(browser, { width: 390, height: 844 });
  await signUp(page, unique('reader'));
  const department = unique('Org');
  const made = {};
  for (const name of ['Mia Manager', 'Rae Report', 'Ray Report']) {
    made[name] = (await apiCall(context, 'POST', '/employees', profileForm({ name, role: 'Staff', department }))).body;
  }
  const manager = made['Mia Manager'];
  // The fields as the test sets them in the responses (the reports' list included).
  const extra = {
    [manager.id]: { email: 'mia@example.com', phone: '+1 (555) 010-0100', location: 'Lisbon', manager_id: null, start_date: '2021-03-05' },
    [made['Rae Report'].id]: { email: null, phone: null, location: null, manager_id: manager.id, start_date: null },
    [made['Ray Report'].id]: { email: null, phone: null, location: null, manager_id: manager.id, start_date: null },
  };
  const withFields = (employee) => ({ ...employee, ...extra[employee.id] });
  const asked = [];
  await page.route((url) => url.pathname.startsWith('/employees'), async (route) => {
    const url = new URL(route.request().url());
    asked.push(url.pathname + url.search);
    if (route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    let body = await response.json();
    let total = response.headers()['x-total-count'];
    if (url.pathname === '/employees' && url.searchParams.has('manager_id')) {
      body = Object.values(made).filter((employee) => extra[employee.id].manager_id === Number(url.searchParams.get('manager_id')));
      total = String(body.length);
    }
    return route.fulfill({ status: response.status(), json: Array.isArray(body) ? body.map(withFields) : withFields(body),
      headers: total ? { 'X-Total-Count': total } : {} });
  });

  await page.goto(`/#/people/${manager.id}`);
  await page.getByRole('heading', { level: 1, name: 'Mia Manager' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Direct reports' }).waitFor();
  await page.getByRole('list', { name: 'Direct reports' }).getByRole('link', { name: 'Ray Report' }).waitFor();
  const shown = await facts(page);
  assert.equal(shown.Email, 'mia@example.com');
  assert.equal(shown.Phone, '+1 (555) 010-0100');
  assert.equal(shown.Location, 'Lisbon');
  assert.equal('Manager' in shown, false, 'no row for a manager the profile does not have');
  assert.match(shown['Start date'], /2021/);
  assert.equal(await page.getByRole('link', { name: 'mia@example.com' }).getAttribute('href'), 'mailto:mia@example.com');
  assert.equal(await page.getByRole('link', { name: '+1 (555) 010-0100' }).getAttribute('href'), 'tel:+15550100100');
  assert.ok(asked.includes(`/employees?manager_id=${manager.id}&limit=100`), asked.join(' '));
  const phoneLink = await page.getByRole('link', { name: '+1 (555) 010-0100' }).evaluate((link) => link.getBoundingClientRect().height);
  assert.ok(phoneLink >= 44, `the phone link is ${phoneLink} px tall on a phone`);

  await page.getByRole('list', { name: 'Direct reports' }).getByRole('link', { name: 'Rae Report' }).click();
  await page.getByRole('heading', { level: 1, name: 'Rae Report' }).waitFor();
  await page.locator('.person-facts').getByRole('link', { name: 'Mia Manager' }).waitFor();
  await page.getByText('No one reports to this person.').waitFor();
  await page.locator('.person-facts').getByRole('link', { name: 'Mia Manager' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mia Manager' }).waitFor();

  // The table shows the contact columns when someone on the page has them.
  await page.goto(`/#/?department=${encodeURIComponent(department)}`);
  await page.getByRole('button', { name: 'Table' }).click();
  const table = page.getByRole('table', { name: 'Employee directory' });
  await table.getByRole('link', { name: 'mia@example.com' }).waitFor();
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(await table.locator('thead th').allTextContents(), ['Name', 'Role', 'Department', 'Email', 'Phone', 'Location', 'Actions']);

  // The edit form offers the fields the profile has.
  await page.goto(`/#/edit/${manager.id}`);
  await page.getByRole('heading', { level: 1, name: 'Edit Mia Manager' }).waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), 'mia@example.com');
  assert.equal(await page.getByLabel('Start date').inputValue(), '2021-03-05');
  // And the manager, among the other profiles once they have loaded; this one has none.
  await page.getByLabel('Manager', { exact: true }).locator(`option[value="${made['Rae Report'].id}"]`).waitFor({ state: 'attached' });
  assert.equal(await page.getByLabel('Manager', { exact: true }).inputValue(), '');
  await context.close();
  assertClean();
});

test('without those fields from the server: no manager, no reports, no request for them', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signUp(page, unique('plain'));
  const created = (await apiCall(context, 'POST', '/employees', profileForm({ name: 'Pat Plain', role: 'Staff', department: unique('Plain') }))).body;
  // Profiles as a server that predates the fields sends them: without the keys at all.
  const newer = ['email', 'phone', 'location', 'manager_id', 'start_date', 'account_id'];
  const older = (employee) => Object.fromEntries(Object.entries(employee).filter(([key]) => !newer.includes(key)));
  await page.route((url) => url.pathname.startsWith('/employees'), async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    const body = await response.json();
    const total = response.headers()['x-total-count'];
    return route.fulfill({ status: response.status(), json: Array.isArray(body) ? body.map(older) : older(body),
      headers: total ? { 'X-Total-Count': total } : {} });
  });
  const asked = [];
  page.on('request', (request) => asked.push(new URL(request.url()).search));
  await page.goto(`/#/people/${created.id}`);
  await page.getByRole('heading', { level: 1, name: 'Pat Plain' }).waitFor();
  assert.deepEqual(Object.keys(await facts(page)), ['Department', 'Added']);
  assert.equal(await page.getByRole('heading', { name: 'Direct reports' }).count(), 0);
  assert.ok(asked.every((search) => !search.includes('manager_id')));
  await page.goto(`/#/edit/${created.id}`);
  await page.getByRole('heading', { level: 1, name: 'Edit Pat Plain' }).waitFor();
  assert.equal(await page.getByLabel('Email').count(), 0, 'the form offers no field the server does not have');
  assert.equal(await page.getByLabel('Manager', { exact: true }).count(), 0);
  await context.close();
  assertClean();
});

test('the form sets email, phone, location, start date and manager; the server\'s refusals show beside the field', async () => {
  const { page, context, assertClean } = await openPage(browser, { width: 390, height: 844 });
  await signUp(page, unique('setter'));
  const department = unique('Fields');
  const tag = unique('mail').toLowerCase();
  const boss = (await apiCall(context, 'POST', '/employees', profileForm({ name: 'Bea Boss', role: 'Lead', department }))).body;
  await apiCall(context, 'POST', '/employees', profileForm({ name: 'Tom Taken', role: 'Staff', department, email: `${tag}.taken@example.com` }));
  const name = `Nia ${unique('New')}`;

  await page.goto('/#/new');
  await page.getByRole('heading', { level: 1, name: 'Add employee' }).waitFor();
  await fillEmployee(page, { name, role: 'Engineer', department });
  await page.getByLabel('Email').fill('not an address');
  await page.getByLabel('Phone').fill('+44 20 7946 0000');
  await page.getByLabel('Location').fill('Leeds');
  await page.getByLabel('Start date').fill('2022-04-01');
  const manager = page.getByLabel('Manager', { exact: true });
  await manager.locator(`option[value="${boss.id}"]`).waitFor({ state: 'attached' });
  await manager.selectOption(String(boss.id));

  /** Submits and waits for the one field error the server's 400 names. */
  async function refusedAt(button, field, pattern) {
    await page.getByRole('button', { name: button }).click();
    const error = page.locator(`#employee-${field}-error`);
    await error.waitFor();
    assert.match(await error.textContent(), pattern);
    const control = page.locator(`#employee-${field}`);
    assert.equal(await control.getAttribute('aria-invalid'), 'true');
    assert.ok((await control.getAttribute('aria-describedby')).split(' ').includes(`employee-${field}-error`));
    assert.ok(await control.evaluate((element) => element === document.activeElement), `focus goes to ${field}`);
    assert.equal(await page.locator('.field-error:not([hidden])').count(), 1, 'only that field is marked');
  }
  await refusedAt('Add employee', 'email', /email address/);
  await page.getByLabel('Email').fill(`${tag}.TAKEN@example.com`);
  await refusedAt('Add employee', 'email', /already/);
  await page.getByLabel('Email').fill(`${tag}.nia@example.com`);
  await saveForm(page, 'Add employee', name);

  await page.getByRole('heading', { level: 1, name }).waitFor();
  const created = (await apiCall(context, 'GET', new URL(page.url()).hash.replace('#/people', '/employees'))).body;
  assert.equal(created.manager_id, boss.id);
  assert.equal(created.start_date, '2022-04-01');
  await page.locator('.person-facts').getByRole('link', { name: 'Bea Boss' }).waitFor();
  const shown = await facts(page);
  assert.deepEqual(Object.keys(shown), ['Department', 'Email', 'Phone', 'Location', 'Manager', 'Start date', 'Added']);
  assert.equal(shown.Email, `${tag}.nia@example.com`);
  assert.equal(shown.Phone, '+44 20 7946 0000');
  assert.equal(shown.Location, 'Leeds');
  assert.match(shown['Start date'], /2022/);

  // The manager's page lists the new report; making the report the manager's manager is a cycle.
  await page.locator('.person-facts').getByRole('link', { name: 'Bea Boss' }).click();
  await page.getByRole('heading', { level: 1, name: 'Bea Boss' }).waitFor();
  await page.getByRole('list', { name: 'Direct reports' }).getByRole('link', { name }).waitFor();
  assert.doesNotMatch(await page.locator('.person-reports').textContent(), /null|undefined/);
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Edit Bea Boss' }).waitFor();
  await manager.locator(`option[value="${created.id}"]`).waitFor({ state: 'attached' });
  assert.equal(await manager.locator(`option[value="${boss.id}"]`).count(), 0, 'no one is offered as their own manager');
  await manager.selectOption(String(created.id));
  await refusedAt('Save changes', 'manager_id', /cycle/);
  await manager.selectOption('');
  await saveForm(page, 'Save changes', 'Bea Boss');

  // An edit that empties a field clears it, and its row goes.
  await page.goto(`/#/edit/${created.id}`);
  await page.getByRole('heading', { level: 1, name: `Edit ${name}` }).waitFor();
  assert.equal(await manager.inputValue(), String(boss.id));
  assert.equal(await page.getByLabel('Location').inputValue(), 'Leeds');
  await page.getByLabel('Location').fill('');
  await manager.selectOption('');
  await saveForm(page, 'Save changes', name);
  await page.goto(`/#/people/${created.id}`);
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await page.getByText('No one reports to this person.').waitFor();
  assert.deepEqual(Object.keys(await facts(page)), ['Department', 'Email', 'Phone', 'Start date', 'Added', 'Last changed']);
  await context.close();
  assertClean();
});

test('unsaved changes ask before a link, Back or closing the page drops them', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signUp(page, unique('careful'));
  const created = (await apiCall(context, 'POST', '/employees', profileForm({ name: 'Cleo Careful', role: 'Editor', department: unique('Care') }))).body;
  await page.goto(`/#/people/${created.id}`);
  await page.getByRole('heading', { level: 1, name: 'Cleo Careful' }).waitFor();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Edit Cleo Careful' }).waitFor();

  // Untouched, Cancel just goes back.
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.getByRole('heading', { level: 1, name: 'Cleo Careful' }).waitFor();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await fillEmployee(page, { role: 'Senior Editor' });

  const dialog = page.getByRole('alertdialog', { name: 'Discard your changes?' });
  await page.getByRole('link', { name: 'Cancel' }).click();
  await dialog.getByRole('button', { name: 'Keep editing' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.getByLabel('Role', { exact: true }).inputValue(), 'Senior Editor');
  assert.equal(new URL(page.url()).hash, `#/edit/${created.id}`);

  await page.getByRole('link', { name: 'HR Directory' }).click();
  await dialog.getByRole('button', { name: 'Keep editing' }).click();
  assert.equal(await page.getByLabel('Role', { exact: true }).inputValue(), 'Senior Editor');

  await page.goBack();
  await dialog.getByRole('button', { name: 'Discard changes' }).click();
  await page.getByRole('heading', { level: 1, name: 'Cleo Careful' }).waitFor();
  assert.equal(new URL(page.url()).hash, `#/people/${created.id}`);
  assert.equal((await apiCall(context, 'GET', `/employees/${created.id}`)).body.role, 'Editor', 'nothing was saved');

  // Closing the tab with changes asks the browser's own question.
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await fillEmployee(page, { role: 'Editor in Chief' });
  const asked = new Promise((resolve) => page.once('dialog', (question) => { resolve(question.type()); question.accept(); }));
  await page.close({ runBeforeUnload: true });
  assert.equal(await asked, 'beforeunload');
  await context.close();
  assertClean();
});
