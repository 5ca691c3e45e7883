// Writes docs/screenshots/*.png: the directory as cards and as a table, a person's page, the
// edit form and the CSV import with its problems table, at desktop (laptop) and phone widths, as
// an HR account sees them. SCREENSHOTS_DIR writes them elsewhere.
// Run by hand: tests/e2e/run.sh build/release/hrapp node tests/e2e/screenshots.mjs (it starts an
// app of its own, invitation-only, whose first admin invites the HR account).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  launchBrowser, openPage, signIn, apiCall, anonymousCall, expectCards, expectRows, startApp, setupPath, password,
} from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

const outputDir = process.env.SCREENSHOTS_DIR ? join(process.env.SCREENSHOTS_DIR, '/')
  : fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const people = [
  { name: 'Amara Okafor', role: 'HR Business Partner', department: 'People', hue: 200, skin: '#8d5524' },
  { name: 'Lukas Schneider', role: 'Backend Engineer', department: 'Engineering', hue: 150, skin: '#f1c27d', manager: 'Priya Raman' },
  { name: 'Priya Raman', role: 'Engineering Manager', department: 'Engineering', hue: 280, skin: '#c68642',
    email: 'priya.raman@example.com', phone: '+44 20 7946 0321', location: 'London', start_date: '2021-09-06' },
  { name: 'Mateo García', role: 'Payroll Specialist', department: 'Finance', hue: 30, skin: '#e0ac69',
    email: 'mateo.garcia@finance.example.com', location: 'Buenos Aires, Argentina' },
  { name: 'Hana Sato', role: 'Product Designer', department: 'Design', hue: 330, skin: '#ffdbac' },
  { name: 'Noah Williams', role: 'Recruiter', department: 'People', photo: false },
  { name: 'Fatima Zahra', role: 'Data Analyst', department: 'Finance', hue: 100, skin: '#a0662f' },
  { name: 'Oliver Brown', role: 'IT Support', department: 'Engineering', photo: false, manager: 'Priya Raman' },
];
// As the directory lists them: by name.
const listed = people.map(({ name }) => name).sort((a, b) => a.localeCompare(b, 'en'));
const views = [
  { label: 'desktop', width: 1280, height: 860 },
  { label: 'phone', width: 390, height: 844 },
];
// A file with a few mistakes, for the import's problems table.
const importFile = {
  name: 'new-starters.csv',
  mimeType: 'text/csv',
  buffer: Buffer.from([
    'name,role,department,email,manager_email,start_date',
    'Elena Petrova,Site Reliability Engineer,Engineering,elena.petrova@example.com,priya.raman@example.com,2026-01-12',
    'Tom Becker,Accountant,Finance,tom.becker.example.com,,2026-01-12',
    ',Recruiter,People,sam.lee@example.com,,2026-02-02',
    'Ines Duarte,Designer,Design,ines.duarte@example.com,lead.designer@example.com,2026-13-01',
    '',
  ].join('\r\n')),
};

const app = await startApp({ REGISTRATION: 'invite' });
const browser = await launchBrowser();
try {
  await mkdir(outputDir, { recursive: true });
  // The first admin invites the HR account the pictures show; a fresh app, so fixed names are free
  // and the pictures stay the same from run to run.
  const setupToken = (await setupPath(app)).split('#setup=')[1];
  const adminName = 'admin';
  const username = 'hr.admin';
  const first = await anonymousCall(app.url, 'POST', '/register', { username: adminName, password, invitation: setupToken });
  if (first.status !== 201) throw new Error(`the first admin could not sign up: ${first.status}`);
  const admin = await openPage(browser, { url: app.url });
  await signIn(admin.page, adminName);
  const invitation = await apiCall(admin.context, 'POST', '/invitations', { role: 'hr' });
  const account = await anonymousCall(app.url, 'POST', '/register', { username, password, invitation: invitation.body.token });
  if (account.status !== 201) throw new Error(`the HR account could not sign up: ${account.status}`);
  await admin.context.close();

  const seeding = await openPage(browser, { url: app.url });
  await signIn(seeding.page, username);
  for (const person of people) {
    const form = new FormData();
    for (const field of ['name', 'role', 'department', 'email', 'phone', 'location', 'start_date']) {
      if (person[field]) form.append(field, person[field]);
    }
    if (person.photo !== false) {
      const photo = await portrait(seeding.page, { name: 'photo.jpg', mimeType: 'image/jpeg', hue: person.hue, skin: person.skin });
      form.append('image', new Blob([photo.buffer], { type: photo.mimeType }), photo.name);
    }
    const response = await apiCall(seeding.context, 'POST', '/employees', form);
    if (response.status !== 201) throw new Error(`seeding ${person.name} failed: ${response.status}`);
    person.id = response.body.id;
  }
  // The manager's page lists the direct reports.
  for (const person of people.filter(({ manager }) => manager)) {
    const managerId = people.find(({ name }) => name === person.manager).id;
    const response = await apiCall(seeding.context, 'PATCH', `/employees/${person.id}`, { manager_id: managerId });
    if (response.status !== 200) throw new Error(`setting ${person.name}'s manager failed: ${response.status}`);
  }
  await seeding.context.close();
  const manager = people.find(({ name }) => name === 'Priya Raman');

  const photosLoaded = (page) => page.waitForFunction(() => [...document.images].every((image) => image.complete));
  for (const { label, width, height } of views) {
    const { page, context } = await openPage(browser, { url: app.url, width, height });
    await signIn(page, username);
    await expectCards(page, listed);
    await photosLoaded(page);
    await page.screenshot({ path: `${outputDir}directory-${label}.png` });

    await page.getByRole('button', { name: 'Table' }).click();
    await expectRows(page, listed);
    await photosLoaded(page);
    await page.screenshot({ path: `${outputDir}table-${label}.png` });
    await page.getByRole('button', { name: 'Cards' }).click();
    await expectCards(page, listed);

    await page.getByRole('link', { name: manager.name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: manager.name }).waitFor();
    await page.getByRole('img', { name: `Photo of ${manager.name}` }).evaluate((image) => image.decode());
    // The reports' photos load lazily: brought into view so they are there for the full-page picture.
    await page.getByRole('list', { name: 'Direct reports' }).scrollIntoViewIfNeeded();
    await photosLoaded(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${outputDir}person-${label}.png`, fullPage: true });
    await page.getByRole('link', { name: 'Back to the directory' }).click();
    await expectCards(page, listed);

    await page.getByRole('link', { name: `Edit ${manager.name}` }).click();
    await page.getByRole('img', { name: `Current photo of ${manager.name}` }).waitFor();
    await page.waitForFunction(() => [...document.images].every((image) => image.complete));
    await page.screenshot({ path: `${outputDir}edit-form-${label}.png`, fullPage: true });

    // The import's check of a file with mistakes: every problem by line and column.
    await page.goto('/#/import');
    await page.getByRole('heading', { level: 1, name: 'Import employees' }).waitFor();
    await page.getByLabel('CSV file').setInputFiles(importFile);
    await page.getByRole('button', { name: 'Check file' }).click();
    await page.getByRole('table', { name: `Problems in ${importFile.name}` }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${outputDir}import-${label}.png`, fullPage: true });
    await context.close();
    console.log(`wrote ${outputDir}directory-${label}.png, table-${label}.png, person-${label}.png, edit-form-${label}.png and import-${label}.png`);
  }
} finally {
  await browser.close();
  await app.stop();
}
