// The directory end to end: add employees with real photos, see them load, search, filter,
// page, edit, delete, and what another user may and may not do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, openPage, signUp, unique, apiCall, fillEmployee, saveForm, cards, cardOf, expectCards, waitUntil,
} from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Waits until the image has loaded and decoded to real pixels. */
async function naturalWidth(image) {
  await image.evaluate((element) => (element.complete && element.naturalWidth > 0) || new Promise((resolve, reject) => {
    element.addEventListener('load', resolve, { once: true });
    element.addEventListener('error', () => reject(new Error(`photo failed to load: ${element.src}`)), { once: true });
  }));
  return image.evaluate((element) => element.naturalWidth);
}

async function addEmployee(page, employee, photo) {
  await page.getByRole('link', { name: 'Add employee' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Add employee' }).waitFor();
  await fillEmployee(page, employee);
  if (photo) {
    await page.getByLabel('Choose a photo').setInputFiles(photo);
    const preview = page.getByRole('img', { name: `Preview of the chosen photo, ${photo.name}` });
    assert.ok(await naturalWidth(preview) > 0, 'the preview shows the chosen photo');
  }
  await saveForm(page, 'Add employee', employee.name);
  // The new person's page opens; the directory is a link away.
  await page.getByRole('heading', { level: 1, name: employee.name }).waitFor();
  await page.getByRole('link', { name: 'Back to the directory' }).click();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
}

test('add, see photos, search, filter, edit and delete', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signUp(page, unique('hr'));
  const department = unique('Research');
  const otherDepartment = unique('Finance');
  const ada = { name: `Ada ${unique('Lovelace')}`, role: 'Analyst Engineer', department };
  const grace = { name: `Grace ${unique('Hopper')}`, role: 'Rear Admiral', department };
  const alan = { name: `Alan ${unique('Turing')}`, role: 'Cryptanalyst', department: otherDepartment };

  await addEmployee(page, ada, await portrait(page, { name: 'ada.png', mimeType: 'image/png', hue: 200 }));
  await addEmployee(page, grace, await portrait(page, { name: 'grace.jpg', mimeType: 'image/jpeg', hue: 20 }));
  await addEmployee(page, alan, null);

  // Photos: both real files come back from the server and decode in the browser.
  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, [ada.name, grace.name]);
  for (const person of [ada, grace]) {
    const image = cardOf(page, person.name).getByRole('img', { name: `Photo of ${person.name}` });
    assert.ok(await naturalWidth(image) > 0, `${person.name}'s photo has pixels`);
    const source = await image.getAttribute('src');
    assert.ok(source && !source.startsWith('blob:'), 'the card shows the stored photo, not the local preview');
  }

  // A profile with no photo shows initials instead, hidden from screen readers (the name is the heading).
  await page.getByLabel('Department').selectOption(otherDepartment);
  await expectCards(page, [alan.name]);
  const placeholder = cardOf(page, alan.name).locator('.avatar-placeholder');
  assert.equal(await placeholder.textContent(), 'AT');
  assert.equal(await placeholder.getAttribute('aria-hidden'), 'true');
  assert.equal(await cardOf(page, alan.name).locator('img').count(), 0);

  // Search by name, by role (case-insensitive), and narrowed by department; all kept in the address.
  await page.getByLabel('Department').selectOption('');
  await page.getByLabel('Search by name or role').fill(ada.name.split(' ')[1].toUpperCase());
  await expectCards(page, [ada.name]);
  assert.match(page.url(), /#\/\?q=/);
  await page.getByLabel('Search by name or role').fill('rear admiral');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, [grace.name]);
  await page.getByLabel('Department').selectOption(otherDepartment);
  await expectCards(page, []);
  assert.equal(await page.locator('#results-summary').textContent(), 'No employees match this search.');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  assert.equal(await page.getByLabel('Search by name or role').inputValue(), 'rear admiral');
  assert.equal(await page.getByLabel('Department').inputValue(), otherDepartment);

  // Edit: the form starts with the stored values; a new role and a new photo are saved.
  await page.getByLabel('Search by name or role').fill('');
  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, [ada.name, grace.name]);
  const oldSource = await cardOf(page, ada.name).getByRole('img').getAttribute('src');
  await page.getByRole('link', { name: `Edit ${ada.name}` }).click();
  await page.getByRole('heading', { level: 1, name: `Edit ${ada.name}` }).waitFor();
  assert.equal(await page.getByLabel('Role', { exact: true }).inputValue(), ada.role);
  assert.ok(await naturalWidth(page.getByRole('img', { name: `Current photo of ${ada.name}` })) > 0);
  await fillEmployee(page, { role: 'Chief Analyst' });
  await page.getByLabel('Replace the photo').setInputFiles(await portrait(page, { name: 'ada-2.webp', mimeType: 'image/webp', hue: 280 }));
  await saveForm(page, 'Save changes', ada.name);
  await expectCards(page, [ada.name, grace.name]);
  assert.equal(await cardOf(page, ada.name).locator('.card-role').textContent(), 'Chief Analyst');
  const newImage = cardOf(page, ada.name).getByRole('img', { name: `Photo of ${ada.name}` });
  assert.notEqual(await newImage.getAttribute('src'), oldSource, 'the photo was replaced');
  assert.ok(await naturalWidth(newImage) > 0);

  // Remove a photo: the card falls back to initials.
  await page.getByRole('link', { name: `Edit ${grace.name}` }).click();
  await page.getByLabel('Remove the current photo').check();
  await saveForm(page, 'Save changes', grace.name);
  await expectCards(page, [ada.name, grace.name]);
  assert.equal(await cardOf(page, grace.name).locator('img').count(), 0);

  // Delete asks first; Cancel keeps the profile, Delete removes it on the server too.
  await page.getByRole('button', { name: `Delete ${grace.name}` }).click();
  const dialog = page.getByRole('alertdialog', { name: `Delete ${grace.name}?` });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  await expectCards(page, [ada.name, grace.name]);
  await page.getByRole('button', { name: `Delete ${grace.name}` }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expectCards(page, [ada.name]);
  const remaining = await apiCall(context, 'GET', `/employees?department=${encodeURIComponent(department)}`);
  assert.deepEqual(remaining.body.map(({ name }) => name), [ada.name]);

  // Delete from the edit form as well.
  await page.getByRole('link', { name: `Edit ${ada.name}` }).click();
  await page.getByRole('heading', { level: 1, name: `Edit ${ada.name}` }).waitFor();
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByText(`Deleted ${ada.name}.`).waitFor();
  await expectCards(page, []);
  await context.close();
  assertClean();
});

