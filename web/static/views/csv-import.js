// Importing profiles from a CSV file (#/import), for HR and admins: choose a file, Check asks the
// server for a dry run, which answers with what the import would do (so many to create, to
// update, unchanged) or with every problem by line and column; Import then does it for real, and
// the directory opens with the counts. The server writes every row or none (docs/api.md).
import { api } from '../api.js';
import { loadCapabilities } from '../capabilities.js';
import { h, announce, formAlert, clearErrors, showErrors, showFieldError, focusHeading } from '../dom.js';
import { canExchangeCsv } from '../roles.js';
import { count } from './directory-state.js';

// What the server takes (docs/api.md, POST /employees/import).
const maxFileBytes = 5 * 1024 * 1024;
const maxRows = 10_000;
export const csvColumns = ['name', 'role', 'department', 'email', 'phone', 'location', 'manager_email', 'start_date'];

function backLink(returnHash) {
  return h('a', { class: 'back-link', href: returnHash }, h('span', { 'aria-hidden': 'true' }, '←'), 'Back to the directory');
}

function message(main, returnHash, title, text) {
  document.title = `${title} · HR Directory`;
  main.replaceChildren(h('section', { class: 'import-page' }, backLink(returnHash),
    h('div', { class: 'panel' }, h('h1', {}, title), h('p', {}, text))));
  focusHeading(main);
}

/** "3 to create, 2 to update, 1 unchanged" for a dry run; "3 created, 2 updated, 1 unchanged" for an import. */
export function describeCounts({ created = 0, updated = 0, unchanged = 0 }, { dryRun }) {
  return dryRun
    ? `${count(created)} to create, ${count(updated)} to update, ${count(unchanged)} unchanged`
    : `${count(created)} created, ${count(updated)} updated, ${count(unchanged)} unchanged`;
}

/** "1 problem", "12 problems". */
function problems(number) {
  return `${count(number)} ${number === 1 ? 'problem' : 'problems'}`;
}

/** "4.2 MB" */
function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Where in the file a problem is: its line (the header is line 1), or the whole file when the server names none. */
function problemPlace(line) {
  if (!Number.isInteger(line)) return 'Whole file';
  // "Line" is the column's heading; a phone, which lays each problem out on its own, shows it in the cell.
  return [h('span', { class: 'problem-label' }, 'Line '), count(line), line === 1 ? ' (header)' : null];
}

/**
 * The column a problem names: the server says `file` for the file as a whole and `row` for a
 * row's shape, which are no column of it (but in the header row every name is a column's).
 */
function problemColumn(field, line) {
  if (!field || ((field === 'file' || field === 'row') && line !== 1)) return '—';
  return h('code', {}, field);
}

