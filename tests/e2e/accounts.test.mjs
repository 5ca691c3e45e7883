// Accounts in invitation-only mode, through the UI: the first administrator from the setup link
// the app logs, an invitation made on the admin screens and used by a colleague, a role change,
// a disabled account, a password-reset link, and the audit log that records it all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, openPage, unique, password, apiCall, anonymousCall, startApp, setupPath, invitedAccount, waitUntil,
} from './lib/harness.mjs';

let browser;
let app;
// The first administrator, signed in for the whole file.
let admin;

before(async () => {
  browser = await launchBrowser();
  app = await startApp({ REGISTRATION: 'invite' });
});
after(async () => {
  await admin?.context.close();
  await browser?.close();
  await app?.stop();
});

/** Fills the sign-up form and submits it. */
async function fillSignUp(page, username, secret = password) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** The accounts table's row of `username`. */
function accountRow(page, username) {
  return page.locator(`tr[data-username="${username}"]`);
}

/** Waits for the admin screen's status line to say `text`. */
async function expectStatus(page, text) {
  const status = page.locator('.admin-status');
  await waitUntil(async () => (await status.textContent()).includes(text)).catch(async () => {
    assert.fail(`the status says "${await status.textContent()}", not "${text}"`);
  });
}

test('without an invitation, sign-up says one is needed', async () => {
  const { page, context, assertClean } = await openPage(browser, { url: app.url });
  await page.goto('/#/signup');
  await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
  await fillSignUp(page, unique('stranger'));
  const alert = page.getByRole('alert');
  await alert.getByText('You need an invitation to create an account here.').waitFor();
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Create an account');
  await context.close();
  assertClean();
});

