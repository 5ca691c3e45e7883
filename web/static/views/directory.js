// The directory: a grid of employee cards with search, a department filter and pages.
import { api } from '../api.js';
import { h, announce, avatarPlaceholder, confirmDialog, focusHeading, photoImage } from '../dom.js';
import { canChangeProfile } from '../roles.js';

const pageSize = 12;
const searchDelayMs = 300;

let lastShownHash = '#/';

/** The address of the directory as the user last saw it, to return to after a form. */
export function directoryReturnHash() {
  return lastShownHash;
}

/** Asks whether to delete the employee; resolves true only if the user confirmed. */
export function confirmDeletion(employee) {
  return confirmDialog({ title: `Delete ${employee.name}?`,
    message: 'The profile and its photo are removed for everyone. This cannot be undone.', confirmLabel: 'Delete' });
}

/** The directory's state from the address's parameters. */
function directoryState(params) {
  return { q: params.q ?? '', department: params.department ?? '', page: Math.max(1, Number.parseInt(params.page, 10) || 1) };
}

/** The list request for the state's page. */
function pageQuery({ q, department, page }) {
  return { q, department, limit: pageSize, offset: (page - 1) * pageSize };
}

// The page asked for by preloadDirectory, with the address it belongs to.
let preloaded = null;

/**
 * Asks for the directory's page that `params` name while the session is still being checked,
 * so its photos start a round trip sooner. Without a session it fails and is not used.
 */
export function preloadDirectory(params) {
  const state = directoryState(params);
  const page = api.listEmployees(pageQuery(state), { renewOn401: false });
  page.catch(() => { /* a 401: the sign-in page comes instead, and the directory asks again */ });
  preloaded = { hash: directoryHash(state), page };
}

/** The directory's state as it appears in the address: #/?q=…&department=…&page=… */
export function directoryHash({ q = '', department = '', page = 1 }) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (department) params.set('department', department);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `#/?${text}` : '#/';
}

// The width of a card's photo, mirroring the grid of app.css: columns of at least 9.5rem on
// phones (13.5rem above 40rem) with their gaps, inside main's padding (clamp(1rem, 4vw, 2.5rem))
// and its 72rem. Each range names the column count it has there, so the browser fetches the
// smallest variant that fills the slot at its pixel density.
const photoSizes = [
  '(max-width: 21.75rem) calc(100vw - 2rem)', // one column
  '(max-width: 25rem) calc(50vw - 1.375rem)', // two
  '(max-width: 32.5rem) calc(46vw - 0.375rem)', // two, padding 4vw
  '(max-width: 40rem) calc(30.7vw - 0.5rem)', // three
  '(max-width: 46.25rem) calc(46vw - 0.5rem)', // two wider columns
  '(max-width: 62rem) calc(30.7vw - 0.7rem)', // three
  '(max-width: 72rem) calc(25vw - 2rem)', // four
  '16rem', // four in the widest main
].join(', ');

/** Columns in the card grid as laid out now: the first row's photos are the ones seen first. */
function gridColumns(list) {
  const tracks = getComputedStyle(list).gridTemplateColumns;
  return tracks === 'none' ? 1 : tracks.split(' ').length;
}

function photo(employee, { firstRow }) {
  if (!employee.image_url) return avatarPlaceholder(employee.name, 'card-photo');
  // Fixed dimensions (and the stylesheet's aspect ratio) reserve the space before the bytes
  // come. The first row is the page's largest paint: it loads at once, ahead of the rest.
  const image = photoImage(employee, { class: 'card-photo', sizes: photoSizes, alt: `Photo of ${employee.name}`,
    width: 256, height: 256, loading: firstRow ? 'eager' : 'lazy', fetchpriority: firstRow ? 'high' : null,
    // An unreadable photo (a removed object, an expired link) leaves the initials.
    onUnavailable: () => link.replaceWith(avatarPlaceholder(employee.name, 'card-photo')) });
  const link = h('a', { class: 'card-photo-link', href: employee.image_url, target: '_blank', rel: 'noopener',
    'aria-label': `Full-size photo of ${employee.name}` }, image);
  return link;
}

function card(employee, { canChange, onDelete, firstRow }) {
  return h('li', { class: 'card', 'data-employee-id': employee.id },
    photo(employee, { firstRow }),
    h('div', { class: 'card-body' },
      h('h2', { class: 'card-name' }, employee.name),
      h('p', { class: 'card-role' }, employee.role),
      h('p', { class: 'card-department' }, h('span', { class: 'visually-hidden' }, 'Department: '), employee.department),
      canChange
        ? h('div', { class: 'card-actions' },
          h('a', { class: 'button button-small', href: `#/edit/${employee.id}`, 'aria-label': `Edit ${employee.name}` }, 'Edit'),
          h('button', { type: 'button', class: 'button button-small button-danger-quiet', 'aria-label': `Delete ${employee.name}`,
            onclick: () => onDelete(employee) }, 'Delete'))
        : null));
}

