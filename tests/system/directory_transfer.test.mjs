// The directory as a spreadsheet file (docs/openapi.json: GET /employees.csv and POST
// /employees/import), on both engines:
//  * a round trip: a dozen profiles with every field (formula-like, accented, CJK and quoted
//    text, managers in chains up to five deep with siblings, one without email) exported,
//    imported into a fresh directory of another instance, found there with the same fields and
//    managers under new ids, and exported again to the same bytes;
//  * the guard apostrophe before cells a spreadsheet would run (= + - @), and only there;
//  * all or nothing: one bad row among good ones writes nothing and names its line and field,
//    and every problem of a file comes back at once, dry run or not;
//  * updates by email in any case, unchanged rows, absent columns and empty cells, dry-run
//    counts equal to the real import's, one audit entry per profile changed;
//  * roles, the 10,000-row and 5 MiB bounds, media types, dry_run's values, an empty file, an
//    unclosed quote, a BOM with LF line ends;
//  * the export's filters and sort, as GET /employees applies them.
// Stored text holds no control characters (a tab or CR is refused or trimmed as space), so the
// tab and CR guards have no cell to appear in: only = + - @ are exercised here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { firstAdmin, userWithRole } from './lib/accounts.mjs';
import { startApp } from './lib/app.mjs';
import { assertError } from './lib/assertions.mjs';
import { png } from './lib/images.mjs';
import { linksOf, listAll } from './lib/listing.mjs';

const headerLine = 'name,role,department,email,phone,location,manager_email,start_date';
const columns = headerLine.split(',');
const optional = ['email', 'phone', 'location', 'start_date'];

// --- CSV as the tests read and write it ------------------------------------------------------

/**
 * The records of an RFC 4180 file, strictly: every record ends with CRLF (the last one too),
 * a quote only opens a cell and `""` is a quote inside one. Throws on anything else.
 */
