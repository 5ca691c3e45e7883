// The audit log, for the admin role: every change to a profile, an account or an invitation,
// newest first, filtered by who made it and what it changed, with older entries a page at a time.
import { api } from '../api.js';
import { h, focusHeading, timeElement } from '../dom.js';
import { adminHeader } from './admin.js';

const pageSize = 50;

/** A value of `changes` as text: strings as they are, anything else as JSON. */
function valueText(value) {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The entry's changes, one line a field: "role: member → hr". */
function changesList(changes) {
  const entries = Object.entries(changes ?? {});
  if (entries.length === 0) return '—';
  return h('ul', { class: 'changes' }, entries.map(([name, change]) => {
    const isChange = change && typeof change === 'object' && ('from' in change || 'to' in change);
    if (!isChange) return h('li', {}, h('span', { class: 'change-field' }, name), `: ${valueText(change)}`);
    const parts = [];
    if ('from' in change) parts.push(h('span', { class: 'change-from' }, valueText(change.from)));
    if ('from' in change && 'to' in change) parts.push(h('span', { 'aria-hidden': 'true' }, ' → '), h('span', { class: 'visually-hidden' }, ' to '));
    if ('to' in change) parts.push(h('span', { class: 'change-to' }, valueText(change.to)));
    return h('li', {}, h('span', { class: 'change-field' }, name), ': ', ...parts);
  }));
}

/** Renders the audit log into `main`; `params` holds the address's actor and target filters. */
export function renderAudit(main, { params }) {
  document.title = 'Audit log · Administration · HR Directory';
  const filters = { actor: params.actor ?? '', target: params.target ?? '' };

  const actor = h('select', { id: 'audit-actor', name: 'actor' }, h('option', { value: '' }, 'Anyone'));
  const target = h('input', { id: 'audit-target', name: 'target', type: 'text', value: filters.target, autocomplete: 'off',
    spellcheck: 'false', 'aria-describedby': 'audit-target-hint' });
  const form = h('form', { class: 'filters audit-filters', role: 'search', 'aria-label': 'Audit log' },
    h('div', { class: 'field' }, h('label', { for: actor.id }, 'Changed by'), actor),
    h('div', { class: 'field' }, h('label', { for: target.id }, 'Target'), target,
      h('p', { class: 'hint', id: 'audit-target-hint' }, 'For example user:3, employee:12 or invitation:5.')),
    h('button', { type: 'submit', class: 'button' }, 'Filter'));
  const summary = h('p', { class: 'results-summary', role: 'status', tabindex: '-1' });
  const body = h('tbody');
  const table = h('table', { class: 'admin-table audit-table', 'aria-labelledby': 'admin-heading' },
    h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Target', 'Changes'].map((name) => h('th', { scope: 'col' }, name)))),
    body);
  const older = h('button', { type: 'button', class: 'button', hidden: true }, 'Older entries');

  main.replaceChildren(h('section', { class: 'admin' },
    adminHeader('#/admin/audit', 'Audit log'),
    form, summary,
    h('div', { class: 'table-scroll' }, table),
    h('div', { class: 'actions' }, older)));

  let before = null;
  let shown = 0;
  const usernames = new Map();

  function targetText(text) {
    const match = /^user:(\d+)$/.exec(text ?? '');
    const name = match ? usernames.get(Number(match[1])) : null;
    return name ? `${text} (${name})` : text ?? '—';
  }

  function row(entry) {
    return h('tr', { 'data-audit-id': entry.id, 'data-action': entry.action },
      h('td', { 'data-label': 'When' }, timeElement(entry.at)),
      h('td', { 'data-label': 'Who' }, entry.actor ? entry.actor.username : h('em', {}, 'Command line')),
      h('td', { 'data-label': 'Action' }, h('code', {}, entry.action)),
      h('td', { 'data-label': 'Target' }, targetText(entry.target)),
      h('td', { 'data-label': 'Changes' }, changesList(entry.changes)));
  }

  /** Loads the newest page (`more` false) or the next older one, appended below. */
  async function load(more) {
    body.setAttribute('aria-busy', 'true');
    older.disabled = true;
    try {
      const page = await api.audit({ actor: filters.actor, target: filters.target, limit: pageSize, before: more ? before : undefined });
      const rows = page.entries.map(row);
      if (more) body.append(...rows);
      else body.replaceChildren(...rows);
      shown = more ? shown + rows.length : rows.length;
      before = page.before;
      older.hidden = !before;
      summary.textContent = shown === 0 ? 'No entries match.' : `Showing the newest ${shown} ${shown === 1 ? 'entry' : 'entries'}${before ? '' : ', all there are'}.`;
      if (more && rows.length > 0) {
        const first = rows[0].querySelector('td');
        first.setAttribute('tabindex', '-1');
        first.focus();
      }
    } catch (error) {
      summary.textContent = `The audit log could not be loaded. ${error.message}`;
    } finally {
      body.removeAttribute('aria-busy');
      older.disabled = false;
    }
  }

  async function loadAccounts() {
    const { users } = await api.listUsers({ limit: 200 });
    for (const user of users) usernames.set(user.id, user.username);
    actor.replaceChildren(h('option', { value: '' }, 'Anyone'),
      ...users.map((user) => h('option', { value: String(user.id) }, user.username)));
    if (filters.actor && !users.some((user) => String(user.id) === filters.actor)) {
      actor.append(h('option', { value: filters.actor }, `Account ${filters.actor}`));
    }
    actor.value = filters.actor;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters.actor = actor.value;
    filters.target = target.value.trim();
    const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value)).toString();
    history.replaceState(null, '', `#/admin/audit${query ? `?${query}` : ''}`);
    load(false);
  });
  older.addEventListener('click', () => load(true));

  focusHeading(main);
  // The names come first, so the targets of accounts can show them; the log does not wait long for them.
  loadAccounts().catch(() => { /* the filter keeps "Anyone" and the targets their ids */ }).finally(() => load(false));
}
