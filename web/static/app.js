// Entry point: who is signed in, the header, and the routes (kept in the address's #fragment,
// because paths such as /employees belong to the API). Links that carry a one-time token
// (#invite=…, #setup=…, #reset=…) are read once and taken out of the address.
import { api, setSessionRenewer, setEnrolmentRequiredHandler } from './api.js';
import { announce } from './dom.js';
import { isAdmin, roleName } from './roles.js';
import { renderAuthPage, renderResetPage, createSessionRenewer } from './views/auth.js';
import { renderDirectory, directoryReturnHash, preloadDirectory } from './views/directory.js';
import { renderEmployeeForm } from './views/employee-form.js';
import { renderAccount } from './views/account.js';
import { renderAccounts, renderNotAdmin } from './views/admin.js';
import { renderInvitations } from './views/invitations.js';
import { renderAudit } from './views/audit.js';

const main = document.querySelector('main');
const account = document.querySelector('.account');
const adminLink = account.querySelector('[data-admin-link]');
const session = { user: null, lastUsername: '' };
// The token of the link the page was opened with: { kind: 'invite' | 'setup' | 'reset', token }.
let linkToken = null;
let pendingNotice = null;

function setUser(user) {
  session.user = user;
  if (user) session.lastUsername = user.username;
  account.hidden = !user;
  account.querySelector('[data-username]').textContent = user?.username ?? '';
  adminLink.hidden = !isAdmin(user);
}

/** Goes to `hash`, rendering even when the address already shows it. */
function navigate(hash, notice = null) {
  pendingNotice = notice;
  if (location.hash === hash) render();
  else location.hash = hash;
}

/**
 * Reads a token link's fragment (#invite=TOKEN, #setup=TOKEN, #reset=TOKEN), keeps the token
 * in memory only, and puts the page it leads to in the address instead, so the token is not
 * left in the history, a bookmark or a shared screen.
 */
function takeLinkToken() {
  const match = /^#(invite|setup|reset)=([^&?#]+)/.exec(location.hash);
  if (!match) return;
  linkToken = { kind: match[1], token: decodeURIComponent(match[2]) };
  history.replaceState(null, '', `${location.pathname}${location.search}${match[1] === 'reset' ? '#/reset' : '#/signup'}`);
}

function parseRoute() {
  const [path, queryString = ''] = location.hash.replace(/^#/, '').split('?');
  return { path: path || '/', params: Object.fromEntries(new URLSearchParams(queryString)) };
}

/** After a sign-in: the account as GET /me describes it (role, second factor), then the next page. */
async function signedIn(user, next) {
  let me = user;
  try {
    me = (await api.me()) ?? user;
  } catch {
    // The sign-in's own answer names the role; the rest can wait for the next page.
  }
  setUser(me);
  announce(`Signed in as ${me.username}.`);
  if (me.mfa_enrolment_required) navigate('#/account');
  else navigate(next && next.startsWith('#/') ? next : '#/');
}

function render() {
  takeLinkToken();
  const { path, params } = parseRoute();
  const notice = pendingNotice;
  pendingNotice = null;
  // Each route renders into its own container, so a slow view that finishes late cannot
  // overwrite the page the user has moved on to.
  const view = document.createElement('div');
  view.className = 'view';
  main.replaceChildren(view);

  if (path === '/reset') {
    renderResetPage(view, {
      token: linkToken?.kind === 'reset' ? linkToken.token : null,
      async onDone() {
        linkToken = null;
        setUser(await api.me().catch(() => null));
        navigate(session.user ? '#/' : '#/signin', 'The password has changed. Sign in with the new password.');
      },
    });
    return;
  }
  if (path === '/signin' || path === '/signup') {
    const invitation = path === '/signup' && linkToken && linkToken.kind !== 'reset' ? linkToken : null;
    if (session.user) {
      navigate('#/', invitation ? `You are signed in as ${session.user.username}. To create another account with this link, sign out and open the link again.` : null);
      return;
    }
    renderAuthPage(view, {
      mode: path.slice(1),
      notice,
      invitation,
      onSignedIn(user) {
        if (invitation) linkToken = null;
        signedIn(user, params.next);
      },
    });
    return;
  }
  if (!session.user) {
    const next = location.hash && location.hash !== '#/' ? `?next=${encodeURIComponent(location.hash)}` : '';
    navigate(`#/signin${next}`, notice);
    return;
  }
  if (session.user.mfa_enrolment_required && path !== '/account') {
    navigate('#/account', notice);
    return;
  }

  const onSaved = (employee) => navigate(directoryReturnHash(), `Saved ${employee.name}.`);
  const onDeleted = (employee) => navigate(directoryReturnHash(), `Deleted ${employee.name}.`);
  const editMatch = path.match(/^\/edit\/(\d+)$/);
  if (path === '/') renderDirectory(view, { user: session.user, params, notice });
  else if (path === '/new') renderEmployeeForm(view, { user: session.user, onSaved, onDeleted });
  else if (editMatch) renderEmployeeForm(view, { user: session.user, id: editMatch[1], onSaved, onDeleted });
  else if (path === '/account') {
    renderAccount(view, {
      notice,
      onUserChanged: setUser,
      onSignedOutEverywhere(count) {
        setUser(null);
        const sessions = typeof count === 'number' ? ` (${count === 1 ? '1 session' : `${count} sessions`})` : '';
        navigate('#/signin', `You have signed out on every device${sessions}.`);
      },
    });
  } else if (path.startsWith('/admin')) renderAdmin(view, path, params);
  else navigate('#/');
}

function renderAdmin(view, path, params) {
  if (!isAdmin(session.user)) renderNotAdmin(view);
  else if (path === '/admin/accounts') {
    renderAccounts(view, {
      me: session.user,
      onOwnRoleChanged(role) {
        setUser({ ...session.user, role });
        navigate('#/', `Your role is now ${roleName(role)}.`);
      },
    });
  }
  else if (path === '/admin/invitations') renderInvitations(view);
  else if (path === '/admin/audit') renderAudit(view, { params });
  else navigate('#/admin/accounts');
}

setSessionRenewer(createSessionRenewer({
  lastUsername: () => session.lastUsername,
  onSignedIn(user) {
    setUser({ ...session.user, ...user });
    announce(`Signed in as ${user.username}. Carrying on.`);
  },
  onGaveUp() {
    setUser(null);
    navigate('#/signin', 'Your session has ended. Sign in again.');
  },
}));

// A role that needs a second factor the account has not set up: the server refuses everything
// but the account's own routes until it has one.
setEnrolmentRequiredHandler(() => {
  if (!session.user) return; // still starting: GET /me says so, and the start sends the user there
  setUser({ ...session.user, mfa_enrolment_required: true });
  if (parseRoute().path !== '/account') navigate('#/account');
});

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
takeLinkToken();
const start = parseRoute();
if (start.path === '/' && !linkToken) preloadDirectory(start.params);
try {
  setUser(await api.me());
} catch {
  setUser(null);
}
render();
