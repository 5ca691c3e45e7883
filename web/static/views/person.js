// A person's own page (#/people/{id}), an address that can be shared and reloaded: the photo,
// every field the server sends, the manager and the direct reports where the server knows them,
// and edit and delete for those whose role allows.
import { api } from '../api.js';
import { h, announce, avatarPlaceholder, focusHeading, photoImage, timeElement } from '../dom.js';
import { canChangeProfile } from '../roles.js';
import { confirmDeletion, directoryReturnHash, personHash, telHref } from './directory.js';

// The most direct reports one page lists; more are counted.
const reportsShown = 100;

function backLink() {
  return h('a', { class: 'back-link', href: directoryReturnHash() }, h('span', { 'aria-hidden': 'true' }, '←'), 'Back to the directory');
}

function message(main, title, text) {
  document.title = `${title} · HR Directory`;
  main.replaceChildren(h('section', { class: 'person-page' }, backLink(),
    h('div', { class: 'panel' }, h('h1', {}, title), h('p', {}, text))));
  focusHeading(main);
}

function hasValue(value) {
  return value !== null && value !== undefined && String(value).trim() !== '';
}

/** "5 Mar 2024" for an ISO date ("2024-03-05"), in the reader's locale, with no time zone to shift it. */
function dateElement(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  if (!match) return String(iso);
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return h('time', { datetime: iso }, date.toLocaleDateString(undefined, { dateStyle: 'medium' }));
}

function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function personPhoto(employee) {
  if (!employee.image_url) return avatarPlaceholder(employee.name, 'person-photo');
  // 10rem on a phone, 16rem above (app.css): the browser picks the variant for its density.
  const image = photoImage(employee, { class: 'person-photo', sizes: '(max-width: 40rem) 10rem, 16rem', alt: `Photo of ${employee.name}`,
    width: 256, height: 256, fetchpriority: 'high',
    onUnavailable: () => image.replaceWith(avatarPlaceholder(employee.name, 'person-photo')) });
  return image;
}

/** A link to a person's page with their small photo, for the manager and the reports. */
function personLink(person) {
  const picture = person.image_url
    ? photoImage(person, { class: 'row-photo', sizes: '2.5rem', alt: '', width: 40, height: 40, loading: 'lazy',
      onUnavailable: (image) => image.replaceWith(avatarPlaceholder(person.name, 'row-photo')) })
    : avatarPlaceholder(person.name, 'row-photo');
  return h('a', { class: 'row-link', href: personHash(person.id) }, picture, h('span', { class: 'row-name' }, person.name));
}

/**
 * Renders employee `id`'s page into `main`. `notice` is a one-off message ("Saved Ada Lovelace.");
 * `onDeleted(employee)` is called once the server has deleted the profile.
 */
