// Writes docs/screenshots/*.png: the directory as cards and as a table, a person's page and the
// edit form, at desktop (laptop) and phone widths. SCREENSHOTS_DIR writes them elsewhere.
// Run by hand against a fresh app: tests/e2e/run.sh build/release/hrapp node tests/e2e/screenshots.mjs
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openPage, signUp, signIn, apiCall, expectCards, expectRows } from './lib/harness.mjs';
import { portrait } from './lib/images.mjs';

const outputDir = process.env.SCREENSHOTS_DIR ? join(process.env.SCREENSHOTS_DIR, '/')
  : fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const people = [
  { name: 'Amara Okafor', role: 'HR Business Partner', department: 'People', hue: 200, skin: '#8d5524' },
  { name: 'Lukas Schneider', role: 'Backend Engineer', department: 'Engineering', hue: 150, skin: '#f1c27d', manager: 'Priya Raman' },
  { name: 'Priya Raman', role: 'Engineering Manager', department: 'Engineering', hue: 280, skin: '#c68642',
    email: 'priya.raman@example.com', phone: '+44 20 7946 0321', location: 'London', start_date: '2021-09-06' },
  { name: 'Mateo García', role: 'Payroll Specialist', department: 'Finance', hue: 30, skin: '#e0ac69' },
  { name: 'Hana Sato', role: 'Product Designer', department: 'Design', hue: 330, skin: '#ffdbac' },
  { name: 'Noah Williams', role: 'Recruiter', department: 'People', photo: false },
  { name: 'Fatima Zahra', role: 'Data Analyst', department: 'Finance', hue: 100, skin: '#a0662f' },
  { name: 'Oliver Brown', role: 'IT Support', department: 'Engineering', photo: false, manager: 'Priya Raman' },
];
const views = [
  { label: 'desktop', width: 1280, height: 860 },
  { label: 'phone', width: 390, height: 844 },
];

const browser = await launchBrowser();
try {
  await mkdir(outputDir, { recursive: true });
  // run.sh starts a fresh app, so a fixed name is free and the pictures stay the same from run to run.
  const username = 'hr.admin';
  const seeding = await openPage(browser);
  await signUp(seeding.page, username);
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

  const photosLoaded = (page) => page.waitForFunction(() => [...document.images].every((image) => image.complete));
  for (const { label, width, height } of views) {
    const { page, context } = await openPage(browser, { width, height });
    await signIn(page, username);
    await expectCards(page, people.map(({ name }) => name));
    await photosLoaded(page);
    await page.screenshot({ path: `${outputDir}directory-${label}.png` });

    await page.getByRole('button', { name: 'Table' }).click();
    await expectRows(page, people.map(({ name }) => name));
    await photosLoaded(page);
    await page.screenshot({ path: `${outputDir}table-${label}.png` });
    await page.getByRole('button', { name: 'Cards' }).click();
    await expectCards(page, people.map(({ name }) => name));

    await page.getByRole('link', { name: people[2].name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: people[2].name }).waitFor();
    await page.getByRole('img', { name: `Photo of ${people[2].name}` }).evaluate((image) => image.decode());
    // The reports' photos load lazily: brought into view so they are there for the full-page picture.
    await page.getByRole('list', { name: 'Direct reports' }).scrollIntoViewIfNeeded();
    await photosLoaded(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${outputDir}person-${label}.png`, fullPage: true });
    await page.getByRole('link', { name: 'Back to the directory' }).click();
    await expectCards(page, people.map(({ name }) => name));

    await page.getByRole('link', { name: `Edit ${people[2].name}` }).click();
    await page.getByRole('img', { name: `Current photo of ${people[2].name}` }).waitFor();
    await page.waitForFunction(() => [...document.images].every((image) => image.complete));
    await page.screenshot({ path: `${outputDir}edit-form-${label}.png`, fullPage: true });
    await context.close();
    console.log(`wrote ${outputDir}directory-${label}.png, table-${label}.png, person-${label}.png and edit-form-${label}.png`);
  }
} finally {
  await browser.close();
}
