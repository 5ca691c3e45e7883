// What this server's API offers beyond the seed's, read once from its OpenAPI description
// (/openapi.json, public). The UI shows a control only when the server takes its parameter:
// a `sort` the server ignored would show an order it did not apply.

// The orders of DESIGN.md, as people read them; a server that lists other values shows them as they are.
const sortNames = {
  name: 'Name, A to Z',
  '-name': 'Name, Z to A',
  department: 'Department',
  '-department': 'Department, Z to A',
  start_date: 'Start date, earliest first',
  '-start_date': 'Start date, latest first',
  created: 'Added, oldest first',
  '-created': 'Added, newest first',
};

/** The label of a sort value. */
export function sortName(value) {
  return sortNames[value] ?? value;
}

let capabilities = null;

/**
 * Resolves to { sorts: [values] | null, defaultSort, listFilters: Set, profileFields: Set,
 * csvExport, csvImport }: `sorts` are the values GET /employees takes for `sort` (null when it
 * takes none), `listFilters` its query parameters, `profileFields` the fields POST /employees
 * takes, `csvExport` and `csvImport` whether it offers GET /employees.csv and POST /employees/import.
 * Never rejects: a server that cannot say is taken to offer what the seed did.
 */
export function loadCapabilities() {
  capabilities ??= fetch('/openapi.json', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    .then((response) => (response.ok ? response.json() : null))
    .then(read)
    .catch(() => read(null));
  return capabilities;
}

function read(document) {
  const resolve = (node) => {
    let current = node;
    for (let depth = 0; current && typeof current.$ref === 'string' && depth < 8; depth++) {
      current = current.$ref.replace(/^#\//, '').split('/').reduce((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    }
    return current ?? null;
  };
  const list = document?.paths?.['/employees']?.get;
  const parameters = (list?.parameters ?? []).map(resolve).filter((parameter) => parameter?.in === 'query');
  const sort = parameters.find((parameter) => parameter.name === 'sort');
  let sorts = null;
  let defaultSort = 'name';
  if (sort) {
    const schema = resolve(sort.schema) ?? {};
    const values = Array.isArray(schema.enum) ? schema.enum.filter((value) => typeof value === 'string') : Object.keys(sortNames);
    sorts = values.length > 0 ? values : null;
    if (typeof schema.default === 'string') defaultSort = schema.default;
    else if (sorts && !sorts.includes(defaultSort)) defaultSort = sorts[0];
  }
  const create = document?.paths?.['/employees']?.post?.requestBody;
  const multipart = resolve(resolve(create)?.content?.['multipart/form-data']?.schema);
  const properties = new Set();
  for (const schema of [multipart, ...(multipart?.allOf ?? []).map(resolve)]) {
    for (const name of Object.keys(schema?.properties ?? {})) properties.add(name);
  }
  return { sorts, defaultSort, listFilters: new Set(parameters.map(({ name }) => name)), profileFields: properties,
    csvExport: Boolean(document?.paths?.['/employees.csv']?.get), csvImport: Boolean(document?.paths?.['/employees/import']?.post) };
}
