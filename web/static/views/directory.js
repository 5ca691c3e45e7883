// The directory: employees as cards or as a compact table, with search, a department filter,
// a sort where the server offers one, pages of 25, 50 or 100. What is shown lives in the
// address (#/?q=…&department=…&sort=…&size=…&page=…), each change a history entry, so Back,
// Forward and reload show exactly what was there (the page size too, so it is not a stored
// preference that would change what an older entry shows); the cards-or-table choice is remembered.
// HR and admins also get the CSV export of what the filters match, and the way to the import.
import { api } from '../api.js';
import { loadCapabilities, sortName } from '../capabilities.js';
import { h, announce, avatarPlaceholder, confirmDialog, focusHeading, photoImage } from '../dom.js';
import { canChangeProfile, canExchangeCsv } from '../roles.js';
import { pageSizes, directoryState, pageQuery, directoryHash, describeResults, describePage } from './directory-state.js';
import { personHash, fillTable } from './directory-table.js';

export { pageSizes, directoryHash } from './directory-state.js';
export { personHash, telHref } from './directory-table.js';

const searchDelayMs = 300;
// The longest search the server takes (more is a 400 naming q).
const searchMaxLength = 100;
const viewKey = 'hrapp.directory.view';

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

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage turned off: the defaults
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage turned off or full: the choice lasts for this page only
  }
}

// The page asked for by preloadDirectory, with the address it belongs to.
let preloaded = null;

/**
 * Asks for the directory's page that `params` name while the session is still being checked,
 * so its photos start a round trip sooner. Without a session it fails and is not used.
 */