function parseCsv(text) {
  const records = [];
  let i = 0;
  while (i < text.length) {
    const record = [];
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i += 1;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote < 0) throw new Error(`an unclosed quoted cell at offset ${i}`);
          cell += text.slice(i, quote);
          if (text[quote + 1] === '"') {
            cell += '"';
            i = quote + 2;
          } else {
            i = quote + 1;
            break;
          }
        }
      } else {
        const plain = /[^,\r\n"]*/y;
        plain.lastIndex = i;
        cell = plain.exec(text)[0];
        i += cell.length;
      }
      record.push(cell);
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      if (text.startsWith('\r\n', i)) {
        i += 2;
        break;
      }
      throw new Error(`expected a comma or CRLF at offset ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
    }
    records.push(record);
  }
  return records;
}

const csvCell = (value) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
/** A file of `rows` (arrays of cells), each line ended by `eol`. */
const csvFile = (rows, eol = '\r\n') => rows.map((row) => row.map(csvCell).join(',')).join(eol) + eol;

/** A cell as the export must write `value`: one more apostrophe when a spreadsheet would run it. */
const guarded = (value) => (/^'*[=+\-@\t\r]/.test(value) ? `'${value}` : value);

// --- Requests ----------------------------------------------------------------------------------

/** POST /employees/import of `text`, as `contentType` (null: no Content-Type at all). */
function importCsv(client, text, query = '', contentType = 'text/csv') {
  // Bytes, so that fetch adds no Content-Type of its own.
  const headers = contentType === null ? {} : { 'content-type': contentType };
  return client.post(`/employees/import${query}`, { body: Buffer.from(text), headers });
}

/** GET /employees.csv: checks status and headers, returns the reply. */
async function exportCsv(client, query = '') {
  const reply = await client.get(`/employees.csv${query}`);
  assert.equal(reply.status, 200, `GET /employees.csv${query}: ${reply}`);
  assert.equal(reply.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(reply.headers.get('content-disposition'), 'attachment; filename="employees.csv"');
  assert.equal(reply.headers.get('cache-control'), 'no-store');
  assert.ok(reply.text.startsWith(`${headerLine}\r\n`), `the header row first: ${JSON.stringify(reply.text.slice(0, 100))}`);
  return reply;
}

/** The data records of an export (the header row checked and dropped). */
function exportedRows(reply) {
  const [header, ...rows] = parseCsv(reply.text);
  assert.deepEqual(header, columns);
  for (const row of rows) assert.equal(row.length, columns.length, `a row of ${columns.length} cells: ${JSON.stringify(row)}`);
  return rows;
}

/** The row the export must write for `profile`, whose manager is found in `byId`. */
function expectedRow(profile, byId) {
  const manager = profile.manager_id === null ? undefined : byId.get(profile.manager_id);
  if (profile.manager_id !== null) assert.ok(manager, `the manager of ${profile.name} is listed`);
  return [
    profile.name,
    profile.role,
    profile.department,
    profile.email ?? '',
    profile.phone ?? '',
    profile.location ?? '',
    manager?.email ?? '',
    profile.start_date ?? '',
  ].map(guarded);
}

async function newestAuditId(admin) {
  const reply = await admin.get('/audit?limit=1');
  assert.equal(reply.status, 200, `${reply}`);
  return reply.body[0]?.id ?? 0;
}

/** The audit rows after `afterId`, oldest first. */
async function auditSince(admin, afterId) {
  const rows = [];
  let next = '/audit?limit=200';
  while (next) {
    const reply = await admin.get(next);
    assert.equal(reply.status, 200, `${reply}`);
    rows.push(...reply.body.filter((row) => row.id > afterId));
    if (reply.body.some((row) => row.id <= afterId)) break;
    next = linksOf(reply).next;
  }
  return rows.reverse();
}

/** `line:field` strings in the order of the file, then by field. */
const byLineThenField = (list) =>
  [...list].sort((a, b) => {
    const [lineA, fieldA] = a.split(':');
    const [lineB, fieldB] = b.split(':');
    return (Number(lineA) || 0) - (Number(lineB) || 0) || fieldA.localeCompare(fieldB);
  });

/** The problems of an import_invalid reply as sorted `line:field` strings (`-` without a line). */
function problems(reply) {
  const body = assertError(reply, 400, 'import_invalid');
  assert.ok(Array.isArray(body.fields) && body.fields.length > 0, `import_invalid lists its problems: ${reply}`);
  for (const f of body.fields) assert.ok(typeof f.message === 'string' && f.message.length > 0, `each problem says what is wrong: ${JSON.stringify(f)}`);
  return byLineThenField(body.fields.map((f) => `${f.line ?? '-'}:${f.field}`));
}

const apps = [];
async function instance() {
  const app = await startApp();
  apps.push(app);
  const admin = await firstAdmin(app);
  const hr = await userWithRole(app, admin, 'hr');
  return { app, admin, hr };
}

after(async () => {
  for (const app of apps) {
    assert.deepEqual(app.requestLogs.filter((entry) => entry.status >= 500), [], 'no request was answered with a 5xx');
    assert.equal(await app.stop(), 0);
  }
});

// --- The round trip ----------------------------------------------------------------------------

// Created in this order (managers first). Managers: ada → formula → zoe → sum (four levels) with
// siblings at each; smith → li → greek; cyr and bare have none. `noemail` cannot be named as a
// manager in a file, so it manages nobody.
const people = [
  { key: 'ada', name: 'Ada Lovelace', role: 'Chief Engineer', department: 'Engineering', email: 'ada@example.com', phone: '+44 20 7946 0000', location: 'London', start_date: '2015-12-10', photo: true },
  { key: 'formula', manager: 'ada', name: "=cmd|' /C calc'!A0", role: '-5', department: '@x', email: 'formula@example.com', phone: '+1 555 0100', location: '=HYPERLINK("http://example.com","click")', start_date: '2019-07-01' },
  { key: 'smith', manager: 'ada', name: 'Smith, John "Jack"', role: 'Engineer, Platform', department: 'Engineering', email: 'jack.smith@example.com', phone: '(020) 7946-0001 ext. 12', location: 'Paris, "La Défense"', start_date: '2020-02-29' },
  { key: 'noemail', manager: 'ada', name: 'Nemo Without Email', role: 'Contractor', department: 'Engineering', phone: '12345', location: 'Remote' },
  { key: 'zoe', manager: 'formula', name: 'Zoë Ölz-Álvarez', role: 'Ingénieure', department: 'Équipe', email: 'zoe@example.com', phone: '+33 1 23 45 67 89', location: 'Zürich', start_date: '2021-03-01' },
  { key: 'yamada', manager: 'formula', name: '山田 太郎', role: '技師', department: '開発', email: 'yamada@example.jp', phone: '03-1234-5678', location: '東京', start_date: '2023-04-01' },
  { key: 'li', manager: 'smith', name: '李小龙', role: 'Analyst', department: 'Engineering', email: 'li@example.com', phone: '+86 10 1234 5678', location: '北京', start_date: '2022-11-30' },
  { key: 'sum', manager: 'zoe', name: "'=SUM(A1:A9)", role: '+Intern', department: '-Ops', email: '+sum@example.com', phone: '555-0199', location: "'@home", start_date: '2024-01-15' },
  { key: 'obrien', manager: 'zoe', name: "'Tis O'Brien", role: "Writer's aide", department: "'quoted'", email: '-obrien@example.com', phone: '+353 1 234 5678', location: '@Dublin', start_date: '2018-05-05' },
  { key: 'apos', manager: 'sum', name: "''@double", role: 'Staff', department: 'Sales', email: 'double@example.com', location: 'Rome; "Centro"' },
  { key: 'greek', manager: 'li', name: 'ΟΔΥΣΣΕΥΣ', role: 'Ναύαρχος', department: 'Sales', email: 'odysseus@example.gr', phone: '+30 21 0123 4567', location: 'Ιθάκη', start_date: '2017-06-30' },
  { key: 'cyr', name: 'Алексей', role: 'Sales; EMEA', department: 'Sales', email: 'alexei@example.com', phone: '8 (495) 123-45-67', location: 'Москва', start_date: '2019-07-01' },
  { key: 'bare', name: 'Bare Minimum', role: 'Staff', department: 'Sales' },
];

describe('export, then import into an empty directory', () => {
  let source; // { app, admin, hr }
  let target;
  const ids = new Map(); // key → id in the source
  let sourceList; // GET /employees of the source, by name
  let exported; // the source's export (Reply)

  before(async () => {
    source = await instance();
    target = await instance();
    for (const { key, manager, photo, ...fields } of people) {
      const form = { ...fields };
      if (manager) form.manager_id = String(ids.get(manager));
      if (photo) form.image = { bytes: png({ width: 8, height: 8 }), filename: 'ada.png', type: 'image/png' };
      const reply = await source.hr.createEmployee(form);
      assert.equal(reply.status, 201, `${fields.name}: ${reply}`);
      ids.set(key, reply.body.id);
    }
    sourceList = await listAll(source.hr, 'sort=name');
    assert.equal(sourceList.length, people.length);
    exported = await exportCsv(source.hr);
  });

  test('the export is the list in name order: one CRLF row per profile, managers by email, fields as stored', async () => {
    const byId = new Map(sourceList.map((p) => [p.id, p]));
    assert.deepEqual(exportedRows(exported), sourceList.map((p) => expectedRow(p, byId)));
    // No bare LF or CR outside a quoted cell, and a CRLF after the last row (parseCsv insists).
    assert.ok(exported.text.endsWith('\r\n'));
    const byAdmin = await exportCsv(source.admin);
    assert.ok(byAdmin.bytes.equals(exported.bytes), 'the admin gets the same bytes');
  });

  test('cells a spreadsheet would run get exactly one leading apostrophe, other cells none', () => {
    const rows = exportedRows(exported);
    const rowOf = (key) => {
      const name = people.find((p) => p.key === key).name;
      const found = rows.filter((row) => row[0] === guarded(name));
      assert.equal(found.length, 1, `one row for ${name}`);
      return Object.fromEntries(columns.map((c, i) => [c, found[0][i]]));
    };
    assert.deepEqual(rowOf('formula'), {
      name: "'=cmd|' /C calc'!A0",
      role: "'-5",
      department: "'@x",
      email: 'formula@example.com',
      phone: "'+1 555 0100",
      location: `'=HYPERLINK("http://example.com","click")`,
      manager_email: 'ada@example.com',
      start_date: '2019-07-01',
    });
    assert.deepEqual(rowOf('sum'), {
      name: "''=SUM(A1:A9)",
      role: "'+Intern",
      department: "'-Ops",
      email: "'+sum@example.com",
      phone: '555-0199',
      location: "''@home",
      manager_email: 'zoe@example.com',
      start_date: '2024-01-15',
    });
    assert.deepEqual(rowOf('obrien'), {
      name: "'Tis O'Brien",
      role: "Writer's aide",
      department: "'quoted'",
      email: "'-obrien@example.com",
      phone: "'+353 1 234 5678",
      location: "'@Dublin",
      manager_email: 'zoe@example.com',
      start_date: '2018-05-05',
    });
    assert.equal(rowOf('apos').name, "'''@double");
    assert.equal(rowOf('apos').manager_email, "'+sum@example.com", 'a manager_email cell is guarded too');
    assert.deepEqual(rowOf('noemail'), {
      name: 'Nemo Without Email',
      role: 'Contractor',
      department: 'Engineering',
      email: '',
      phone: '12345',
      location: 'Remote',
      manager_email: 'ada@example.com',
      start_date: '',
    });
    // Every cell: guarded exactly when its text starts (after apostrophes) with = + - @.
    const byName = new Map(sourceList.map((p) => [guarded(p.name), p]));
    for (const row of rows) {
      const profile = byName.get(row[0]);
      for (const [i, column] of columns.entries()) {
        if (column === 'manager_email' || row[i] === '') continue;
        const stored = profile[column];
        if (/^'*[=+\-@]/.test(stored)) assert.equal(row[i], `'${stored}`, `${column} of ${profile.name} guarded once`);
        else assert.equal(row[i], stored, `${column} of ${profile.name} not guarded`);
      }
    }
  });

  test('the file imported into an empty directory makes the same people and managers under new ids, and exports to the same bytes', async () => {
    const { admin, hr } = target;
    assert.deepEqual(await listAll(hr), [], 'the second directory starts empty');
    const auditStart = await newestAuditId(admin);

    const dryRun = await importCsv(hr, exported.text, '?dry_run=true');
    assert.equal(dryRun.status, 200, `${dryRun}`);
    assert.deepEqual(dryRun.body, { dry_run: true, created: people.length, updated: 0, unchanged: 0 });
    assert.deepEqual(await listAll(hr), [], 'a dry run writes nothing');
    assert.equal(await newestAuditId(admin), auditStart, 'a dry run audits nothing');

    const imported = await importCsv(hr, exported.text);
    assert.equal(imported.status, 200, `${imported}`);
    assert.deepEqual(imported.body, { dry_run: false, created: people.length, updated: 0, unchanged: 0 });

    const targetList = await listAll(hr, 'sort=name');
    assert.equal(targetList.length, people.length);
    const sourceById = new Map(sourceList.map((p) => [p.id, p]));
    const targetById = new Map(targetList.map((p) => [p.id, p]));
    const fields = ['name', 'role', 'department', ...optional];
    const pick = (p, byId) => ({
      ...Object.fromEntries(fields.map((f) => [f, p[f]])),
      manager: p.manager_id === null ? null : (byId.get(p.manager_id)?.email ?? `missing #${p.manager_id}`),
    });
    assert.deepEqual(
      targetList.map((p) => pick(p, targetById)),
      sourceList.map((p) => pick(p, sourceById)),
      'the same people, fields and managers (by email), in the same name order',
    );
    for (const p of targetList) {
      assert.equal(p.user_id, hr.user.id, `${p.name} was created by the importing account`);
      assert.equal(p.image_url, null, `${p.name}: photos are not imported`);
      assert.equal(p.account_id, null);
    }
    assert.equal(targetList.find((p) => p.name === "'=SUM(A1:A9)")?.location, "'@home", 'the guard is taken away, and only it');
    assert.equal(targetList.find((p) => p.name === "''@double")?.manager_id, targetList.find((p) => p.email === '+sum@example.com')?.id);

    // One employee.create per profile, by the importer, with what it was created with; nothing else.
    const rows = (await auditSince(admin, auditStart)).filter((r) => r.action.startsWith('employee.'));
    assert.deepEqual(rows.map((r) => r.action), targetList.map(() => 'employee.create'), JSON.stringify(rows, null, 1));
    assert.deepEqual(rows.map((r) => r.target).sort(), targetList.map((p) => `employee:${p.id}`).sort(), 'one entry per profile');
    for (const row of rows) {
      const profile = targetById.get(Number(row.target.split(':')[1]));
      assert.deepEqual(row.actor, { id: hr.user.id, username: hr.user.username });
      assert.deepEqual(row.changes.name, { to: profile.name });
      if (profile.manager_id !== null) assert.deepEqual(row.changes.manager_id, { to: profile.manager_id }, `the entry of ${profile.name} names its manager`);
    }

    const again = await exportCsv(hr);
    assert.equal(again.text, exported.text);
    assert.ok(again.bytes.equals(exported.bytes), 'the second directory exports the same bytes');

    // The same file again: the rows with an email are those profiles, unchanged; the one
    // without an email can only be created again.
    const repeat = await importCsv(hr, exported.text, '?dry_run=true');
    assert.equal(repeat.status, 200, `${repeat}`);
    const withoutEmail = people.filter((p) => !p.email).length;
    assert.deepEqual(repeat.body, { dry_run: true, created: withoutEmail, updated: 0, unchanged: people.length - withoutEmail });
  });

  describe('the export takes the list\'s filters and sort', () => {
    const names = (rows) => rows.map((row) => row[0]);
    const expectedNames = (list) => list.map((p) => guarded(p.name));

    test('department, q, manager_id and sort=-name select and order as GET /employees does', async () => {
      const { hr } = source;
      for (const query of ['department=Engineering', 'department=Sales&sort=-name', 'q=lovelace', 'q=example.com', `manager_id=${ids.get('formula')}`, 'sort=-name', 'sort=start_date', 'sort=department', 'sort=-created']) {
        const listed = await listAll(hr, query);
        const rows = exportedRows(await exportCsv(hr, `?${query}`));
        assert.deepEqual(names(rows), expectedNames(listed), `?${query}`);
      }
      assert.deepEqual(names(exportedRows(await exportCsv(hr, '?department=Engineering'))).sort(), people.filter((p) => p.department === 'Engineering').map((p) => guarded(p.name)).sort());
      assert.deepEqual(names(exportedRows(await exportCsv(hr, '?q=lovelace'))), ['Ada Lovelace']);
      assert.deepEqual(names(exportedRows(await exportCsv(hr, `?manager_id=${ids.get('formula')}`))).sort(), [guarded('Zoë Ölz-Álvarez'), '山田 太郎'].sort());
      const byName = names(exportedRows(exported));
      assert.deepEqual(names(exportedRows(await exportCsv(hr, '?sort=-name'))), [...byName].reverse());
      // A manager outside the filter is still named by email.
      const [reportRow] = exportedRows(await exportCsv(hr, '?q=Ναύαρχος'));
      assert.equal(reportRow?.[6], 'li@example.com');
      // Nothing matches: the header alone.
      assert.equal((await exportCsv(hr, '?department=Nowhere')).text, `${headerLine}\r\n`);
    });

    test('a bad filter or sort is 400 naming it', async () => {
      const { hr } = source;
      assertError(await hr.get('/employees.csv?sort=salary'), 400, 'bad_request', ['sort']);
      assertError(await hr.get('/employees.csv?manager_id=abc'), 400, 'bad_request', ['manager_id']);
    });
  });
});

// --- All or nothing, every problem at once -----------------------------------------------------

describe('import: problems, updates, counts and audit', () => {
  let checks; // { app, admin, hr }
  const existing = new Map(); // email → profile

  before(async () => {
    checks = await instance();
    const make = async (fields) => {
      const reply = await checks.hr.createEmployee(fields);
      assert.equal(reply.status, 201, `${fields.name}: ${reply}`);
      existing.set(fields.email, reply.body);
      return reply.body;
    };
    const boss = await make({ name: 'Existing Boss', role: 'Director', department: 'Admin', email: 'boss@example.com' });
    await make({ name: 'Keeper', role: 'Clerk', department: 'Admin', email: 'keeper@example.com', phone: '+49 30 1234567', location: 'Berlin', start_date: '2018-03-01', manager_id: String(boss.id) });
    await make({ name: 'Steady', role: 'Clerk', department: 'Admin', email: 'steady@example.com', phone: '040 123456', location: 'Hamburg' });
    await make({ name: 'Clearable', role: 'Clerk', department: 'Admin', email: 'clear@example.com', phone: '089 654321', location: 'München', start_date: '2016-09-01', manager_id: String(boss.id) });
  });

  // The file's own check folds ASCII case; the database decides for the rest of Unicode
  // (PostgreSQL's lower() folds É to é, SQLite's only A-Z), and the import follows it: two rows
  // that would write one profile are a problem, never two writes to it.
  test('two rows whose emails the database takes for one profile: a problem on the second, nothing written', async () => {
    const { hr } = checks;
    const before = await listAll(hr, 'sort=created');
    const file = csvFile([
      ['name', 'role', 'department', 'email'],
      ['Éva First', 'Clerk', 'Cases', 'Éva@example.com'],
      ['Éva Second', 'Clerk', 'Cases', 'éva@example.com'],
    ]);
    const reply = await importCsv(hr, file, '?dry_run=true');
    if (process.env.HRAPP_DB === 'postgres') {
      assert.deepEqual(problems(reply), ['3:email']);
      assert.match(reply.body.fields[0].message, /line 2/);
      assert.deepEqual(problems(await importCsv(hr, file)), ['3:email']);
    } else {
      assert.deepEqual(reply.body, { dry_run: true, created: 2, updated: 0, unchanged: 0 }, `${reply}`);
    }
    assert.deepEqual(await listAll(hr, 'sort=created'), before, 'nothing was written');
  });

  test('one bad row among good ones: 400 naming its line and field, and nothing is written', async () => {
    const { admin, hr } = checks;
    const before = await listAll(hr, 'sort=created');
    const auditStart = await newestAuditId(admin);
    const file = csvFile([
      ['name', 'role', 'department', 'email', 'manager_email', 'start_date'],
      ['Keeper', 'Senior Clerk', 'Admin', 'keeper@example.com', 'boss@example.com', '2018-03-01'],
      ['New Hire', 'Engineer', 'Engineering', 'new.hire@example.com', 'boss@example.com', '2024-05-06'],
      ['Not Leap', 'Engineer', 'Engineering', 'not.leap@example.com', '', '2023-02-29'],
      ['Another', 'Engineer', 'Engineering', 'another@example.com', 'new.hire@example.com', ''],
    ]);
    for (const query of ['', '?dry_run=false', '?dry_run=true']) {
      const reply = await importCsv(hr, file, query);
      assert.deepEqual(problems(reply), ['4:start_date'], `${query}: ${reply}`);
    }
    assert.deepEqual(await listAll(hr, 'sort=created'), before, 'no profile changed or was added');
    assert.equal(await newestAuditId(admin), auditStart, 'no audit row');
  });

  test('every bad row is reported at once, with its line and field, dry run or not', async () => {
    const { admin, hr } = checks;
    const before = await listAll(hr, 'sort=created');
    const auditStart = await newestAuditId(admin);
    const file = csvFile([
      ['name', 'role', 'department', 'email', 'manager_email', 'start_date', 'location'], // 1
      ['Good One', 'Staff', 'Sales', 'good.one@example.com', 'boss@example.com', '2020-01-01', 'Berlin'], // 2
      ['Bad Email', 'Staff', 'Sales', 'not-an-email', '', '', ''], // 3
      ['', 'Staff', 'Sales', 'no.name@example.com', '', '', ''], // 4: no name
      ['Bad Date', 'Staff', 'Sales', 'bad.date@example.com', '', '2021-02-30', ''], // 5
      ['Short Row', 'Staff', 'Sales'], // 6: 3 cells of 7
      ['Orphan', 'Staff', 'Sales', 'orphan@example.com', 'nobody@example.com', '', ''], // 7
      ['Cycle A', 'Staff', 'Sales', 'cycle.a@example.com', 'cycle.b@example.com', '', ''], // 8
      ['Cycle B', 'Staff', 'Sales', 'cycle.b@example.com', 'cycle.a@example.com', '', ''], // 9
      ['Good Again', 'Staff', 'Sales', 'GOOD.ONE@example.com', '', '', ''], // 10: line 2's email
      ['Two\r\nLines', 'Staff', 'Sales', 'two.lines@example.com', '', '', ''], // 11–12: a control character
      ['Late Date', 'Staff', 'Sales', 'late@example.com', '', '2020-13-01', ''], // 13
      ['Self Managed', 'Staff', 'Sales', 'self@example.com', 'SELF@example.com', '', ''], // 14
      ['Good Two', 'Staff', 'Sales', 'good.two@example.com', 'Keeper@Example.com', '', 'Kiel'], // 15
    ]);
    const expected = ['3:email', '4:name', '5:start_date', '6:*', '7:manager_email', '10:email', '11:name', '13:start_date', '14:manager_email'];
    for (const query of ['?dry_run=true', '']) {
      const reply = await importCsv(hr, file, query);
      // The short row's problem is the row's, whatever the field is called. The 2-cycle is a
      // problem on the manager_email of one of its rows (the later one when none is named), or
      // of both.
      const found = byLineThenField(problems(reply).map((p) => (p.startsWith('6:') ? '6:*' : p)));
      const cycle = found.filter((p) => p === '8:manager_email' || p === '9:manager_email');
      const withCycle = [...expected, ...(cycle.length ? cycle : ['9:manager_email'])];
      assert.deepEqual(found, byLineThenField(withCycle), `every problem of the file, ${query || 'not a dry run'}: ${reply}`);
    }
    assert.deepEqual(await listAll(hr, 'sort=created'), before, 'nothing was written');
    assert.equal(await newestAuditId(admin), auditStart, 'no audit row');
  });

  test('manager problems alone: an unknown email, the profile itself, a cycle with the directory', async () => {
    const { hr } = checks;
    // boss@example.com manages Keeper: making Keeper the boss's manager closes a cycle.
    const file = csvFile([
      ['name', 'role', 'department', 'email', 'manager_email'],
      ['Existing Boss', 'Director', 'Admin', 'boss@example.com', 'keeper@example.com'],
      ['Orphan', 'Staff', 'Sales', 'orphan@example.com', 'nobody@example.com'],
      ['Self Managed', 'Staff', 'Sales', 'self@example.com', 'self@example.com'],
    ]);
    assert.deepEqual(problems(await importCsv(hr, file, '?dry_run=true')), ['2:manager_email', '3:manager_email', '4:manager_email']);
  });

  test('the header: columns in any case, unknown and doubled columns, required ones missing', async () => {
    const { hr } = checks;
    assert.deepEqual(problems(await importCsv(hr, 'Name,ROLE,Department,salary,nAmE\r\nA,b,c,d,e\r\n', '?dry_run=true')), ['1:name', '1:salary']);
    assert.deepEqual(problems(await importCsv(hr, 'role,department\r\nb,c\r\n', '?dry_run=true')).map((p) => p.replace(/^[^:]*:/, '')), ['name']);
  });

  test('updates by email in any case, unchanged rows, absent columns kept, empty cells cleared; dry-run counts are the real ones; one audit entry per profile changed', async () => {
    const { admin, hr } = checks;
    const keeper = existing.get('keeper@example.com');
    const steady = existing.get('steady@example.com');
    const boss = existing.get('boss@example.com');
    const auditStart = await newestAuditId(admin);
    const before = await listAll(hr, 'sort=created');

    // Columns in another order and case; no phone, start_date or manager_email column.
    const file = csvFile([
      ['EMAIL', 'Name', 'Department', 'Role', 'Location'],
      ['KEEPER@Example.com', 'Keeper', 'Admin', 'Senior Clerk', ''],
      ['steady@example.com', 'Steady', 'Admin', 'Clerk', 'Hamburg'],
      ['fresh@example.com', 'Fresh Face', 'Admin', 'Clerk', 'Kiel'],
    ]);
    const dryRun = await importCsv(hr, file, '?dry_run=true');
    assert.equal(dryRun.status, 200, `${dryRun}`);
    assert.deepEqual(dryRun.body, { dry_run: true, created: 1, updated: 1, unchanged: 1 });
    assert.deepEqual(await listAll(hr, 'sort=created'), before, 'a dry run writes nothing');
    assert.equal(await newestAuditId(admin), auditStart, 'a dry run audits nothing');

    const real = await importCsv(hr, file);
    assert.equal(real.status, 200, `${real}`);
    assert.deepEqual(real.body, { dry_run: false, created: 1, updated: 1, unchanged: 1 });

    const after = new Map((await listAll(hr, 'sort=created')).map((p) => [p.id, p]));
    const keeperNow = after.get(keeper.id);
    assert.deepEqual(
      { ...keeperNow, updated_at: undefined },
      { ...keeper, email: 'KEEPER@Example.com', role: 'Senior Clerk', location: null, updated_at: undefined },
      'the matched profile took the file\'s columns (an empty location cleared), and kept its phone, start date and manager',
    );
    assert.notEqual(keeperNow.updated_at, keeper.updated_at);
    assert.deepEqual(after.get(steady.id), steady, 'an unchanged row leaves its profile as it was');
    const fresh = [...after.values()].filter((p) => p.email === 'fresh@example.com');
    assert.equal(fresh.length, 1);
    assert.deepEqual(
      { name: fresh[0].name, role: fresh[0].role, department: fresh[0].department, location: fresh[0].location, phone: fresh[0].phone, start_date: fresh[0].start_date, manager_id: fresh[0].manager_id, user_id: fresh[0].user_id },
      { name: 'Fresh Face', role: 'Clerk', department: 'Admin', location: 'Kiel', phone: null, start_date: null, manager_id: null, user_id: hr.user.id },
    );
    assert.equal(after.size, before.length + 1);

    let rows = (await auditSince(admin, auditStart)).filter((r) => r.action.startsWith('employee.'));
    assert.deepEqual(rows.map((r) => `${r.action} ${r.target}`).sort(), [`employee.create employee:${fresh[0].id}`, `employee.update employee:${keeper.id}`].sort(), JSON.stringify(rows, null, 1));
    for (const row of rows) assert.deepEqual(row.actor, { id: hr.user.id, username: hr.user.username });
    const update = rows.find((r) => r.action === 'employee.update');
    assert.deepEqual(update.changes.role, { from: 'Clerk', to: 'Senior Clerk' });
    assert.deepEqual(update.changes.location, { from: 'Berlin', to: null });
    for (const same of ['name', 'department', 'phone', 'start_date', 'manager_id']) assert.equal(update.changes[same], undefined, `${same} did not change`);

    // The same file again: every row matches and changes nothing.
    let auditMark = await newestAuditId(admin);
    for (const query of ['?dry_run=true', '']) {
      const reply = await importCsv(hr, file, query);
      assert.equal(reply.status, 200, `${reply}`);
      assert.deepEqual(reply.body, { dry_run: query !== '', created: 0, updated: 0, unchanged: 3 });
    }
    assert.equal(await newestAuditId(admin), auditMark, 'unchanged rows write no audit entry');

    // Empty cells clear phone, start date and manager; the absent location stays; a manager
    // named by an email in another case is found.
    const clear = existing.get('clear@example.com');
    const clearing = csvFile([
      ['email', 'name', 'role', 'department', 'phone', 'start_date', 'manager_email'],
      ['clear@example.com', 'Clearable', 'Clerk', 'Admin', '', '', ''],
      ['fresh@example.com', 'Fresh Face', 'Clerk', 'Admin', "'+49 431 1234", '2025-01-02', 'BOSS@EXAMPLE.COM'],
    ]);
    auditMark = await newestAuditId(admin);
    const clearDry = await importCsv(hr, clearing, '?dry_run=true');
    assert.equal(clearDry.status, 200, `${clearDry}`);
    assert.deepEqual(clearDry.body, { dry_run: true, created: 0, updated: 2, unchanged: 0 });
    const cleared = await importCsv(hr, clearing);
    assert.equal(cleared.status, 200, `${cleared}`);
    assert.deepEqual(cleared.body, { dry_run: false, created: 0, updated: 2, unchanged: 0 });
    const clearNow = (await hr.get(`/employees/${clear.id}`)).body;
    assert.deepEqual(
      { phone: clearNow.phone, start_date: clearNow.start_date, manager_id: clearNow.manager_id, location: clearNow.location, name: clearNow.name },
      { phone: null, start_date: null, manager_id: null, location: 'München', name: 'Clearable' },
    );
    const freshNow = (await hr.get(`/employees/${fresh[0].id}`)).body;
    assert.deepEqual(
      { phone: freshNow.phone, start_date: freshNow.start_date, manager_id: freshNow.manager_id, location: freshNow.location },
      { phone: '+49 431 1234', start_date: '2025-01-02', manager_id: boss.id, location: 'Kiel' },
      'the guard apostrophe is taken off the phone; the manager is found in any case',
    );
    rows = (await auditSince(admin, auditMark)).filter((r) => r.action.startsWith('employee.'));
    assert.deepEqual(rows.map((r) => `${r.action} ${r.target}`).sort(), [`employee.update employee:${clear.id}`, `employee.update employee:${fresh[0].id}`].sort(), JSON.stringify(rows, null, 1));
    const clearUpdate = rows.find((r) => r.target === `employee:${clear.id}`);
    assert.deepEqual(clearUpdate.changes.phone, { from: '089 654321', to: null });
    assert.deepEqual(clearUpdate.changes.manager_id, { from: boss.id, to: null });
    assert.equal(clearUpdate.changes.location, undefined, 'an absent column changes nothing');
  });
});

// --- Roles and bounds ---------------------------------------------------------------------------

describe('import and export: roles and bounds', () => {
  let bounds; // { app, admin, hr }

  before(async () => {
    bounds = await instance();
  });

  test('a member gets 403 role_required on both, and no session 401', async () => {
    const { app, hr } = bounds;
    const member = app.client();
    await member.signUp('member');
    assertError(await member.get('/employees.csv'), 403, 'role_required', ['role']);
    assertError(await importCsv(member, 'name,role,department\r\nA,b,c\r\n'), 403, 'role_required', ['role']);
    assertError(await importCsv(member, 'name,role,department\r\nA,b,c\r\n', '?dry_run=true'), 403, 'role_required', ['role']);
    assertError(await app.client().get('/employees.csv'), 401, 'unauthorized');
    assertError(await importCsv(app.client(), 'name,role,department\r\nA,b,c\r\n'), 401, 'unauthorized');
    assert.deepEqual(await listAll(hr), [], 'the refused import wrote nothing');
  });

  test('media types, dry_run values, an empty file, an unclosed quote', async () => {
    const { hr } = bounds;
    const file = 'name,role,department\r\nA,b,c\r\n';
    for (const type of ['text/plain', 'application/json', 'application/csv', 'multipart/form-data; boundary=x', null]) {
      assertError(await importCsv(hr, file, '', type), 415, 'unsupported_media_type');
    }
    for (const type of ['text/csv; charset=utf-8', 'Text/CSV']) {
      const reply = await importCsv(hr, file, '?dry_run=true', type);
      assert.equal(reply.status, 200, `${type}: ${reply}`);
    }
    for (const value of ['maybe', 'TRUE', '1', '']) {
      assertError(await importCsv(hr, file, `?dry_run=${value}`), 400, 'bad_request', ['dry_run']);
    }
    assert.deepEqual(problems(await importCsv(hr, '')).map((p) => p.replace(/^[^:]*:/, '')), ['file']);
    assert.deepEqual(problems(await importCsv(hr, 'name,role,department\r\nA,b,c\r\n"B,c,d\r\nC,d,e\r\n')), ['3:file']);
    assert.deepEqual(await listAll(hr), [], 'nothing was written');
  });

  test('a file with a byte order mark and LF line ends', async () => {
    const { hr } = bounds;
    const reply = await importCsv(hr, '\uFEFFname,role,department,email,location\nBom Person,Staff,Sales,bom@example.com,"Oslo, Norway"\nLf Person,Staff,Sales,lf@example.com,Bergen\n');
    assert.equal(reply.status, 200, `${reply}`);
    assert.deepEqual(reply.body, { dry_run: false, created: 2, updated: 0, unchanged: 0 });
    const found = await listAll(bounds.hr);
    assert.deepEqual(
      found.map((p) => [p.name, p.email, p.location]),
      [
        ['Bom Person', 'bom@example.com', 'Oslo, Norway'],
        ['Lf Person', 'lf@example.com', 'Bergen'],
      ],
    );
  });

  test('10,001 rows are refused, naming the limit, and nothing is written', async () => {
    const { hr } = bounds;
    const start = (await hr.get('/employees?limit=1')).headers.get('x-total-count');
    const rows = [['name', 'role', 'department']];
    for (let i = 0; i < 10001; i += 1) rows.push([`Over ${String(i).padStart(5, '0')}`, 'Staff', 'Over']);
    const again = await importCsv(hr, csvFile(rows));
    assertError(again, 400, 'import_invalid', ['file']);
    const tooMany = await importCsv(hr, csvFile(rows), '?dry_run=true');
    const body = assertError(tooMany, 400, 'import_invalid', ['file']);
    assert.equal((await hr.get('/employees?limit=1')).headers.get('x-total-count'), start, 'nothing was written');
    if (body.fields[0].line !== undefined) assert.equal(body.fields[0].line, 10002, 'the first row past the limit');
    assert.match(body.fields[0].message, /\b10,?000\b/, `the problem names the limit of 10,000 rows: ${JSON.stringify(body.fields[0])}`);
    assert.doesNotMatch(body.fields[0].message, /\b10,?001\b/, `the limit is 10,000 rows: ${JSON.stringify(body.fields[0])}`);
  });

  // 10,000 rows are imported for real on both engines: about 2 s on SQLite and 7 to 14 s on
  // PostgreSQL, so neither engine is spared it.
  test('10,000 rows are imported and exported', async () => {
    const { hr } = bounds;
    const rows = [['name', 'role', 'department']];
    for (let i = 0; i < 10000; i += 1) rows.push([`Bulk ${String(i).padStart(5, '0')}`, 'Staff', 'Bulk']);
    const started = Date.now();
    const bulk = await importCsv(hr, csvFile(rows));
    assert.equal(bulk.status, 200, `${bulk}`);
    assert.deepEqual(bulk.body, { dry_run: false, created: 10000, updated: 0, unchanged: 0 });
    const seconds = (Date.now() - started) / 1000;
    assert.equal((await hr.get('/employees?limit=1&department=Bulk')).headers.get('x-total-count'), '10000', `imported in ${seconds} s`);
    const all = exportedRows(await exportCsv(hr, '?department=Bulk'));
    assert.deepEqual(all.map((row) => row[0]), rows.slice(1).map((row) => row[0]), 'the export holds all 10,000 (their names sort as the file lists them)');
  });

  test('a body of exactly 5 MiB is checked; one byte more is 413 and nothing is written', async () => {
    const { hr } = bounds;
    const start = (await hr.get('/employees?limit=1')).headers.get('x-total-count');
    // 10,000 long rows of valid CSV with new names, padded to the byte.
    const limit = 5 * 1024 * 1024;
    const big = ['name,role,department\r\n'];
    let size = big[0].length;
    for (let i = 0; i < 10000; i += 1) {
      const line = `Big ${String(i).padStart(5, '0')} ${'x'.repeat(200)},${'r'.repeat(250)},Big\r\n`;
      big.push(line);
      size += line.length;
    }
    assert.ok(size < limit);
    // The remaining bytes go into the departments of the last rows (at most 255 characters each).
    let missing = limit - size;
    for (let i = big.length - 1; missing > 0; i -= 1) {
      const add = Math.min(missing, 250);
      big[i] = big[i].replace(/,Big\r\n$/, `,Big${'d'.repeat(add)}\r\n`);
      missing -= add;
    }
    const exact = big.join('');
    assert.equal(Buffer.byteLength(exact), limit);
    const atLimit = await importCsv(hr, exact, '?dry_run=true');
    assert.equal(atLimit.status, 200, `5 MiB exactly: ${atLimit}`);
    assert.deepEqual(atLimit.body, { dry_run: true, created: 10000, updated: 0, unchanged: 0 });
    assertError(await importCsv(hr, `${exact}x`, '?dry_run=true'), 413, 'payload_too_large');
    assertError(await importCsv(hr, `${exact}x`), 413, 'payload_too_large');
    assert.equal((await hr.get('/employees?limit=1')).headers.get('x-total-count'), start, 'nothing was written');
  });
});
