// Small DOM helpers shared by the views. Text always goes in as text nodes, never as HTML,
// so names and messages from the server cannot inject markup.

/** Creates an element: h('a', { href: '#/' }, 'Home'). `class`, `data-*`, `aria-*` become attributes. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** Says something to screen readers through the page's polite live region. */
export function announce(message) {
  const region = document.querySelector('[data-announcer]');
  region.textContent = '';
  // A fresh text node after a tick makes screen readers repeat an identical message.
  setTimeout(() => { region.textContent = message; }, 50);
}

/**
 * A labelled form field with an optional hint and a slot for its error message, tied together
 * with aria-describedby so a screen reader reads the label, the hint and the error.
 */
export function field({ name, label, hint, type = 'text', idPrefix = 'field', ...inputAttributes }) {
  const id = `${idPrefix}-${name}`;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const input = h('input', { id, name, type, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' '), ...inputAttributes });
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    input,
    h('p', { class: 'field-error', id: errorId, 'data-error-for': name, hidden: true }));
}

/** Clears every error shown in the form. */
export function clearErrors(form) {
  for (const slot of form.querySelectorAll('[data-error-for], [data-form-error]')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
}

/** Shows one message next to the named field. Returns the control, or null if the form has no such field. */
export function showFieldError(form, name, message) {
  const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (!slot) return null;
  slot.textContent = message;
  slot.hidden = false;
  const control = form.elements.namedItem(name);
  if (control instanceof Element) control.setAttribute('aria-invalid', 'true');
  return control instanceof Element ? control : slot;
}

/**
 * Shows an API error: each listed field's message next to its field (or `fieldForCode` maps an
 * error code to a field), anything else in the form's alert; focus moves to the first problem.
 */
export function showErrors(form, error, fieldForCode = {}) {
  clearErrors(form);
  // A refusal (403) names what the account lacks, such as a role, not a field of this form:
  // its message is shown whole.
  const fieldErrors = error.status === 403 ? [] : [...error.fields];
  if (fieldErrors.length === 0 && fieldForCode[error.code]) {
    fieldErrors.push({ field: fieldForCode[error.code], message: error.message });
  }
  const unplaced = [];
  let first = null;
  for (const { field: name, message } of fieldErrors) {
    const target = showFieldError(form, name, sentence(message));
    if (target) first ??= target;
    else unplaced.push(`${name}: ${message}`);
  }
  if (fieldErrors.length === 0 || unplaced.length > 0) {
    const alert = form.querySelector('[data-form-error]');
    alert.textContent = fieldErrors.length === 0 ? error.message : unplaced.join('. ');
    alert.hidden = false;
    first ??= alert;
  }
  first.focus();
}

/** The API writes field messages in lower case ("must be 8 to 72 bytes"); people read sentences. */
function sentence(message) {
  const text = String(message ?? '').trim();
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

/** The form-level alert every form carries for errors that belong to no single field. */
export function formAlert() {
  return h('p', { class: 'form-error', role: 'alert', tabindex: '-1', 'data-form-error': true, hidden: true });
}

/** Runs `action` with the form's submit button disabled, so a double click sends one request. */
export async function whileBusy(form, action) {
  const button = form.querySelector('[type="submit"]');
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } finally {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/** "5 Dec 2026, 17:42" in the reader's own locale and time zone; "—" for none. */
export function formatDateTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A <time> element showing `iso` as formatDateTime does, or "—" as text. */
export function timeElement(iso, fallback = '—') {
  return iso ? h('time', { datetime: iso }, formatDateTime(iso)) : fallback;
}

/**
 * A read-only text box holding a secret to hand on (an invitation or reset link), with a Copy
 * button. The text stays selectable, for browsers that do not allow copying from a plain-HTTP page.
 */
export function copyField({ id, label, value, hint }) {
  const input = h('input', { id, type: 'text', readonly: true, value, spellcheck: 'false', autocomplete: 'off',
    'aria-describedby': hint ? `${id}-hint` : null, class: 'copy-value' });
  input.addEventListener('focus', () => input.select());
  const status = h('span', { class: 'copy-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'button', 'aria-label': `Copy ${label.toLowerCase()}` }, 'Copy');
  button.addEventListener('click', async () => {
    status.textContent = (await copyText(input)) ? 'Copied.' : 'Select the text and copy it.';
  });
  return h('div', { class: 'field copy-field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('div', { class: 'copy-row' }, input, button),
    status);
}

/** Copies the input's text to the clipboard; resolves false where the browser refuses. */
async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** Up to two initials of a name, for the placeholder avatar. */
export function initials(name) {
  const words = String(name).trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => [...word][0].toUpperCase()).join('') || '?';
}

const avatarHues = 8;

/** A placeholder avatar: initials on a colour chosen from the name, so it stays the same everywhere. */
export function avatarPlaceholder(name, className) {
  let hash = 0;
  for (const char of String(name)) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return h('div', { class: `${className} avatar-placeholder avatar-hue-${hash % avatarHues}`, 'aria-hidden': 'true' }, initials(name));
}

/** Focuses the view's heading so keyboard and screen reader users start at the new content. */
export function focusHeading(root) {
  const heading = root.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

/** Asks a yes-or-no question in a modal dialog; resolves true only if the user confirmed. */
export function confirmDialog({ title, message, confirmLabel, cancelLabel = 'Cancel' }) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', role: 'alertdialog', 'aria-labelledby': 'confirm-heading', 'aria-describedby': 'confirm-text' },
      h('h2', { id: 'confirm-heading' }, title),
      h('p', { id: 'confirm-text' }, message),
      h('form', { method: 'dialog', class: 'actions' },
        h('button', { value: 'confirm', class: 'button button-danger' }, confirmLabel),
        h('button', { value: 'cancel', class: 'button', autofocus: true }, cancelLabel)));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'confirm');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * The sizes of an employee's photo, smallest first, as `{ width, url }` with `width` the
 * longest-side bound of each. A server that predates `image_variants` gives the thumbnail
 * (256 px) and the picture (1600 px).
 */
export function photoVariants(employee) {
  if (Array.isArray(employee.image_variants) && employee.image_variants.length > 0) {
    return [...employee.image_variants].sort((a, b) => a.width - b.width);
  }
  return [
    employee.thumbnail_url ? { width: 256, url: employee.thumbnail_url } : null,
    employee.image_url ? { width: 1600, url: employee.image_url } : null,
  ].filter(Boolean);
}

/**
 * An <img> of the employee's photo that lets the browser pick the smallest variant for its
 * slot (`sizes`). A variant that cannot be loaded (photos stored before a size existed have
 * none) gives way to the full picture; when that fails too, `onUnavailable(image)` is called.
 * `attributes` are the <img>'s own: class, alt, width, height, loading, fetchpriority.
 */
export function photoImage(employee, { sizes, onUnavailable, ...attributes }) {
  const variants = photoVariants(employee);
  const image = h('img', { ...attributes, src: variants[0].url, srcset: variants.map(({ url, width }) => `${url} ${width}w`).join(', '),
    sizes, decoding: 'async' });
  image.addEventListener('error', () => {
    image.addEventListener('error', () => onUnavailable(image), { once: true });
    image.removeAttribute('srcset');
    image.src = employee.image_url;
  }, { once: true });
  return image;
}
