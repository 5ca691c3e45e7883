// What the directory shows, as it lives in the address (#/?q=…&department=…&sort=…&size=…&page=…),
// and how that is asked of the server and told to the reader.

export const pageSizes = [25, 50, 100];
export const defaultPageSize = 25;

/** The directory's state from the address's parameters. */
export function directoryState(params) {
  const size = Number(params.size);
  return {
    q: params.q ?? '',
    department: params.department ?? '',
    sort: params.sort ?? '',
    size: pageSizes.includes(size) ? size : defaultPageSize,
    page: Math.max(1, Number.parseInt(params.page, 10) || 1),
  };
}

/**
 * The list request for the state's page; `sort` only when the server takes it (the caller
 * checks). A `cursor` (from the Link header of the page next to it) replaces the offset.
 */
export function pageQuery({ q, department, sort, size, page }, cursor = null) {
  return { q, department, sort: sort || undefined, limit: size, ...(cursor ? { cursor } : { offset: (page - 1) * size }) };
}

/** The directory's state as it appears in the address: #/?q=…&department=…&sort=…&size=…&page=… */
export function directoryHash({ q = '', department = '', sort = '', size = defaultPageSize, page = 1 }) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (department) params.set('department', department);
  if (sort) params.set('sort', sort);
  if (size !== defaultPageSize) params.set('size', String(size));
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `#/?${text}` : '#/';
}

const numbers = new Intl.NumberFormat('en');

/** "1,234" */
export function count(number) {
  return numbers.format(number);
}

/**
 * The results' summary: "Showing 41–60 of 312 employees.", or "of more than 10,000" when the
 * server's count is `capped` (it counts no further).
 */
export function describeResults(state, { total, capped, shown }) {
  const filtered = state.q || state.department;
  if (total === 0) return filtered ? 'No employees match this search.' : 'No employees yet. Add the first one.';
  if (shown === 0) return `There are no employees on page ${count(state.page)}.`;
  const first = (state.page - 1) * state.size + 1;
  const of = capped ? `more than ${count(total)}` : count(total);
  const range = shown === total && !capped ? of : `${count(first)}–${count(first + shown - 1)} of ${of}`;
  return `Showing ${range} ${total === 1 && !capped ? 'employee' : 'employees'}${filtered ? ' matching this search' : ''}.`;
}

/**
 * The pager's label: "Page 3 of 16"; with a capped count the last page is unknown, so
 * "Page 3 of more than 400" while the count reaches that far, and "Page 512" past it.
 */
export function describePage(state, { total, capped }) {
  const pages = Math.max(1, Math.ceil(total / state.size));
  if (!capped) return `Page ${count(state.page)} of ${count(pages)}`;
  const counted = Math.floor(total / state.size);
  return state.page <= counted ? `Page ${count(state.page)} of more than ${count(counted)}` : `Page ${count(state.page)}`;
}