/** A table of every problem the server found: where in the file, the column, what is wrong. */
function problemsTable(fileName, fields) {
  return h('table', { class: 'problems-table' },
    h('caption', { class: 'visually-hidden' }, `Problems in ${fileName}`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Problem'))),
    h('tbody', {}, fields.map(({ line, field, message: text }) => h('tr', {},
      h('th', { scope: 'row' }, problemPlace(line)),
      h('td', {}, problemColumn(field, line)),
      h('td', {}, sentence(text))))));
}

function sentence(text) {
  const value = String(text ?? '').trim();
  return value ? value[0].toUpperCase() + value.slice(1) : value;
}

/**
 * Renders the import screen into `main`. `onImported(result, fileName)` is called once the
 * server has imported the file; `returnHash` is the directory's address to go back to.
 */
export async function renderImport(main, { user, returnHash, onImported }) {
  document.title = 'Import employees · HR Directory';
  if (!canExchangeCsv(user)) {
    message(main, returnHash, 'Import employees', 'Only HR and administrators can import profiles.');
    return;
  }

  const fileInput = h('input', { id: 'import-file', name: 'file', type: 'file', accept: '.csv,text/csv',
    'aria-describedby': 'import-file-hint import-file-error' });
  const checkButton = h('button', { type: 'submit', class: 'button button-primary' }, 'Check file');
  const form = h('form', { class: 'import-form', novalidate: true, 'aria-labelledby': 'import-heading' },
    formAlert(),
    h('div', { class: 'field' },
      h('label', { for: 'import-file' }, 'CSV file'),
      h('p', { class: 'hint', id: 'import-file-hint' },
        `UTF-8, with a header row; at most ${count(maxRows)} rows and 5 MiB. Checking changes nothing.`),
      fileInput,
      h('p', { class: 'field-error', id: 'import-file-error', 'data-error-for': 'file', hidden: true })),
    h('div', { class: 'actions' }, checkButton));

  const resultHeading = h('h2', { id: 'import-result-heading', tabindex: '-1' });
  const resultText = h('p', { class: 'import-result-text' });
  const resultBody = h('div', { class: 'import-result-body' });
  const result = h('section', { class: 'import-result', hidden: true, 'aria-labelledby': 'import-result-heading' },
    resultHeading, resultText, resultBody);

  main.replaceChildren(h('section', { class: 'import-page' },
    backLink(returnHash),
    h('div', { class: 'panel' },
      h('h1', { id: 'import-heading' }, 'Import employees'),
      h('p', {}, 'Adds and updates profiles from a CSV file. A row whose email matches a profile updates that profile; the other rows add new ones. Every row is imported, or none.'),
      h('details', { class: 'import-columns' },
        h('summary', {}, 'Columns the file may have'),
        h('p', {}, 'Columns are found by their name in the header row, in any order. ',
          h('code', {}, 'name'), ', ', h('code', {}, 'role'), ' and ', h('code', {}, 'department'), ' are required; ',
          h('code', {}, 'email'), ', ', h('code', {}, 'phone'), ', ', h('code', {}, 'location'), ', ',
          h('code', {}, 'manager_email'), ' (the manager’s email, in the file or already in the directory) and ',
          h('code', {}, 'start_date'), ' (YYYY-MM-DD) may be left out. Any other column is refused.'),
        h('p', {}, 'The export’s header row, for a file of your own:'),
        h('pre', { class: 'csv-header' }, h('code', {}, csvColumns.join(',')))),
      form),
    result));
  focusHeading(main);

  const capabilities = await loadCapabilities();
  if (!main.isConnected) return;
  if (!capabilities.csvImport) {
    message(main, returnHash, 'Import employees', 'This server does not import CSV files.');
    return;
  }

  // The file last checked without problems: Import sends that one.
  let checked = null;
  let busy = false;

  function hideResult() {
    checked = null;
    result.hidden = true;
    resultBody.replaceChildren();
  }

  /** Shows the outcome under the form and moves focus to it; `announcement` goes to screen readers. */
  function showResult({ title, text, body = [], announcement, isProblem = false }) {
    resultHeading.textContent = title;
    resultText.textContent = text;
    resultBody.replaceChildren(...body);
    result.classList.toggle('has-problems', isProblem);
    result.hidden = false;
    resultHeading.focus();
    announce(announcement);
  }

  function showProblems(file, error, { dryRun }) {
    const fields = error.fields.length > 0 ? error.fields : [{ field: null, message: error.message }];
    const nothing = dryRun ? 'Nothing has been imported. Correct the file and check it again.' : 'Nothing was imported. Correct the file and check it again.';
    showResult({
      title: `${file.name} has ${problems(fields.length)}`,
      text: nothing,
      body: [h('div', { class: 'problems-scroll' }, problemsTable(file.name, fields))],
      announcement: `${file.name} has ${problems(fields.length)}. ${nothing}`,
      isProblem: true,
    });
  }

  /** A refusal that is not about the rows (too large, a role, a type): in the form's alert. */
  function showRefusal(error) {
    hideResult();
    if (error.code === 'payload_too_large') {
      const target = showFieldError(form, 'file', `${sentence(error.message).replace(/\.$/, '')}. The most a file may hold is 5 MiB.`);
      target.focus();
      return;
    }
    showErrors(form, error);
  }

  async function send(file, { dryRun }) {
    busy = true;
    checkButton.disabled = true;
    form.setAttribute('aria-busy', 'true');
    result.setAttribute('aria-busy', 'true');
    try {
      return await api.importEmployees(file, { dryRun });
    } finally {
      busy = false;
      checkButton.disabled = false;
      form.removeAttribute('aria-busy');
      result.removeAttribute('aria-busy');
    }
  }

  fileInput.addEventListener('change', () => {
    clearErrors(form);
    hideResult();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors(form);
    hideResult();
    const file = fileInput.files[0];
    if (!file) {
      showFieldError(form, 'file', 'Choose a CSV file first.').focus();
      return;
    }
    if (file.size > maxFileBytes) {
      showFieldError(form, 'file', `${file.name} is ${megabytes(file.size)}; the most a file may hold is 5 MiB. Split it into smaller files.`).focus();
      return;
    }
    try {
      const counts = await send(file, { dryRun: true });
      if (counts.created + counts.updated + counts.unchanged === 0) {
        showResult({ title: `${file.name} has no rows to import`, text: 'It has a header row and nothing under it.',
          announcement: `${file.name} has no rows to import.`, isProblem: true });
        return;
      }
      checked = file;
      const importButton = h('button', { type: 'button', class: 'button button-primary' }, `Import ${file.name}`);
      importButton.addEventListener('click', () => importChecked(importButton));
      const text = `${sentence(describeCounts(counts, { dryRun: true }))}.`;
      showResult({
        title: `${file.name} is ready to import`,
        text,
        body: [h('div', { class: 'actions' }, importButton)],
        announcement: `${file.name} is ready to import: ${text}`,
      });
    } catch (error) {
      if (error.code === 'import_invalid') showProblems(file, error, { dryRun: true });
      else showRefusal(error);
    }
  });

  async function importChecked(importButton) {
    if (busy || !checked) return;
    const file = checked;
    importButton.disabled = true;
    try {
      const counts = await send(file, { dryRun: false });
      onImported(counts, file.name);
    } catch (error) {
      importButton.disabled = false;
      // The directory may have changed since the check (an email taken meanwhile): the problems again.
      if (error.code === 'import_invalid') showProblems(file, error, { dryRun: false });
      else showRefusal(error);
    }
  }
}
