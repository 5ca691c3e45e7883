// The directory's compact table: a small photo and the name as the row's link to the person's
// page, then role, department and the contact fields that someone on the page has.
import { h, avatarPlaceholder, photoImage } from '../dom.js';

// Columns the table adds when the server sends the field and a person on the page has one.
const contactColumns = [
  { key: 'email', label: 'Email' },
  { key: 'phone', label: 'Phone' },
  { key: 'location', label: 'Location' },
];

/** The address of an employee's own page. */
export function personHash(id) {
  return `#/people/${encodeURIComponent(id)}`;
}

/** A tel: link for a number as typed ("+1 (555) 010-0100" dials +15550100100). */
export function telHref(phone) {
  const text = String(phone).trim();
  return `tel:${text.startsWith('+') ? '+' : ''}${text.replace(/[^0-9]/g, '')}`;
}

export function hasValue(value) {
  return value !== null && value !== undefined && String(value).trim() !== '';
}

/**
 * An email address with places to wrap before its "@" and its dots (<wbr>), so a narrow column
 * breaks "priya.raman@example.com" as "priya.raman" / "@example.com", never inside a word.
 */
export function wrappableEmail(address) {
  const parts = String(address).split(/(?=[@.])/);
  return parts.flatMap((part, index) => (index === 0 ? [part] : [h('wbr'), part]));
}

function thumbnail(employee, { eager }) {
  if (!employee.image_url) return avatarPlaceholder(employee.name, 'row-photo');
  const image = photoImage(employee, { class: 'row-photo', sizes: '2.5rem', alt: '', width: 40, height: 40,
    loading: eager ? 'eager' : 'lazy', onUnavailable: () => image.replaceWith(avatarPlaceholder(employee.name, 'row-photo')) });
  return image;
}

/** A cell of the table: what a field holds, as a link where it is a way to reach someone. */
function contactCell(key, value) {
  if (!hasValue(value)) return h('span', { class: 'none' }, '—');
  // One span inside the link: a phone's table makes the link a flex box, whose items would each be a word of its name.
  if (key === 'email') return h('a', { href: `mailto:${value}` }, h('span', {}, wrappableEmail(value)));
  if (key === 'phone') return h('a', { href: telHref(value) }, value);
  return String(value);
}

/**
 * Fills the table's head and body with `employees`; `changeable[i]` says whether the reader may
 * edit and delete the i-th, whose buttons `rowActions(employee)` makes.
 */
export function fillTable({ head, body }, employees, changeable, rowActions) {
  const columns = contactColumns.filter(({ key }) => employees.some((employee) => hasValue(employee[key])));
  const withActions = changeable.some(Boolean);
  head.replaceChildren(h('tr', {},
    h('th', { scope: 'col' }, 'Name'),
    h('th', { scope: 'col' }, 'Role'),
    h('th', { scope: 'col' }, 'Department'),
    ...columns.map(({ key, label }) => h('th', { scope: 'col', class: `column-${key}` }, label)),
    withActions ? h('th', { scope: 'col', class: 'actions-cell' }, h('span', { class: 'visually-hidden' }, 'Actions')) : null));
  body.replaceChildren(...employees.map((employee, index) => h('tr', { 'data-employee-id': employee.id },
    h('th', { scope: 'row' },
      h('a', { class: 'row-link', href: personHash(employee.id) }, thumbnail(employee, { eager: index < 12 }),
        h('span', { class: 'row-name' }, employee.name))),
    h('td', { 'data-label': 'Role', class: 'detail' }, employee.role),
    h('td', { 'data-label': 'Department', class: 'detail' }, employee.department),
    ...columns.map(({ key, label }) => h('td', { 'data-label': label, class: `detail column-${key}` }, contactCell(key, employee[key]))),
    withActions ? h('td', { class: 'actions-cell' },
      changeable[index] ? h('div', { class: 'row-actions' }, ...rowActions(employee)) : null) : null)));
}
