// Sign-in and sign-up pages, and the dialog that renews an expired session in place.
import { api, ApiError } from '../api.js';
import { h, field, formAlert, showErrors, clearErrors, focusHeading, whileBusy } from '../dom.js';

const usernameHint = '3 to 64 characters: letters, digits, dots, dashes or underscores.';
const passwordHint = '8 to 72 characters.';
const wrongCredentials = 'Wrong username or password.';

function credentialFields(idPrefix, mode) {
  return [
    field({ idPrefix, name: 'username', label: 'Username', hint: mode === 'signup' ? usernameHint : null,
      autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true }),
    field({ idPrefix, name: 'password', label: 'Password', type: 'password', hint: mode === 'signup' ? passwordHint : null,
      autocomplete: mode === 'signup' ? 'new-password' : 'current-password', required: true }),
  ];
}

async function signIn(form) {
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  try {
    return await api.login(username, password);
  } catch (error) {
    if (error.status === 401) error.message = wrongCredentials;
    throw error;
  }
}

/**
 * The sign-in page (mode 'signin') or the sign-up page (mode 'signup'). `notice` is shown above
 * the form (for example after signing out); `onSignedIn(user)` is called once a session exists.
 */
export function renderAuthPage(main, { mode, notice, onSignedIn }) {
  const signup = mode === 'signup';
  const title = signup ? 'Create an account' : 'Sign in';
  document.title = `${title} · HR Directory`;

  const form = h('form', { class: 'auth-form', novalidate: true, 'aria-labelledby': 'auth-heading' },
    formAlert(),
    credentialFields('auth', mode),
    h('button', { type: 'submit', class: 'button button-primary' }, signup ? 'Create account' : 'Sign in'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      const user = await whileBusy(form, async () => {
        if (signup) await api.register(form.elements.username.value.trim(), form.elements.password.value);
        return signIn(form);
      });
      onSignedIn(user);
    } catch (error) {
      showErrors(form, error, { username_taken: 'username' });
    }
  });

  main.replaceChildren(h('section', { class: 'panel auth-panel' },
    h('h1', { id: 'auth-heading' }, title),
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    form,
    signup
      ? h('p', {}, 'Already have an account? ', h('a', { href: '#/signin' }, 'Sign in'))
      : h('p', {}, 'New here? ', h('a', { href: '#/signup' }, 'Create an account'))));
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
