// Add and edit a profile: text fields, a photo picker with a preview, and delete for those who
// may (the person who added it, HR and administrators). The contact fields (email, phone,
// location, start date) and the manager appear where the server has them. Leaving with unsaved changes asks first.
import { api } from '../api.js';
import { loadCapabilities } from '../capabilities.js';
import { setLeaveGuard, clearLeaveGuard } from '../leave-guard.js';
import { confirmDeletion, directoryReturnHash } from './directory.js';
import { h, field, formAlert, clearErrors, showErrors, showFieldError, avatarPlaceholder, focusHeading, whileBusy, photoImage } from '../dom.js';
import { canChangeProfile } from '../roles.js';
import { imageHint, imageTypes, preparePhoto, PhotoProblem, typeProblem } from '../photo-upload.js';

/** "1.4 MB": what a person reads for the size of a file. */
function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function message(main, title, text, returnHash) {
  document.title = `${title} · HR Directory`;
  main.replaceChildren(h('section', { class: 'panel' },
    h('h1', {}, title), h('p', {}, text), h('p', {}, h('a', { href: returnHash }, 'Back'))));
  focusHeading(main);
}

// Fields beside name, role and department, shown when the profile has them or the server takes them.
// docs/api.md ("Rules") has the server's limits; it judges the values and names the field it refuses.
const optionalFields = [
  { name: 'email', label: 'Email', type: 'email', autocomplete: 'off', maxlength: 254 },
  { name: 'phone', label: 'Phone', type: 'tel', autocomplete: 'off', maxlength: 40,
    hint: 'Digits with spaces and + ( ) - . /, an extension as x12.' },
  { name: 'location', label: 'Location', type: 'text', autocomplete: 'off', maxlength: 255 },
  { name: 'start_date', label: 'Start date', type: 'date' },
  { name: 'manager_id', label: 'Manager' },
];

// The most profiles the manager list reads (pages of 100, the most GET /employees gives at once).
const managerChoicesRead = 2000;

/**
 * The manager as a choice among the other profiles, sorted by name. The current manager is
 * there from the start, so the form can be used (and saved unchanged) before the list arrives.
 */
function managerField(employee) {
  const id = 'employee-manager_id';
  const current = employee?.manager_id ?? null;
  const select = h('select', { id, name: 'manager_id', 'aria-describedby': `${id}-hint ${id}-error` },
    h('option', { value: '' }, 'No manager'),
    current !== null ? h('option', { value: String(current) }, `Profile ${current}`) : null);
  select.value = current !== null ? String(current) : '';
  const hint = h('p', { class: 'hint', id: `${id}-hint` }, 'Whom this person reports to.');
  const container = h('div', { class: 'field' },
    h('label', { for: id }, 'Manager'), hint, select,
    h('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': 'manager_id', hidden: true }));

  (async () => {
    const people = [];
    let total = Infinity;
    while (people.length < Math.min(total, managerChoicesRead)) {
      const page = await api.listEmployees({ limit: 100, offset: people.length });
      total = page.total;
      people.push(...page.employees);
      if (page.employees.length === 0) break;
    }
    if (current !== null && !people.some((person) => String(person.id) === String(current))) {
      people.push(await api.getEmployee(current).catch(() => ({ id: current, name: `Profile ${current}` })));
    }
    const choices = people.filter((person) => !employee || String(person.id) !== String(employee.id))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
    const chosen = select.value;
    select.replaceChildren(h('option', { value: '' }, 'No manager'),
      ...choices.map((person) => h('option', { value: String(person.id) },
        [person.name, person.role, person.department].filter(Boolean).join(' · '))));
    select.value = chosen;
    if (total > people.length) hint.textContent = `Whom this person reports to. The first ${people.length} of ${total} profiles are listed.`;
  })().catch(() => {
    hint.textContent = 'Whom this person reports to. The list of profiles could not be loaded.';
  });
  return container;
}

/**
 * Renders the add form (no `id`) or the edit form of employee `id` into `main`.
 * `onSaved(employee)` and `onDeleted(employee)` are called after the server confirmed;
 * `returnHash` is where Cancel goes.
 */