export async function renderPerson(main, { user, id, notice, onDeleted }) {
  main.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  let employee;
  try {
    employee = await api.getEmployee(id);
  } catch (error) {
    if (error.status === 404) message(main, 'Profile not found', 'This profile does not exist or was deleted.');
    else message(main, 'Profile unavailable', `The profile could not be loaded. ${error.message}`);
    return;
  }
  if (!main.isConnected) return;
  document.title = `${employee.name} · HR Directory`;

  // A field shows only when it holds something: a server that knows a field sends it as null when unset.
  // The manager and the direct reports are asked for only from a server that knows manager_id.
  const knowsManagers = 'manager_id' in employee;
  const hasManager = knowsManagers && hasValue(employee.manager_id);
  const facts = h('dl', { class: 'facts person-facts' });
  facts.append(fact('Department', employee.department));
  if (hasValue(employee.email)) facts.append(fact('Email', h('a', { href: `mailto:${employee.email}` }, employee.email)));
  if (hasValue(employee.phone)) facts.append(fact('Phone', h('a', { href: telHref(employee.phone) }, employee.phone)));
  if (hasValue(employee.location)) facts.append(fact('Location', String(employee.location)));
  const managerValue = h('span', {}, 'Loading…');
  if (hasManager) facts.append(fact('Manager', managerValue));
  if (hasValue(employee.start_date)) facts.append(fact('Start date', dateElement(employee.start_date)));
  facts.append(fact('Added', timeElement(employee.created_at)));
  if (employee.updated_at && employee.updated_at !== employee.created_at) facts.append(fact('Last changed', timeElement(employee.updated_at)));

  const status = h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });
  const canChange = canChangeProfile(user, employee);
  const actions = canChange
    ? h('div', { class: 'actions' },
      h('a', { class: 'button button-primary', href: `#/edit/${employee.id}` }, 'Edit'),
      h('button', { type: 'button', class: 'button button-danger-quiet', onclick: remove }, 'Delete'))
    : null;

  const reports = knowsManagers
    ? h('section', { class: 'panel person-reports', 'aria-labelledby': 'reports-heading' },
      h('h2', { id: 'reports-heading' }, 'Direct reports'), h('p', { class: 'loading' }, 'Loading…'))
    : null;

  main.replaceChildren(h('section', { class: 'person-page' },
    backLink(),
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    h('article', { class: 'panel person', 'aria-labelledby': 'person-heading' },
      h('div', { class: 'person-photo-box' }, personPhoto(employee),
        employee.image_url ? h('a', { class: 'full-photo-link', href: employee.image_url, target: '_blank', rel: 'noopener' }, 'Full-size photo') : null),
      h('div', { class: 'person-details' },
        h('h1', { id: 'person-heading' }, employee.name),
        h('p', { class: 'person-role' }, employee.role),
        facts, status, actions)),
    reports));
  focusHeading(main);

  async function remove() {
    if (!(await confirmDeletion(employee))) return;
    try {
      await api.deleteEmployee(employee.id);
      onDeleted(employee);
    } catch (error) {
      status.textContent = `${employee.name} could not be deleted. ${error.message}`;
      status.hidden = false;
      status.focus();
    }
  }

  if (hasManager) showManager(employee, managerValue);
  if (knowsManagers) showReports(employee, reports);
}

async function showManager(employee, slot) {
  const managerId = employee.manager_id;
  // A server that names the manager saves a request.
  const named = employee.manager && typeof employee.manager === 'object' && employee.manager.name ? employee.manager : null;
  let manager = named ? { id: managerId, ...named } : null;
  if (!manager) {
    try {
      manager = await api.getEmployee(managerId);
    } catch (error) {
      slot.replaceChildren(error.status === 404 ? 'A deleted profile' : h('a', { href: personHash(managerId) }, `Profile ${managerId}`));
      return;
    }
  }
  slot.replaceChildren(personLink(manager));
}

async function showReports(employee, section) {
  const heading = section.querySelector('h2');
  try {
    const { employees, total } = await api.listEmployees({ manager_id: employee.id, limit: reportsShown });
    // Only the people who name this one as their manager, whatever the server made of the filter.
    const reports = employees.filter((person) => String(person.manager_id) === String(employee.id));
    const counted = reports.length === employees.length ? total : reports.length;
    if (reports.length === 0) {
      section.replaceChildren(heading, h('p', {}, 'No one reports to this person.'));
      return;
    }
    section.replaceChildren(heading,
      h('ul', { class: 'people-list', 'aria-labelledby': 'reports-heading' }, ...reports.map((person) => h('li', {}, personLink(person),
        h('span', { class: 'people-list-role' }, person.role)))),
      ...(counted > reports.length ? [h('p', { class: 'hint' }, `The first ${reports.length} of ${counted} are shown.`)] : []));
  } catch (error) {
    section.replaceChildren(heading, h('p', { class: 'form-error' }, `The direct reports could not be loaded. ${error.message}`));
    announce('The direct reports could not be loaded.');
  }
}
