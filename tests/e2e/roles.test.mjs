// What the role changes on the directory: HR changes any profile, a member only the ones it
// added, and a refusal the server makes after a role changed is shown with its own message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, signedInPage, unique, apiCall, startApp, firstAdmin, invitedAccount, cardOf, expectCards, fillEmployee,
} from './lib/harness.mjs';

let browser;
let app;
let adminContext;

/** A browser page signed in as `account` on the test's app, showing the directory. */
const signedIn = (account) => signedInPage(browser, account.username, { url: app.url });

function formOf(fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

before(async () => {
  browser = await launchBrowser();
  app = await startApp({ REGISTRATION: 'invite' });
  ({ context: adminContext } = await signedIn(await firstAdmin(app)));
});
after(async () => {
  await adminContext?.close();
  await browser?.close();
  await app?.stop();
});

test('HR sees edit and delete on every profile, a member only on its own', async () => {
  const author = await signedIn(await invitedAccount(adminContext, 'member'));
  const department = unique('Legal');
  for (const name of ['Olive Owner', 'Paul Partner']) {
    assert.equal((await apiCall(author.context, 'POST', '/employees', formOf({ name, role: 'Counsel', department }))).status, 201);
  }
  const own = await apiCall(author.context, 'POST', '/employees', formOf({ name: 'Zoe Zealous', role: 'Clerk', department }));

  const member = await signedIn(await invitedAccount(adminContext, 'member'));
  assert.equal((await apiCall(member.context, 'POST', '/employees', formOf({ name: 'Zuri Member', role: 'Clerk', department }))).status, 201);
  await member.page.reload();
  await member.page.getByLabel('Department').selectOption(department);
  await expectCards(member.page, ['Olive Owner', 'Paul Partner', 'Zoe Zealous', 'Zuri Member']);
  for (const name of ['Olive Owner', 'Paul Partner', 'Zoe Zealous']) {
    assert.equal(await cardOf(member.page, name).getByRole('link', { name: /Edit/ }).count(), 0, `a member cannot edit ${name}`);
    assert.equal(await cardOf(member.page, name).getByRole('button', { name: /Delete/ }).count(), 0);
  }
  assert.equal(await cardOf(member.page, 'Zuri Member').getByRole('link', { name: 'Edit Zuri Member' }).count(), 1, 'a member edits its own');
  await member.page.goto(`/#/edit/${own.body.id}`);
  await member.page.getByText('Only the person who added this profile can edit or delete it.').waitFor();

  const hr = await signedIn(await invitedAccount(adminContext, 'hr'));
  await hr.page.getByLabel('Department').selectOption(department);
  await expectCards(hr.page, ['Olive Owner', 'Paul Partner', 'Zoe Zealous', 'Zuri Member']);
  for (const name of ['Olive Owner', 'Paul Partner', 'Zoe Zealous', 'Zuri Member']) {
    assert.equal(await cardOf(hr.page, name).getByRole('link', { name: `Edit ${name}` }).count(), 1, `HR edits ${name}`);
    assert.equal(await cardOf(hr.page, name).getByRole('button', { name: `Delete ${name}` }).count(), 1, `HR deletes ${name}`);
  }
  await cardOf(hr.page, 'Zoe Zealous').getByRole('link', { name: 'Edit Zoe Zealous' }).click();
  await hr.page.getByRole('heading', { level: 1, name: 'Edit Zoe Zealous' }).waitFor();
  await fillEmployee(hr.page, { role: 'Senior Clerk' });
  await hr.page.getByRole('button', { name: 'Save changes' }).click();
  await hr.page.getByText('Saved Zoe Zealous.').waitFor();
  assert.equal((await apiCall(hr.context, 'GET', `/employees/${own.body.id}`)).body.role, 'Senior Clerk');

  await cardOf(hr.page, 'Paul Partner').getByRole('button', { name: 'Delete Paul Partner' }).click();
  await hr.page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await hr.page.getByText('Deleted Paul Partner.').waitFor();
  await expectCards(hr.page, ['Olive Owner', 'Zoe Zealous', 'Zuri Member']);

  for (const opened of [author, member, hr]) {
    await opened.context.close();
    opened.assertClean();
  }
});

test('a refusal after the role changed is shown with the server\'s message, not beside a field', async () => {
  const colleague = await invitedAccount(adminContext, 'hr');
  const hr = await signedIn(colleague);
  const other = await apiCall(adminContext, 'POST', '/employees', formOf({ name: 'Rita Record', role: 'Archivist', department: unique('Records') }));
  assert.equal(other.status, 201);
  await hr.page.goto(`/#/edit/${other.body.id}`);
  await hr.page.getByRole('heading', { level: 1, name: 'Edit Rita Record' }).waitFor();

  // The account becomes a member while the form is open.
  assert.equal((await apiCall(adminContext, 'PATCH', `/users/${colleague.id}`, { role: 'member' })).status, 200);
  await fillEmployee(hr.page, { role: 'Chief Archivist' });
  await hr.page.getByRole('button', { name: 'Save changes' }).click();
  const alert = hr.page.locator('.form-error:not([hidden])');
  await alert.waitFor();
  const refusal = await apiCall(hr.context, 'PUT', `/employees/${other.body.id}`, formOf({ name: 'Rita Record', role: 'x', department: 'y' }));
  assert.equal(refusal.status, 403);
  assert.equal((await alert.textContent()).trim(), refusal.body.message);
  assert.equal(await hr.page.locator('#employee-role-error').isHidden(), true, 'the job title field is not blamed');
  assert.equal((await apiCall(adminContext, 'GET', `/employees/${other.body.id}`)).body.role, 'Archivist');
  await hr.context.close();
  hr.assertClean();
});
