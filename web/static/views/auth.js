// Sign-in (with a second step for a two-factor code), sign-up (open, by invitation, or the
// first administrator's setup link), setting a new password from a reset link, and the dialog
// that renews an expired session in place.
import { api, ApiError } from '../api.js';
import { h, field, formAlert, showErrors, showFieldError, clearErrors, focusHeading, whileBusy } from '../dom.js';

const usernameHint = '3 to 64 characters: letters, digits, dots, dashes or underscores.';
const passwordHint = '8 to 72 characters, not a common password and not containing your username.';
const wrongCredentials = 'Wrong username or password.';
const codeHint = 'The 6-digit code your authenticator app shows for HR Directory.';
const recoveryHint = 'One of the recovery codes you saved when you set up two-factor sign-in, such as abcde-12345.';
const wrongCode = 'That code is not right, or was already used. Enter the newest code from your app, or a recovery code.';

function credentialFields(idPrefix, mode) {
  const creating = mode !== 'signin';
  return [
    field({ idPrefix, name: 'username', label: 'Username', hint: creating ? usernameHint : null,
      autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true }),
    field({ idPrefix, name: 'password', label: 'Password', type: 'password', hint: creating ? passwordHint : null,
      autocomplete: creating ? 'new-password' : 'current-password', required: true }),
  ];
}

/**
 * The second step of a sign-in, hidden until the server asks for it (401 mfa_required): a field
 * for the authenticator's code, which can switch to taking a recovery code instead.
 */
function codeStep(idPrefix) {
  const codeField = field({ idPrefix, name: 'code', label: 'Authentication code', hint: codeHint,
    autocomplete: 'one-time-code', inputmode: 'numeric', autocapitalize: 'none', spellcheck: 'false', maxlength: 32 });
  const input = codeField.querySelector('input');
  const hint = codeField.querySelector('.hint');
  const label = codeField.querySelector('label');
  const toggle = h('button', { type: 'button', class: 'button button-link', 'aria-controls': input.id }, 'Use a recovery code instead');
  toggle.addEventListener('click', () => {
    const recovery = input.getAttribute('inputmode') === 'numeric';
    input.setAttribute('inputmode', recovery ? 'text' : 'numeric');
    input.setAttribute('autocomplete', recovery ? 'off' : 'one-time-code');
    label.textContent = recovery ? 'Recovery code' : 'Authentication code';
    hint.textContent = recovery ? recoveryHint : codeHint;
    toggle.textContent = recovery ? 'Use a code from the app instead' : 'Use a recovery code instead';
    input.value = '';
    input.focus();
  });
  return h('div', { class: 'code-step', 'data-code-step': true, hidden: true },
    h('p', { class: 'notice', id: `${idPrefix}-code-intro` }, 'This account uses two-factor sign-in.'),
    codeField, toggle);
}

/** Shows the code step and puts focus on its field. */
function askForCode(form) {
  const step = form.querySelector('[data-code-step]');
  step.hidden = false;
  form.elements.code.required = true;
  form.elements.code.focus();
}

/**
 * Signs in with what the form holds. Resolves to the user, or to null when the server asked
 * for a second factor (the form then shows its code field); rejects with the API's error.
 */
async function signIn(form) {
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  const step = form.querySelector('[data-code-step]');
  const code = step && !step.hidden ? form.elements.code.value.replace(/\s+/g, '') : '';
  if (step && !step.hidden && !code) {
    showFieldError(form, 'code', 'Enter the code from your authenticator app, or a recovery code.').focus();
    return null;
  }
  try {
    return await api.login(username, password, code || undefined);
  } catch (error) {
    if (error.code === 'mfa_required' && step) {
      askForCode(form);
      return null;
    }
    if (error.status === 401) {
      if (code) {
        form.elements.code.value = '';
        error.fields = [{ field: 'code', message: wrongCode }];
      } else {
        error.message = wrongCredentials;
      }
    }
    throw error;
  }
}

/** What a refused invitation means for the person holding it. */
function invitationRefusal(invitation) {
  if (invitation?.kind === 'setup') {
    return 'This setup link no longer works: an administrator already exists. Sign in, or ask an administrator for an invitation.';
  }
  if (invitation) {
    return 'This invitation link cannot be used: it has expired, was already used or was revoked. Ask an administrator for a new one.';
  }
  return 'You need an invitation to create an account here. Ask an administrator for an invitation link and open it to sign up.';
}

const signupPages = {
  signup: { title: 'Create an account', intro: null },
  invite: { title: 'Create your account', intro: 'You have been invited to the HR Directory. Choose a username and a password.' },
  setup: { title: 'Create the first administrator account',
    intro: 'This link sets up the directory\u2019s first administrator, who then invites everyone else. It stops working once an administrator exists.' },
};

/**
 * The sign-in page (mode 'signin') or the sign-up page (mode 'signup'). `invitation`
 * ({ kind: 'invite' | 'setup', token }) is sent with the sign-up; `notice` is shown above the
 * form (for example after signing out); `onSignedIn(user)` is called once a session exists.
 */
