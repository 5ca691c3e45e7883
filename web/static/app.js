// Entry point: who is signed in, the header, and the routes (kept in the address's #fragment,
// because paths such as /employees belong to the API).
import { api, setSessionRenewer } from './api.js';
import { announce } from './dom.js';
import { renderAuthPage, createSessionRenewer } from './views/auth.js';
import { renderDirectory, directoryReturnHash, preloadDirectory } from './views/directory.js';
import { renderEmployeeForm } from './views/employee-form.js';

const main = document.querySelector('main');
const account = document.querySelector('.account');
const session = { user: null, lastUsername: '' };
let pendingNotice = null;

function setUser(user) {
  session.user = user;
  if (user) session.lastUsername = user.username;
  account.hidden = !user;
  account.querySelector('[data-username]').textContent = user?.username ?? '';
}

/** Goes to `hash`, rendering even when the address already shows it. */
function navigate(hash, notice = null) {
  pendingNotice = notice;
  if (location.hash === hash) render();
  else location.hash = hash;
}

function parseRoute() {
  const [path, queryString = ''] = location.hash.replace(/^#/, '').split('?');
  return { path: path || '/', params: Object.fromEntries(new URLSearchParams(queryString)) };
}

function render() {
  const { path, params } = parseRoute();
  const notice = pendingNotice;
  pendingNotice = null;
  // Each route renders into its own container, so a slow view that finishes late cannot
  // overwrite the page the user has moved on to.
  const view = document.createElement('div');
  view.className = 'view';
  main.replaceChildren(view);

  if (path === '/signin' || path === '/signup') {
    if (session.user) {
      navigate('#/');
      return;
    }
    renderAuthPage(view, {
      mode: path.slice(1),
      notice,
      onSignedIn(user) {
        setUser(user);
        announce(`Signed in as ${user.username}.`);
        navigate(params.next && params.next.startsWith('#/') ? params.next : '#/');
      },
    });
    return;
  }
  if (!session.user) {
    const next = location.hash && location.hash !== '#/' ? `?next=${encodeURIComponent(location.hash)}` : '';
    navigate(`#/signin${next}`, notice);
    return;
  }

  const onSaved = (employee) => navigate(directoryReturnHash(), `Saved ${employee.name}.`);
  const onDeleted = (employee) => navigate(directoryReturnHash(), `Deleted ${employee.name}.`);
  const editMatch = path.match(/^\/edit\/(\d+)$/);
  if (path === '/') renderDirectory(view, { user: session.user, params, notice });
  else if (path === '/new') renderEmployeeForm(view, { user: session.user, onSaved, onDeleted });
  else if (editMatch) renderEmployeeForm(view, { user: session.user, id: editMatch[1], onSaved, onDeleted });
  else navigate('#/');
}

setSessionRenewer(createSessionRenewer({
  lastUsername: () => session.lastUsername,
  onSignedIn(user) {
    setUser(user);
    announce(`Signed in as ${user.username}. Carrying on.`);
  },
  onGaveUp() {
    setUser(null);
    navigate('#/signin', 'Your session has ended. Sign in again.');
  },
}));

account.querySelector('[data-sign-out]').addEventListener('click', async () => {
  try {
    await api.logout();
  } catch (error) {
    // A session that already ended is as good as signed out.
    if (error.status !== 401) {
      announce(`Signing out failed. ${error.message}`);
      return;
    }
  }
  setUser(null);
  navigate('#/signin', 'You have signed out.');
});

window.addEventListener('hashchange', render);

// The directory, where most visits start, is asked for beside the session check, not after it.
const start = parseRoute();
if (start.path === '/') preloadDirectory(start.params);
try {
  setUser(await api.me());
} catch {
  setUser(null);
}
render();
