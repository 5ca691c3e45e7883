// The signed-in person's own account: its role, two-factor sign-in (set up with a QR code and a
// first code, recovery codes shown once, turned off with the password), a new password, and
// signing out everywhere.
import { api } from '../api.js';
import { h, announce, field, formAlert, clearErrors, showErrors, focusHeading, whileBusy, confirmDialog, copyField } from '../dom.js';
import { roleName } from '../roles.js';

const passwordHint = '8 to 72 characters, not a common password and not containing your username.';

/** The base32 key in groups of four, easier to type by hand. */
function groupedSecret(secret) {
  return String(secret).replace(/\s+/g, '').match(/.{1,4}/g)?.join(' ') ?? '';
}

/**
 * The QR code of the server's SVG as an <img> of a data: URL: an image cannot run scripts or
 * reach the page, whatever the markup holds, and the CSP allows data: images.
 */
function qrImage(svg) {
  return h('img', { class: 'qr-code', src: `data:image/svg+xml,${encodeURIComponent(svg)}`, width: 200, height: 200,
    alt: 'QR code for your authenticator app. If you cannot scan it, enter the setup key below by hand.' });
}

/**
 * Renders the account screen into `main`. `onUserChanged(me)` is told the account's new state
 * (second factor on or off); `onSignedOutEverywhere(count)` after every session ended.
 */
export async function renderAccount(main, { notice, onUserChanged, onSignedOutEverywhere }) {
  document.title = 'Your account · HR Directory';
  main.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  let me;
  try {
    me = await api.me();
  } catch (error) {
    main.replaceChildren(h('section', { class: 'panel' }, h('h1', {}, 'Your account'),
      h('p', {}, `Your account could not be loaded. ${error.message}`)));
    focusHeading(main);
    return;
  }
  if (!me) return; // the session ended: the app asks to sign in again
  onUserChanged(me);

  const rerender = (message) => renderAccount(main, { notice: message, onUserChanged, onSignedOutEverywhere });
  const mfaSection = h('section', { class: 'panel account-section', 'aria-labelledby': 'mfa-heading' });

  main.replaceChildren(h('div', { class: 'account-page' },
    h('section', { class: 'panel account-section', 'aria-labelledby': 'account-heading' },
      h('h1', { id: 'account-heading' }, 'Your account'),
      notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
      me.mfa_enrolment_required
        ? h('p', { class: 'warning', 'data-enrolment-required': true },
          `Your role, ${roleName(me.role)}, requires two-factor sign-in. Set it up below to use the directory.`)
        : null,
      h('dl', { class: 'facts' },
        h('div', {}, h('dt', {}, 'Username'), h('dd', {}, me.username)),
        h('div', {}, h('dt', {}, 'Role'), h('dd', { 'data-role': me.role }, roleName(me.role))),
        h('div', {}, h('dt', {}, 'Two-factor sign-in'), h('dd', { 'data-mfa': me.mfa_enabled ? 'on' : 'off' }, me.mfa_enabled ? 'On' : 'Off')))),
    mfaSection,
    passwordSection(),
    signOutSection({ onSignedOutEverywhere })));

  if (me.mfa_enabled) showMfaOn(mfaSection, { onOff: () => rerender('Two-factor sign-in is off.') });
  else showMfaOff(mfaSection, { required: me.mfa_enrolment_required, onOn: () => rerender('Two-factor sign-in is on.') });
  focusHeading(main);
  if (me.mfa_enrolment_required) mfaSection.querySelector('button')?.focus();
}

/** Two-factor sign-in is off: what it is, and a button that starts setting it up. */
function showMfaOff(section, { required, onOn }) {
  const alert = formAlert();
  const start = h('button', { type: 'button', class: 'button button-primary' }, 'Set up two-factor sign-in');
  start.addEventListener('click', async () => {
    alert.hidden = true;
    start.disabled = true;
    try {
      showEnrolment(section, await api.startMfa(), { required, onOn });
    } catch (error) {
      if (error.code === 'mfa_already_enabled') {
        onOn();
        return;
      }
      alert.textContent = error.message;
      alert.hidden = false;
      alert.focus();
      start.disabled = false;
    }
  });
  section.replaceChildren(
    h('h2', { id: 'mfa-heading' }, 'Two-factor sign-in'),
    h('p', {}, 'With two-factor sign-in, signing in takes your password and a code from an authenticator app on your phone, so a stolen password alone is not enough.'),
    alert,
    h('div', { class: 'actions' }, start));
}