/**
 * Renders the directory into `main`. `params` holds q, department and page from the address;
 * `notice` is a one-off message such as "Saved Ada Lovelace.".
 */
export function renderDirectory(main, { user, params, notice }) {
  document.title = 'Employee directory · HR Directory';
  const state = directoryState(params);

  const search = h('input', { id: 'search', name: 'q', type: 'search', value: state.q, autocomplete: 'off',
    placeholder: 'e.g. Ada or Engineer' });
  const department = h('select', { id: 'department', name: 'department' }, h('option', { value: '' }, 'All departments'));
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Employees' },
    h('div', { class: 'field' }, h('label', { for: 'search' }, 'Search by name or role'), search),
    h('div', { class: 'field' }, h('label', { for: 'department' }, 'Department'), department),
    h('button', { type: 'submit', class: 'button' }, 'Search'));
  const summary = h('p', { class: 'results-summary', id: 'results-summary', role: 'status' });
  const list = h('ul', { class: 'cards', 'aria-labelledby': 'directory-heading', 'aria-describedby': 'results-summary' });
  const previous = h('button', { type: 'button', class: 'button', 'data-page': 'previous' }, 'Previous');
  const next = h('button', { type: 'button', class: 'button', 'data-page': 'next' }, 'Next');
  const pageLabel = h('span', { class: 'page-label' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages', hidden: true }, previous, pageLabel, next);

  main.replaceChildren(h('section', { class: 'directory' },
    h('div', { class: 'directory-head' },
      h('h1', { id: 'directory-heading' }, 'Employee directory'),
      h('a', { class: 'button button-primary', href: '#/new' }, 'Add employee')),
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    filters, summary, list, pager));

  let loadSequence = 0;
  let searchTimer = 0;

  async function loadDepartments() {
    const departments = await api.departments();
    const names = departments.map((entry) => entry.department);
    if (state.department && !names.includes(state.department)) names.push(state.department);
    department.replaceChildren(h('option', { value: '' }, 'All departments'),
      ...names.map((name) => h('option', { value: name }, name)));
    department.value = state.department;
  }

  async function load() {
    const sequence = ++loadSequence;
    lastShownHash = directoryHash(state);
    history.replaceState(null, '', lastShownHash);
    list.setAttribute('aria-busy', 'true');
    try {
      // The page preloaded for this address, if any; asked for again if that failed.
      const fetchPage = () => api.listEmployees(pageQuery(state));
      const early = preloaded?.hash === lastShownHash ? preloaded.page.catch(fetchPage) : null;
      preloaded = null;
      const { employees, total } = await (early ?? fetchPage());
      if (sequence !== loadSequence) return;
      const pages = Math.max(1, Math.ceil(total / pageSize));
      if (employees.length === 0 && state.page > pages) {
        state.page = pages;
        await load();
        return;
      }
      const columns = gridColumns(list);
      list.replaceChildren(...employees.map((employee, index) =>
        card(employee, { canChange: canChangeProfile(user, employee), onDelete: remove, firstRow: index < columns })));
      summary.textContent = describe(total, employees.length);
      pager.hidden = pages <= 1;
      pageLabel.textContent = `Page ${state.page} of ${pages}`;
      previous.disabled = state.page <= 1;
      next.disabled = state.page >= pages;
    } catch (error) {
      if (sequence === loadSequence) summary.textContent = `The directory could not be loaded. ${error.message}`;
    } finally {
      if (sequence === loadSequence) list.removeAttribute('aria-busy');
    }
  }

  function describe(total, shown) {
    const filtered = state.q || state.department;
    if (total === 0) return filtered ? 'No employees match this search.' : 'No employees yet. Add the first one.';
    const first = (state.page - 1) * pageSize + 1;
    const range = shown === total ? `${total}` : `${first}–${first + shown - 1} of ${total}`;
    return `Showing ${range} ${total === 1 ? 'employee' : 'employees'}${filtered ? ' matching this search' : ''}.`;
  }

  async function remove(employee) {
    if (!(await confirmDeletion(employee))) return;
    try {
      await api.deleteEmployee(employee.id);
      announce(`Deleted ${employee.name}.`);
      await Promise.all([load(), loadDepartments()]);
      summary.setAttribute('tabindex', '-1');
      summary.focus();
    } catch (error) {
      summary.textContent = `${employee.name} could not be deleted. ${error.message}`;
    }
  }

  function applyFilters() {
    state.q = search.value.trim();
    state.department = department.value;
    state.page = 1;
    load();
  }

  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(applyFilters, searchDelayMs);
  });
  department.addEventListener('change', applyFilters);
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    applyFilters();
  });
  // A pager button that becomes disabled would drop keyboard focus: hand it to the other one.
  previous.addEventListener('click', async () => {
    state.page -= 1;
    await load();
    if (previous.disabled) next.focus();
  });
  next.addEventListener('click', async () => {
    state.page += 1;
    await load();
    if (next.disabled) previous.focus();
  });

  focusHeading(main);
  loadDepartments().catch(() => { /* the filter keeps "All departments"; the list reports the error */ });
  load();
}