export function renderAuthPage(main, { mode, notice, invitation = null, onSignedIn }) {
  const signup = mode === 'signup';
  const page = signup ? signupPages[invitation?.kind ?? 'signup'] : { title: 'Sign in', intro: null };
  document.title = `${page.title} · HR Directory`;

  const form = h('form', { class: 'auth-form', novalidate: true, 'aria-labelledby': 'auth-heading' },
    formAlert(),
    credentialFields('auth', mode),
    signup ? null : codeStep('auth'),
    h('button', { type: 'submit', class: 'button button-primary' }, signup ? 'Create account' : 'Sign in'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      const user = await whileBusy(form, async () => {
        if (signup) await api.register(form.elements.username.value.trim(), form.elements.password.value, invitation?.token);
        return signIn(form);
      });
      if (user) onSignedIn(user);
    } catch (error) {
      if (error.code === 'invitation_required') error.message = invitationRefusal(invitation);
      showErrors(form, error, { username_taken: 'username' });
    }
  });

  main.replaceChildren(h('section', { class: 'panel auth-panel' },
    h('h1', { id: 'auth-heading' }, page.title),
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    page.intro ? h('p', {}, page.intro) : null,
    form,
    signup
      ? h('p', {}, 'Already have an account? ', h('a', { href: '#/signin' }, 'Sign in'))
      : h('p', {}, 'New here? ', h('a', { href: '#/signup' }, 'Create an account'))));
  focusHeading(main);
}

/**
 * The page of a password-reset link: a new password for the account the link was made for.
 * `token` is null when the link's token is no longer at hand (the page was reloaded).
 * `onDone()` is called once the password has changed.
 */
export function renderResetPage(main, { token, onDone }) {
  const title = 'Set a new password';
  document.title = `${title} · HR Directory`;
  if (!token) {
    main.replaceChildren(h('section', { class: 'panel auth-panel' },
      h('h1', {}, title),
      h('p', {}, 'Open the password-reset link you were given again: it is read once, when the page opens.'),
      h('p', {}, h('a', { href: '#/signin' }, 'Go to the sign-in page'))));
    focusHeading(main);
    return;
  }
  const form = h('form', { class: 'auth-form', novalidate: true, 'aria-labelledby': 'auth-heading' },
    formAlert(),
    field({ idPrefix: 'reset', name: 'new_password', label: 'New password', type: 'password', hint: passwordHint,
      autocomplete: 'new-password', required: true }),
    h('button', { type: 'submit', class: 'button button-primary' }, 'Set password'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await whileBusy(form, () => api.resetPassword(token, form.elements.new_password.value));
      onDone();
    } catch (error) {
      if (error.code === 'reset_invalid') {
        error.message = 'This password-reset link has expired or was already used. Ask an administrator for a new one.';
      }
      error.fields = error.fields.map((entry) => (entry.field === 'password' ? { ...entry, field: 'new_password' } : entry));
      showErrors(form, error);
    }
  });
  main.replaceChildren(h('section', { class: 'panel auth-panel' },
    h('h1', { id: 'auth-heading' }, title),
    h('p', {}, 'Choose a new password. Every device signed in to the account is signed out.'),
    form));
  focusHeading(main);
}

/**
 * Returns a function that renews an expired session: it opens a modal sign-in dialog over the
 * current page (which keeps whatever the user typed) and resolves once the user signed in
 * again, or rejects if they chose to leave. Concurrent callers share one dialog.
 */
export function createSessionRenewer({ lastUsername, onSignedIn, onGaveUp }) {
  let pending = null;

  return function renew() {
    pending ??= new Promise((resolve, reject) => {
      const form = h('form', { method: 'dialog', novalidate: true },
        formAlert(),
        credentialFields('renew', 'signin'),
        codeStep('renew'),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'button button-primary' }, 'Sign in and continue'),
          h('button', { type: 'button', class: 'button', 'data-leave': true }, 'Go to the sign-in page')));
      const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'renew-heading', 'aria-describedby': 'renew-text' },
        h('h2', { id: 'renew-heading' }, 'Your session has ended'),
        h('p', { id: 'renew-text' }, 'Sign in again to carry on. What you typed on this page is kept.'),
        form);

      const finish = (settle) => {
        dialog.close();
        dialog.remove();
        pending = null;
        settle();
      };
      // Escape would leave the page unusable behind a dead session: leaving is an explicit button.
      dialog.addEventListener('cancel', (event) => event.preventDefault());
      form.querySelector('[data-leave]').addEventListener('click', () => finish(() => {
        reject(new ApiError(401, { error: 'unauthorized', message: 'Your session has ended.' }));
        onGaveUp();
      }));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearErrors(form);
        try {
          const user = await whileBusy(form, () => signIn(form));
          if (!user) return;
          finish(resolve);
          onSignedIn(user);
        } catch (error) {
          showErrors(form, error);
        }
      });

      document.body.append(dialog);
      const username = lastUsername();
      if (username) form.elements.username.value = username;
      dialog.showModal();
      (username ? form.elements.password : form.elements.username).focus();
    });
    return pending;
  };
}