export function preloadDirectory(params) {
  const state = directoryState(params);
  // A sort waits for the server to say it takes one.
  if (state.sort) return;
  const page = api.listEmployees(pageQuery(state), { renewOn401: false });
  page.catch(() => { /* a 401: the sign-in page comes instead, and the directory asks again */ });
  preloaded = { hash: directoryHash(state), page };
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

function cardPhoto(employee, { firstRow }) {
  if (!employee.image_url) return avatarPlaceholder(employee.name, 'card-photo');
  // Fixed dimensions (and the stylesheet's aspect ratio) reserve the space before the bytes
  // come. The first row is the page's largest paint: it loads at once, ahead of the rest.
  const image = photoImage(employee, { class: 'card-photo', sizes: photoSizes, alt: `Photo of ${employee.name}`,
    width: 256, height: 256, loading: firstRow ? 'eager' : 'lazy', fetchpriority: firstRow ? 'high' : null,
    // An unreadable photo (a removed object, an expired link) leaves the initials.
    onUnavailable: () => image.replaceWith(avatarPlaceholder(employee.name, 'card-photo')) });
  return image;
}

function rowActions(employee, onDelete) {
  return [
    h('a', { class: 'button button-small', href: `#/edit/${employee.id}`, 'aria-label': `Edit ${employee.name}` }, 'Edit'),
    h('button', { type: 'button', class: 'button button-small button-danger-quiet', 'aria-label': `Delete ${employee.name}`,
      onclick: () => onDelete(employee) }, 'Delete'),
  ];
}

// The name's link covers the whole card (app.css), so the photo opens the person's page too.
function card(employee, { canChange, onDelete, firstRow }) {
  return h('li', { class: 'card', 'data-employee-id': employee.id },
    cardPhoto(employee, { firstRow }),
    h('div', { class: 'card-body' },
      h('h2', { class: 'card-name' }, h('a', { class: 'card-link', href: personHash(employee.id) }, employee.name)),
      h('p', { class: 'card-role' }, employee.role),
      h('p', { class: 'card-department' }, h('span', { class: 'visually-hidden' }, 'Department: '), employee.department),
      canChange ? h('div', { class: 'card-actions' }, ...rowActions(employee, onDelete)) : null));
}

/**
 * Renders the directory into `main`. `params` holds the address's q, department, sort, size and
 * page; `notice` is a one-off message such as "Deleted Ada Lovelace.". Returns { update(params) },
 * which shows another state of the directory in place (Back and Forward between its entries).
 */
export function renderDirectory(main, { user, params, notice }) {
  document.title = 'Employee directory · HR Directory';
  let state = directoryState(params);
  let view = stored(viewKey) === 'table' ? 'table' : 'cards';
  let capabilities = null;

  const search = h('input', { id: 'search', name: 'q', type: 'search', value: state.q, autocomplete: 'off',
    maxlength: searchMaxLength, placeholder: 'e.g. Ada, engineer or London', 'aria-describedby': 'search-error' });
  // The server's word on a search it refuses (too long, too many words), beside the box.
  const searchError = h('p', { class: 'field-error', id: 'search-error', role: 'alert', hidden: true });
  const department = h('select', { id: 'department', name: 'department' }, h('option', { value: '' }, 'All departments'));
  const searchButton = h('button', { type: 'submit', class: 'button' }, 'Search');
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Employees' },
    h('div', { class: 'field' }, h('label', { for: 'search' }, 'Search by name or role'), search, searchError),
    h('div', { class: 'field' }, h('label', { for: 'department' }, 'Department'), department),
    searchButton);
  const sortSelect = h('select', { id: 'sort', name: 'sort' });

  const summary = h('p', { class: 'results-summary', id: 'results-summary', role: 'status' });
  const sizeSelect = h('select', { id: 'page-size', name: 'size' },
    ...pageSizes.map((size) => h('option', { value: size }, String(size))));
  const cardsButton = h('button', { type: 'button', class: 'button view-option', 'data-view': 'cards' }, 'Cards');
  const tableButton = h('button', { type: 'button', class: 'button view-option', 'data-view': 'table' }, 'Table');
  const resultsBar = h('div', { class: 'results-bar' },
    summary,
    h('div', { class: 'results-options' },
      h('div', { class: 'inline-field' }, h('label', { for: 'page-size' }, 'Per page'), sizeSelect),
      h('div', { class: 'view-switch', role: 'group', 'aria-label': 'Show as' }, cardsButton, tableButton)));

  const errorText = h('p', { class: 'load-error-text' });
  const retry = h('button', { type: 'button', class: 'button' }, 'Retry');
  const loadError = h('div', { class: 'load-error', role: 'alert', hidden: true }, errorText, retry);

  const list = h('ul', { class: 'cards', 'aria-labelledby': 'directory-heading', 'aria-describedby': 'results-summary' });
  const tableHead = h('thead');
  const tableBody = h('tbody');
  const table = h('table', { class: 'directory-table', 'aria-labelledby': 'directory-heading', 'aria-describedby': 'results-summary' },
    tableHead, tableBody);
  const tableWrap = h('div', { class: 'table-scroll directory-table-wrap' }, table);

  const previous = h('button', { type: 'button', class: 'button', 'data-page': 'previous' }, 'Previous');
  const next = h('button', { type: 'button', class: 'button', 'data-page': 'next' }, 'Next');
  const pageLabel = h('span', { class: 'page-label' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages', hidden: true }, previous, pageLabel, next);

  // HR's CSV export (what the filters match, in the chosen order) and the way to the import.
  const exportLink = h('a', { class: 'button', href: api.employeesCsvUrl({}), download: 'employees.csv', hidden: true }, 'Export CSV');
  const importLink = h('a', { class: 'button', href: '#/import', hidden: true }, 'Import CSV');
  main.replaceChildren(h('section', { class: 'directory' },
    h('div', { class: 'directory-head' },
      h('h1', { id: 'directory-heading' }, 'Employee directory'),
      h('div', { class: 'directory-actions' }, exportLink, importLink,
        h('a', { class: 'button button-primary', href: '#/new' }, 'Add employee'))),
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    filters, resultsBar, loadError, list, tableWrap, pager));

  let loadSequence = 0;
  let searchTimer = 0;
  // What the list shows now: its employees, the total (and whether it is capped), the Link
  // header's cursors, and the state they belong to.
  let shown = null;
  // The cursor of the page the pager's button asked for, with its address: used instead of the
  // offset while that address is the one loading (a reload or Back asks by offset).
  let pageCursor = null;
  // True while the search box's typing has its own history entry, which later keystrokes replace.
  let typingEntry = false;

  function showView() {
    list.hidden = view !== 'cards';
    tableWrap.hidden = view !== 'table';
    cardsButton.setAttribute('aria-pressed', String(view === 'cards'));
    tableButton.setAttribute('aria-pressed', String(view === 'table'));
  }

  function syncControls() {
    if (search.value.trim() !== state.q) search.value = state.q;
    // A department the list does not hold yet (added since it was read, or from a shared address) is added to it.
    if (state.department && ![...department.options].some((option) => option.value === state.department)) {
      department.append(h('option', { value: state.department }, state.department));
    }
    department.value = state.department;
    sizeSelect.value = String(state.size);
    if (capabilities?.sorts) sortSelect.value = state.sort || capabilities.defaultSort;
    exportLink.href = api.employeesCsvUrl({ q: state.q, department: state.department, sort: state.sort || undefined });
  }

  /** Shows the export and import controls to those whose role uses them, where the server has them. */
  function offerCsv() {
    exportLink.hidden = !(canExchangeCsv(user) && capabilities.csvExport);
    importLink.hidden = !(canExchangeCsv(user) && capabilities.csvImport);
  }

  /** The server's refusal of the search (a 400 naming q) beside the box; null clears it. */
  function showSearchProblem(message) {
    searchError.textContent = message ?? '';
    searchError.hidden = !message;
    if (message) search.setAttribute('aria-invalid', 'true');
    else search.removeAttribute('aria-invalid');
  }

  async function loadDepartments() {
    const departments = await api.departments();
    const names = departments.map((entry) => entry.department);
    if (state.department && !names.includes(state.department)) names.push(state.department);
    department.replaceChildren(h('option', { value: '' }, 'All departments'),
      ...names.map((name) => h('option', { value: name }, name)));
    department.value = state.department;
  }

  /** Adds the sort control when the server takes `sort`. */
  function offerSort() {
    if (!capabilities.sorts || sortSelect.isConnected) return;
    sortSelect.replaceChildren(...capabilities.sorts.map((value) => h('option', { value }, sortName(value))));
    sortSelect.value = state.sort || capabilities.defaultSort;
    filters.classList.add('has-sort');
    searchButton.before(h('div', { class: 'field' }, h('label', { for: 'sort' }, 'Sort by'), sortSelect));
  }

  /**
   * Shows `change` applied to the state as a new history entry (`replace`: in place of the
   * current one), then loads it.
   */
  function go(change, { replace = false, reason = 'change', cursor = null } = {}) {
    state = { ...state, ...change };
    const hash = directoryHash(state);
    pageCursor = cursor ? { hash, cursor } : null;
    if (hash !== location.hash) {
      if (replace) history.replaceState(null, '', hash);
      else history.pushState(null, '', hash);
    }
    return load({ reason });
  }

  /**
   * Loads the state's page. `reason`: 'pager' and 'retry' move focus to the summary (the button
   * pressed may be gone); a new page scrolls to the top of the results.
   */
  async function load({ reason = 'change' } = {}) {
    const sequence = ++loadSequence;
    if (state.sort && !capabilities) {
      capabilities = await loadCapabilities();
      if (sequence !== loadSequence) return;
    }
    // An order the server does not offer is left out of the address and the request.
    if (state.sort && (!capabilities.sorts?.includes(state.sort) || state.sort === capabilities.defaultSort)) state.sort = '';
    lastShownHash = directoryHash(state);
    if (location.hash !== lastShownHash) history.replaceState(null, '', lastShownHash);
    syncControls();
    loadError.hidden = true;
    list.setAttribute('aria-busy', 'true');
    table.setAttribute('aria-busy', 'true');
    try {
      // The page preloaded for this address, if any; asked for again if that failed. A page the
      // pager asked for goes by the cursor of the page beside it, so a deep page costs what the first does.
      const cursor = pageCursor?.hash === lastShownHash ? pageCursor.cursor : null;
      const fetchPage = () => api.listEmployees(pageQuery(state, cursor));
      const early = preloaded?.hash === lastShownHash ? preloaded.page.catch(fetchPage) : null;
      preloaded = null;
      const page = await (early ?? fetchPage());
      if (sequence !== loadSequence) return;
      const { employees, links } = page;
      let { total, capped } = page;
      if (capped && links?.next === null && employees.length > 0) {
        // The last page of a count the server capped: how many there are is known here.
        total = (state.page - 1) * state.size + employees.length;
        capped = false;
      }
      const pages = Math.max(1, Math.ceil(total / state.size));
      if (employees.length === 0 && state.page > pages && !capped) {
        // The page is past the end (people were deleted): the last page instead.
        state = { ...state, page: pages };
        await load({ reason });
        return;
      }
      const pageChanged = shown !== null && shown.state.page !== state.page;
      shown = { employees, total, capped, links, state: { ...state } };
      showSearchProblem(null);
      showResults();
      if (pageChanged || reason === 'retry') scrollToResults();
      if (reason === 'pager' || reason === 'retry') {
        summary.setAttribute('tabindex', '-1');
        summary.focus({ preventScroll: true });
      }
    } catch (error) {
      if (sequence !== loadSequence) return;
      const searchProblem = error.status === 400 ? error.fields.find(({ field }) => field === 'q') : null;
      if (searchProblem) showRefusedSearch(searchProblem.message);
      else showFailure(error);
    } finally {
      if (sequence === loadSequence) {
        list.removeAttribute('aria-busy');
        table.removeAttribute('aria-busy');
      }
    }
  }

  /** No people shown: none of the previous page's as if they were this one's. */
  function clearResults() {
    shown = null;
    list.replaceChildren();
    tableHead.replaceChildren();
    tableBody.replaceChildren();
    summary.textContent = '';
    pager.hidden = true;
  }

  /** A search the server refused: its reason beside the box, and no results to show for it. */
  function showRefusedSearch(message) {
    clearResults();
    showSearchProblem(`The search ${String(message).replace(/\.$/, '')}.`);
    summary.textContent = 'Change the search to see results.';
  }

  /** A failed page: the error and Retry. */
  function showFailure(error) {
    clearResults();
    showSearchProblem(null);
    errorText.textContent = `${state.page > 1 ? `Page ${state.page} of the directory` : 'The directory'} could not be loaded. ${error.message}`;
    loadError.hidden = false;
  }

  function showResults() {
    const { employees, total, capped, links } = shown;
    const pages = Math.max(1, Math.ceil(total / state.size));
    const changeable = employees.map((employee) => canChangeProfile(user, employee));
    if (view === 'cards') {
      const columns = gridColumns(list);
      list.replaceChildren(...employees.map((employee, index) =>
        card(employee, { canChange: changeable[index], onDelete: remove, firstRow: index < columns })));
      tableHead.replaceChildren();
      tableBody.replaceChildren();
    } else {
      fillTable({ head: tableHead, body: tableBody }, employees, changeable, (employee) => rowActions(employee, remove));
      list.replaceChildren();
    }
    summary.textContent = describeResults(state, { total, capped, shown: employees.length });
    // Whether there is a next page is the Link header's to say (past a capped count too); a
    // server without one is taken at its count.
    const hasNext = links ? links.next !== null : state.page < pages;
    pager.hidden = state.page <= 1 && !hasNext;
    pageLabel.textContent = describePage(state, { total, capped });
    previous.disabled = state.page <= 1;
    next.disabled = !hasNext;
  }

  function scrollToResults() {
    if (resultsBar.getBoundingClientRect().top < 0) resultsBar.scrollIntoView({ block: 'start' });
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

  function applyFilters({ typing = false } = {}) {
    const q = search.value.trim();
    const change = { q, department: department.value, page: 1 };
    if (sortSelect.isConnected) change.sort = sortSelect.value === capabilities.defaultSort ? '' : sortSelect.value;
    const same = q === state.q && change.department === state.department && (change.sort ?? state.sort) === state.sort;
    // A pause in typing that changed nothing asks for nothing; Search always asks again.
    if (typing && same) return;
    // Typing makes one history entry, not one a pause.
    go(change, { replace: typing && typingEntry });
    typingEntry = typing;
  }

  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => applyFilters({ typing: true }), searchDelayMs);
  });
  search.addEventListener('blur', () => { typingEntry = false; });
  department.addEventListener('change', () => applyFilters());
  sortSelect.addEventListener('change', () => applyFilters());
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    typingEntry = false;
    applyFilters();
  });
  sizeSelect.addEventListener('change', () => {
    const size = Number(sizeSelect.value);
    // The page that holds the first person shown now.
    const firstIndex = (state.page - 1) * state.size;
    typingEntry = false;
    go({ size, page: Math.floor(firstIndex / size) + 1 });
  });
  for (const button of [cardsButton, tableButton]) {
    button.addEventListener('click', () => {
      view = button.dataset.view;
      store(viewKey, view);
      showView();
      if (shown) showResults();
    });
  }
  previous.addEventListener('click', () => {
    typingEntry = false;
    go({ page: Math.max(1, state.page - 1) }, { reason: 'pager', cursor: shown?.links?.prev });
  });
  next.addEventListener('click', () => {
    typingEntry = false;
    go({ page: state.page + 1 }, { reason: 'pager', cursor: shown?.links?.next });
  });
  retry.addEventListener('click', () => load({ reason: 'retry' }));

  showView();
  focusHeading(main);
  loadDepartments().catch(() => { /* the filter keeps "All departments"; the list reports the error */ });
  loadCapabilities().then((found) => {
    capabilities = found;
    if (!main.isConnected) return;
    offerSort();
    offerCsv();
  });
  load();

  return {
    /** Shows the state of `params` (an entry of this directory's history) without building the page again. */
    update(nextParams) {
      clearTimeout(searchTimer);
      typingEntry = false;
      state = directoryState(nextParams);
      load({ reason: 'history' });
    },
  };
}