test('the first administrator signs up from the setup link, which then stops working', async () => {
  const path = await setupPath(app);
  const token = path.split('=')[1];
  const { page, context, assertClean } = await openPage(browser, { url: app.url });
  await page.goto(path);
  await page.getByRole('heading', { level: 1, name: 'Create the first administrator account' }).waitFor();
  assert.ok(!page.url().includes(token), `the token is taken out of the address: ${page.url()}`);
  assert.match(page.url(), /#\/signup$/);

  const username = unique('admin');
  await fillSignUp(page, username);
  await page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  const me = await apiCall(context, 'GET', '/me');
  assert.equal(me.body.role, 'admin');
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Admin', exact: true }).waitFor();
  admin = { page, context, username, id: me.body.id, assertClean };

  // The same link in another browser: the token died when the administrator was made.
  const late = await openPage(browser, { url: app.url });
  await late.page.goto(path);
  await late.page.getByRole('heading', { level: 1, name: 'Create the first administrator account' }).waitFor();
  await fillSignUp(late.page, unique('late'));
  await late.page.getByRole('alert').getByText('This setup link no longer works').waitFor();
  await late.context.close();
  late.assertClean();
});

test('an admin invites a colleague as HR, who signs up with the link', async () => {
  const { page } = admin;
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Invitations' }).click();
  await page.getByRole('heading', { level: 1, name: 'Invitations' }).waitFor();

  await page.getByLabel('Role').selectOption('hr');
  await page.getByLabel('Expires after (days)').fill('3');
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const link = page.getByRole('textbox', { name: 'Invitation link' });
  await link.waitFor();
  const url = await link.inputValue();
  assert.match(url, new RegExp(`^${app.url}/#invite=.+`));
  const row = page.locator('.invitations-table tbody tr').first();
  await row.getByText('Waiting').waitFor();
  assert.equal(await row.locator('td[data-label="Role"]').textContent(), 'HR');

  const colleague = await openPage(browser, { url: app.url });
  await colleague.page.goto(url);
  await colleague.page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
  assert.match(colleague.page.url(), /#\/signup$/, 'the token is taken out of the address');
  const username = unique('hr');
  await fillSignUp(colleague.page, username);
  await colleague.page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();
  assert.equal((await apiCall(colleague.context, 'GET', '/me')).body.role, 'hr');
  assert.equal(await colleague.page.getByRole('link', { name: 'Admin', exact: true }).isHidden(), true, 'HR has no administration');
  await colleague.page.goto('/#/admin/accounts');
  await colleague.page.getByText('Only administrators can manage accounts').waitFor();
  await colleague.context.close();
  colleague.assertClean();

  await page.reload();
  await page.locator('.invitations-table tbody tr').first().getByText(`Used by ${username}`).waitFor();
});

test('an admin changes a role, disables an account, and the audit log shows both', async () => {
  const { page } = admin;
  const member = await invitedAccount(admin.context, 'member');
  const memberPage = await openPage(browser, { url: app.url });
  await memberPage.page.goto('/#/signin');
  await memberPage.page.getByLabel('Username').fill(member.username);
  await memberPage.page.getByLabel('Password').fill(password);
  await memberPage.page.getByRole('button', { name: 'Sign in' }).click();
  await memberPage.page.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();

  await page.goto('/#/admin/accounts');
  const row = accountRow(page, member.username);
  await row.waitFor();
  assert.equal(await row.locator('td[data-label="Two-factor"]').textContent(), 'Off');
  assert.notEqual(await row.locator('td[data-label="Last sign-in"]').textContent(), 'Never', 'the sign-in is recorded');

  await row.getByLabel(`Role of ${member.username}`).selectOption('hr');
  await expectStatus(page, `${member.username} is now HR.`);
  assert.equal((await apiCall(admin.context, 'GET', `/users/${member.id}`)).body.role, 'hr');

  await accountRow(page, member.username).getByRole('checkbox', { name: `${member.username} Disabled` }).check();
  const dialog = page.getByRole('alertdialog', { name: `Disable ${member.username}?` });
  await dialog.getByRole('button', { name: 'Disable' }).click();
  await expectStatus(page, `${member.username} is disabled.`);
  assert.equal((await apiCall(admin.context, 'GET', `/users/${member.id}`)).body.disabled, true);
  assert.equal((await apiCall(memberPage.context, 'GET', '/me')).status, 401, 'a disabled account is signed out at once');

  // Signing in again is refused with the server's own reason.
  await memberPage.page.goto('/#/signin');
  await memberPage.page.reload();
  await memberPage.page.getByLabel('Username').fill(member.username);
  await memberPage.page.getByLabel('Password').fill(password);
  await memberPage.page.getByRole('button', { name: 'Sign in' }).click();
  const refusal = memberPage.page.getByRole('alert');
  await refusal.waitFor();
  await waitUntil(async () => (await refusal.textContent()).trim() !== '');
  assert.doesNotMatch(await refusal.textContent(), /Wrong username or password/);
  await memberPage.context.close();
  memberPage.assertClean();

  // The last administrator cannot take away their own role: the server's refusal is shown.
  await accountRow(page, admin.username).getByLabel(`Role of ${admin.username}`).selectOption('member');
  await expectStatus(page, `${admin.username}: `);
  assert.equal(await accountRow(page, admin.username).getByLabel(`Role of ${admin.username}`).inputValue(), 'admin');

  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  await page.locator('.audit-table tbody tr').first().waitFor();
  const actions = await page.locator('.audit-table tbody tr').evaluateAll((rows) => rows.map((tr) => tr.dataset.action));
  for (const action of ['invitation.create', 'user.create', 'user.update']) {
    assert.ok(actions.includes(action), `the audit log shows ${action}: ${actions.join(', ')}`);
  }
  const ids = await page.locator('.audit-table tbody tr').evaluateAll((rows) => rows.map((tr) => Number(tr.dataset.auditId)));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');

  // Filtered to the member's account: its creation and the two changes, the role's from and to.
  await page.getByLabel('Target').fill(`user:${member.id}`);
  await page.getByRole('button', { name: 'Filter' }).click();
  await waitUntil(async () => (await page.locator('.audit-table tbody tr')
    .evaluateAll((rows, target) => rows.every((tr) => tr.textContent.includes(target)), `user:${member.id}`)));
  const updates = page.locator('.audit-table tbody tr[data-action="user.update"]');
  await waitUntil(async () => (await updates.count()) === 2);
  const roleChange = updates.filter({ hasText: 'role' });
  assert.match(await roleChange.locator('td[data-label="Changes"]').textContent(), /role: member\s*→\s*to\s*hr/);
  assert.equal(await updates.filter({ hasText: 'disabled' }).count(), 1);
  assert.match(page.url(), /#\/admin\/audit\?target=user%3A\d+$/);

  // Filtered by who made the change.
  await page.getByLabel('Target').fill('');
  await page.getByLabel('Changed by').selectOption({ label: admin.username });
  await page.getByRole('button', { name: 'Filter' }).click();
  await waitUntil(() => /actor=\d+/.test(page.url()));
  const who = page.locator('.audit-table td[data-label="Who"]');
  await waitUntil(async () => {
    const names = await who.allTextContents();
    return names.length > 0 && names.every((name) => name === admin.username);
  }).catch(async () => assert.fail(`only the admin's changes: ${(await who.allTextContents()).join(', ')}`));
  admin.assertClean();
});

test('the audit log pages back with "Older entries"', async () => {
  const { page, context } = admin;
  // Enough changes for more than one page of 50.
  for (let index = 0; index < 52; index += 1) {
    assert.equal((await apiCall(context, 'POST', '/invitations', { role: 'member', expires_in_days: 1 })).status, 201);
  }
  await page.goto('/#/admin/audit');
  await page.reload();
  const rows = page.locator('.audit-table tbody tr');
  await waitUntil(async () => (await rows.count()) === 50);
  const older = page.getByRole('button', { name: 'Older entries' });
  await older.click();
  await waitUntil(async () => (await rows.count()) > 50);
  const ids = await rows.evaluateAll((all) => all.map((tr) => Number(tr.dataset.auditId)));
  assert.equal(new Set(ids).size, ids.length, 'no entry twice');
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'older entries follow, newest first');
  // Page after page until the oldest: then every entry is shown once and the button goes.
  const total = (await apiCall(context, 'GET', '/audit?limit=200')).body.length;
  assert.ok(total < 200, 'the entries fit one call of the test');
  for (let pages = 0; pages < 5 && await older.isVisible(); pages += 1) {
    const before = await rows.count();
    await older.click();
    await waitUntil(async () => (await rows.count()) > before || await older.isHidden());
  }
  assert.equal(await older.isHidden(), true, 'no button once the oldest entry is shown');
  assert.equal(await rows.count(), total);
  await page.getByText(`Showing the newest ${total} entries, all there are.`).waitFor();
  admin.assertClean();
});

test('a password-reset link sets a new password, once', async () => {
  const { page } = admin;
  const member = await invitedAccount(admin.context, 'member');
  await page.goto('/#/admin/accounts');
  await accountRow(page, member.username).getByRole('button', { name: `Password-reset link for ${member.username}` }).click();
  const link = page.getByRole('textbox', { name: 'Reset link' });
  await link.waitFor();
  const url = await link.inputValue();
  assert.match(url, new RegExp(`^${app.url}/#reset=.+`));

  const { page: memberPage, context, assertClean } = await openPage(browser, { url: app.url });
  await memberPage.goto(url);
  await memberPage.getByRole('heading', { level: 1, name: 'Set a new password' }).waitFor();
  assert.match(memberPage.url(), /#\/reset$/, 'the token is taken out of the address');
  const newPassword = `new ${password} ${unique('x')}`;
  await memberPage.getByLabel('New password', { exact: true }).fill(newPassword);
  await memberPage.getByRole('button', { name: 'Set password' }).click();
  await memberPage.getByText('The password has changed. Sign in with the new password.').waitFor();
  await memberPage.getByLabel('Username').fill(member.username);
  await memberPage.getByLabel('Password').fill(newPassword);
  await memberPage.getByRole('button', { name: 'Sign in' }).click();
  await memberPage.getByRole('heading', { level: 1, name: 'Employee directory' }).waitFor();

  // The link worked once.
  const again = await anonymousCall(app.url, 'POST', '/password-reset', { token: url.split('#reset=')[1], new_password: `${newPassword}!` });
  assert.equal(again.status, 403);
  await memberPage.goto(url);
  await memberPage.getByRole('heading', { level: 1, name: 'Set a new password' }).waitFor();
  await memberPage.getByLabel('New password', { exact: true }).fill(`${newPassword}?`);
  await memberPage.getByRole('button', { name: 'Set password' }).click();
  await memberPage.getByRole('alert').getByText('This password-reset link has expired or was already used.').waitFor();
  await context.close();
  assertClean();
});