test('only the owner sees edit and delete', async () => {
  const owner = await openPage(browser);
  await signUp(owner.page, unique('owner'));
  const department = unique('Legal');
  const created = await apiCall(owner.context, 'POST', '/employees', formOf({ name: 'Olive Owner', role: 'Counsel', department }));
  assert.equal(created.status, 201);
  await owner.page.reload();
  await owner.page.getByLabel('Department').selectOption(department);
  await expectCards(owner.page, ['Olive Owner']);
  assert.equal(await cardOf(owner.page, 'Olive Owner').getByRole('link', { name: 'Edit Olive Owner' }).count(), 1);

  const visitor = await openPage(browser);
  await signUp(visitor.page, unique('visitor'));
  await visitor.page.getByLabel('Department').selectOption(department);
  await expectCards(visitor.page, ['Olive Owner']);
  const card = cardOf(visitor.page, 'Olive Owner');
  assert.equal(await card.getByRole('link', { name: /Edit/ }).count(), 0);
  assert.equal(await card.getByRole('button', { name: /Delete/ }).count(), 0);

  await visitor.page.goto(`/#/edit/${created.body.id}`);
  await visitor.page.getByText('Only the person who added this profile can edit or delete it.').waitFor();
  assert.equal(await visitor.page.getByLabel('Name', { exact: true }).count(), 0);
  await owner.context.close();
  await visitor.context.close();
  owner.assertClean();
  visitor.assertClean();
});

test('pages of 25, in order, with Previous and Next', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signUp(page, unique('pager'));
  const department = unique('Support');
  const names = Array.from({ length: 27 }, (_, index) => `Person ${String(index + 1).padStart(2, '0')}`);
  for (const name of names) {
    const response = await apiCall(context, 'POST', '/employees', formOf({ name, role: 'Agent', department }));
    assert.equal(response.status, 201);
  }
  await page.reload();
  await page.getByLabel('Department').selectOption(department);
  await expectCards(page, names.slice(0, 25));
  assert.equal(await page.locator('#results-summary').textContent(), 'Showing 1–25 of 27 employees matching this search.');
  const pager = page.getByRole('navigation', { name: 'Pages' });
  assert.equal(await pager.getByText('Page 1 of 2').count(), 1);
  assert.ok(await pager.getByRole('button', { name: 'Previous' }).isDisabled());

  await pager.getByRole('button', { name: 'Next' }).click();
  await expectCards(page, names.slice(25));
  assert.equal(await pager.getByText('Page 2 of 2').count(), 1);
  assert.ok(await pager.getByRole('button', { name: 'Next' }).isDisabled());
  assert.equal(await page.locator('#results-summary').textContent(), 'Showing 26–27 of 27 employees matching this search.');
  assert.ok(await page.locator('#results-summary').evaluate((summary) => summary === document.activeElement),
    'focus moves to the summary at the top of the new page');
  assert.match(page.url(), /page=2/);

  await pager.getByRole('button', { name: 'Previous' }).click();
  await expectCards(page, names.slice(0, 25));
  assert.equal(await cards(page).count(), 25);
  await context.close();
  assertClean();
});

function formOf(fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

test('a visit asks for the directory\'s page beside the session check, and only once', async () => {
  const { page, context, assertClean } = await openPage(browser);
  await signUp(page, unique('early'));
  const asked = [];
  page.on('request', (request) => asked.push(new URL(request.url()).pathname));
  // The session check is held: the page must not wait for it to ask for the directory.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/me', async (route) => { await held; await route.continue(); });
  await page.reload();
  await waitUntil(() => asked.includes('/employees'), 10_000);
  assert.ok(asked.includes('/me'), 'the session check is under way');
  release();
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('.cards[aria-busy]'));
  assert.equal(asked.filter((pathname) => pathname === '/employees').length, 1, 'the early page is the one shown');
  await context.close();
  assertClean();
});