export async function renderEmployeeForm(main, { user, id, onSaved, onDeleted, returnHash = directoryReturnHash() }) {
  let employee = null;
  if (id !== undefined) {
    main.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    try {
      employee = await api.getEmployee(id);
    } catch (error) {
      if (error.status === 404) message(main, 'Profile not found', 'This profile does not exist or was deleted.', returnHash);
      else message(main, 'Profile unavailable', `The profile could not be loaded. ${error.message}`, returnHash);
      return;
    }
    if (!canChangeProfile(user, employee)) {
      message(main, employee.name, 'Only the person who added this profile can edit or delete it. People with the HR or administrator role can too.', returnHash);
      return;
    }
  }
  const { profileFields } = await loadCapabilities();
  if (!main.isConnected) return;
  const extraFields = optionalFields.filter(({ name }) => (employee ? name in employee : profileFields.has(name)));

  const editing = employee !== null;
  const title = editing ? `Edit ${employee.name}` : 'Add employee';
  document.title = `${title} · HR Directory`;

  const text = (name, label) => field({ idPrefix: 'employee', name, label, required: true, maxlength: 255,
    value: employee?.[name] ?? '', autocomplete: 'off' });
  const departmentField = text('department', 'Department');
  const extras = extraFields.map(({ name, label, ...attributes }) => (name === 'manager_id' ? managerField(employee)
    : field({ idPrefix: 'employee', name, label, ...attributes, value: employee?.[name] ?? '' })));
  const departmentList = h('datalist', { id: 'department-options' });
  departmentField.querySelector('input').setAttribute('list', departmentList.id);

  const preview = h('div', { class: 'photo-preview' });
  const imageInput = h('input', { id: 'employee-image', name: 'image', type: 'file', accept: imageTypes.join(','),
    'aria-describedby': 'employee-image-hint employee-image-status employee-image-error' });
  const removeImage = editing && employee.image_url
    ? h('input', { id: 'employee-remove-image', name: 'remove_image', type: 'checkbox' })
    : null;
  let previewUrl = null;
  // What the chosen file becomes for the upload (preparePhoto), started as soon as it is chosen.
  let preparedPhoto = null;
  const photoStatus = h('p', { class: 'hint', id: 'employee-image-status', 'aria-live': 'polite' });
  const uploadProgress = h('progress', { id: 'employee-upload-progress', max: 1, value: 0 });
  const uploadField = h('div', { class: 'upload-progress', hidden: true },
    h('label', { for: uploadProgress.id }, 'Uploading the photo'), uploadProgress);

  function showPreview() {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    const file = imageInput.files[0];
    if (file) {
      previewUrl = URL.createObjectURL(file);
      preview.replaceChildren(h('img', { src: previewUrl, alt: `Preview of the chosen photo, ${file.name}` }));
    } else if (employee?.image_url && !removeImage?.checked) {
      preview.replaceChildren(photoImage(employee, { sizes: '8rem', alt: `Current photo of ${employee.name}`,
        onUnavailable: (image) => image.replaceWith(avatarPlaceholder(employee.name, 'photo-placeholder')) }));
    } else {
      preview.replaceChildren(avatarPlaceholder(employee?.name ?? '', 'photo-placeholder'));
    }
  }

  const form = h('form', { class: 'employee-form', novalidate: true, 'aria-labelledby': 'form-heading' },
    formAlert(),
    text('name', 'Name'),
    text('role', 'Role'),
    departmentField, departmentList,
    ...extras,
    h('fieldset', { class: 'photo-field' },
      h('legend', {}, 'Photo'),
      preview,
      h('div', { class: 'photo-controls' },
        h('label', { for: imageInput.id }, editing && employee.image_url ? 'Replace the photo' : 'Choose a photo'),
        h('p', { class: 'hint', id: 'employee-image-hint' }, imageHint),
        imageInput,
        photoStatus,
        h('p', { class: 'field-error', id: 'employee-image-error', 'data-error-for': 'image', hidden: true }),
        uploadField,
        removeImage ? h('div', { class: 'checkbox' }, removeImage, h('label', { for: removeImage.id }, 'Remove the current photo')) : null)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, editing ? 'Save changes' : 'Add employee'),
      h('a', { class: 'button', href: returnHash }, 'Cancel'),
      editing ? h('button', { type: 'button', class: 'button button-danger', 'data-delete': true }, 'Delete') : null));

  /** Starts preparing the chosen photo and says what will be sent once that is known. */
  function preparePhotoOf(file) {
    photoStatus.textContent = '';
    const preparing = preparePhoto(file);
    preparedPhoto = preparing;
    preparing.then(({ resized, file: upload }) => {
      if (preparedPhoto !== preparing || !resized) return;
      const { from, to } = resized;
      photoStatus.textContent = from.width === to.width && from.height === to.height
        ? `Compressed to ${megabytes(upload.size)} as a JPEG of ${to.width} × ${to.height} pixels for the upload.`
        : `Resized from ${from.width} × ${from.height} to ${to.width} × ${to.height} pixels (${megabytes(upload.size)}) for the upload.`;
    }, (error) => {
      if (preparedPhoto === preparing && error instanceof PhotoProblem) showFieldError(form, 'image', error.message);
    });
  }

  imageInput.addEventListener('change', () => {
    clearErrors(form);
    preparedPhoto = null;
    photoStatus.textContent = '';
    const file = imageInput.files[0];
    // The server judges the bytes; this only spares an upload that is plainly not an image.
    const problem = file ? typeProblem(file) : null;
    if (problem) {
      imageInput.value = '';
      showFieldError(form, 'image', problem);
    } else if (file) {
      preparePhotoOf(file);
    }
    if (imageInput.files[0] && removeImage) removeImage.checked = false;
    showPreview();
  });
  removeImage?.addEventListener('change', () => {
    if (removeImage.checked) imageInput.value = '';
    showPreview();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = new FormData();
    for (const name of ['name', 'role', 'department']) body.append(name, form.elements[name].value);
    // An edit sends each contact field, empty to clear it; an addition only those filled in.
    for (const { name } of extraFields) {
      const value = form.elements[name].value.trim();
      if (editing || value) body.append(name, value);
    }
    const file = imageInput.files[0];
    if (file) preparedPhoto ??= preparePhoto(file);
    else if (removeImage?.checked) body.append('remove_image', 'true');

    // The bar shows only while a photo's bytes are on their way.
    const onUploadProgress = (sent, total) => {
      uploadProgress.max = total;
      uploadProgress.value = sent;
    };
    try {
      const saved = await whileBusy(form, async () => {
        if (file) {
          const upload = (await preparedPhoto).file;
          body.append('image', upload, upload.name);
          uploadProgress.value = 0;
          uploadField.hidden = false;
        }
        return editing ? api.replaceEmployee(employee.id, body, { onUploadProgress })
          : api.createEmployee(body, { onUploadProgress });
      });
      changed = false;
      clearLeaveGuard();
      onSaved(saved);
    } catch (error) {
      if (error instanceof PhotoProblem) {
        showFieldError(form, 'image', error.message).focus();
        return;
      }
      if (error.code === 'payload_too_large') error.message = `The photo is too large. ${imageHint}`;
      showErrors(form, error, file ? { unsupported_image_type: 'image', payload_too_large: 'image', network_error: 'image' } : {});
    } finally {
      uploadField.hidden = true;
    }
  });

  form.querySelector('[data-delete]')?.addEventListener('click', async () => {
    if (!(await confirmDeletion(employee))) return;
    try {
      await api.deleteEmployee(employee.id);
      changed = false;
      clearLeaveGuard();
      onDeleted(employee);
    } catch (error) {
      showErrors(form, error);
    }
  });

  // Anything typed or chosen since the form opened is a change that leaving would drop.
  let changed = false;
  form.addEventListener('input', () => { changed = true; });
  form.addEventListener('change', () => { changed = true; });
  setLeaveGuard(() => changed && main.isConnected);

  showPreview();
  main.replaceChildren(h('section', { class: 'panel form-panel' }, h('h1', { id: 'form-heading' }, title), form));
  focusHeading(main);

  api.departments()
    .then((departments) => departmentList.replaceChildren(...departments.map(({ department }) => h('option', { value: department }))))
    .catch(() => { /* suggestions are a convenience; the field still takes any text */ });
}