/** The enrolment: the QR code, the key by hand, and a first code that turns it on. */
function showEnrolment(section, enrolment, { required, onOn }) {
  const form = h('form', { novalidate: true, 'aria-labelledby': 'mfa-confirm-heading' },
    formAlert(),
    field({ idPrefix: 'mfa', name: 'code', label: 'Code from the app', hint: 'The 6 digits the app shows for HR Directory.',
      autocomplete: 'one-time-code', inputmode: 'numeric', autocapitalize: 'none', spellcheck: 'false', maxlength: 8, required: true }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, 'Turn on two-factor sign-in'),
      required ? null : h('button', { type: 'button', class: 'button', 'data-cancel': true }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const code = form.elements.code.value.replace(/\s+/g, '');
    try {
      const { recovery_codes: codes } = await whileBusy(form, () => api.confirmMfa(code));
      showRecoveryCodes(section, codes, { onDone: onOn });
    } catch (error) {
      if (error.code === 'mfa_not_started') error.message = 'This setup has ended. Start again to get a new QR code.';
      showErrors(form, error);
    }
  });
  form.querySelector('[data-cancel]')?.addEventListener('click', () => {
    showMfaOff(section, { required, onOn });
    section.querySelector('h2').setAttribute('tabindex', '-1');
    section.querySelector('h2').focus();
  });

  section.replaceChildren(
    h('h2', { id: 'mfa-heading', tabindex: '-1' }, 'Set up two-factor sign-in'),
    h('ol', { class: 'steps' },
      h('li', {},
        h('p', {}, 'Scan this QR code with an authenticator app (for example Google Authenticator, Microsoft Authenticator or 1Password).'),
        qrImage(enrolment.qr_svg)),
      h('li', {},
        copyField({ id: 'mfa-secret', label: 'Setup key', value: groupedSecret(enrolment.secret),
          hint: 'If you cannot scan the code, add an account in the app by hand with this key (time-based).' })),
      h('li', {},
        h('h3', { id: 'mfa-confirm-heading' }, 'Enter the code the app shows'),
        form)));
  section.querySelector('h2').focus();
}

/** The recovery codes, shown this once, and a button to carry on once they are saved. */
function showRecoveryCodes(section, codes, { onDone }) {
  const done = h('button', { type: 'button', class: 'button button-primary' }, 'I have saved my recovery codes');
  done.addEventListener('click', onDone);
  const list = h('ul', { class: 'recovery-codes', 'aria-labelledby': 'mfa-heading' }, codes.map((code) => h('li', {}, h('code', {}, code))));
  section.replaceChildren(
    h('h2', { id: 'mfa-heading', tabindex: '-1' }, 'Your recovery codes'),
    h('p', { class: 'notice', role: 'status' }, 'Two-factor sign-in is on.'),
    h('p', {}, 'Each code signs you in once if you lose your phone. Save them somewhere safe now, such as a password manager: they are not shown again.'),
    list,
    copyField({ id: 'mfa-recovery-codes', label: 'Recovery codes', value: codes.join(' ') }),
    h('div', { class: 'actions' }, done));
  announce('Two-factor sign-in is on. Save your recovery codes.');
  section.querySelector('h2').focus();
}

/** Two-factor sign-in is on: turning it off takes the password. */
function showMfaOn(section, { onOff }) {
  const form = h('form', { novalidate: true, 'aria-labelledby': 'mfa-heading' },
    formAlert(),
    field({ idPrefix: 'mfa-off', name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-danger' }, 'Turn off two-factor sign-in')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await whileBusy(form, () => api.disableMfa(form.elements.password.value));
      onOff();
    } catch (error) {
      showErrors(form, error);
    }
  });
  section.replaceChildren(
    h('h2', { id: 'mfa-heading' }, 'Two-factor sign-in'),
    h('p', {}, 'On: signing in asks for a code from your authenticator app after your password. If you lose your phone, sign in with a recovery code.'),
    form);
}

function passwordSection() {
  const status = h('p', { class: 'notice', role: 'status', hidden: true });
  const form = h('form', { novalidate: true, 'aria-labelledby': 'password-heading' },
    formAlert(),
    field({ idPrefix: 'password', name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password', required: true }),
    field({ idPrefix: 'password', name: 'new_password', label: 'New password', type: 'password', hint: passwordHint, autocomplete: 'new-password', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Change password')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    status.hidden = true;
    try {
      await whileBusy(form, () => api.changePassword(form.elements.current_password.value, form.elements.new_password.value));
      form.reset();
      status.textContent = 'Your password has changed. Every other device signed in to your account has been signed out.';
      status.hidden = false;
    } catch (error) {
      showErrors(form, error);
    }
  });
  return h('section', { class: 'panel account-section', 'aria-labelledby': 'password-heading' },
    h('h2', { id: 'password-heading' }, 'Change your password'), status, form);
}

function signOutSection({ onSignedOutEverywhere }) {
  const alert = formAlert();
  const button = h('button', { type: 'button', class: 'button button-danger-quiet' }, 'Sign out everywhere');
  button.addEventListener('click', async () => {
    const confirmed = await confirmDialog({ title: 'Sign out everywhere?',
      message: 'Every browser and device signed in to your account is signed out, this one too.', confirmLabel: 'Sign out everywhere' });
    if (!confirmed) return;
    try {
      const result = await api.signOutEverywhere();
      onSignedOutEverywhere(result?.sessions ?? null);
    } catch (error) {
      alert.textContent = error.message;
      alert.hidden = false;
      alert.focus();
    }
  });
  return h('section', { class: 'panel account-section', 'aria-labelledby': 'sessions-heading' },
    h('h2', { id: 'sessions-heading' }, 'Signed-in devices'),
    h('p', {}, 'Lost a phone, or signed in on a shared computer? Sign out every device at once.'),
    alert,
    h('div', { class: 'actions' }, button));
}
