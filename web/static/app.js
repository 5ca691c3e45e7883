// Entry point: who is signed in, the header, and the routes (kept in the address's #fragment,
// because paths such as /employees belong to the API). Links that carry a one-time token
// (#invite=…, #setup=…, #reset=…) are read once and taken out of the address.
import { api, setSessionRenewer, setEnrolmentRequiredHandler } from './api.js';
import { loadCapabilities } from './capabilities.js';
import { announce, confirmDialog } from './dom.js';
import { clearLeaveGuard, hasUnsavedChanges } from './leave-guard.js';
import { isAdmin, roleName } from './roles.js';
import { renderAuthPage, renderResetPage, createSessionRenewer } from './views/auth.js';
import { renderDirectory, directoryReturnHash, preloadDirectory, personHash } from './views/directory.js';
import { renderEmployeeForm } from './views/employee-form.js';
import { renderPerson } from './views/person.js';
import { renderImport, describeCounts } from './views/csv-import.js';
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
// The route on screen: its path, its address, and the directory's controller when it is the directory.
let current = { path: null, hash: '', directory: null };
// The address of the route shown before this one, for a form's Cancel and Save to go back to.
let previousHash = '';

function setUser(user) {
  session.user = user;
  if (user) session.lastUsername = user.username;
  account.hidden = !user;
  account.querySelector('[data-username]').textContent = user?.username ?? '';
  adminLink.hidden = !isAdmin(user);
}

/**
 * Goes to `hash`, rendering even when the address already shows it. `force` drops unsaved
 * changes without asking (the session is gone, or the user has just signed out); `replace`
 * takes the place of the current history entry (a form that has done its work).
 */
function navigate(hash, notice = null, { force = false, replace = false } = {}) {
  if (force) clearLeaveGuard();
  pendingNotice = notice;
  if (location.hash === hash) render();
  else if (replace) location.replace(hash);
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
  clearLeaveGuard();
  if (current.hash !== location.hash) previousHash = current.hash;
  // Back and Forward between the directory's own entries show them in place: the search box
  // keeps its focus and the page is not built again.
  if (path === '/' && current.path === '/' && current.directory && session.user && !notice) {
    current.hash = location.hash;
    current.directory.update(params);
    return;
  }
  current = { path, hash: location.hash, directory: null };
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

  const onDeleted = (employee) => navigate(directoryReturnHash(), `Deleted ${employee.name}.`);
  const editMatch = path.match(/^\/edit\/(\d+)$/);
  const personMatch = path.match(/^\/people\/(\d+)$/);
  if (path === '/') current.directory = renderDirectory(view, { user: session.user, params, notice });
  else if (personMatch) renderPerson(view, { user: session.user, id: personMatch[1], notice, onDeleted });
  else if (path === '/new') {
    // A new person's page opens once they are saved, in the form's place: Back goes to where Add was pressed.
    renderEmployeeForm(view, { user: session.user, returnHash: returnHash(), onDeleted,
      onSaved: (employee) => navigate(personHash(employee.id), `Saved ${employee.name}.`, { replace: true }) });
  } else if (editMatch) {
    // An edit goes back where it was opened from: the person's page or the directory.
    const back = returnHash(editMatch[1]);
    renderEmployeeForm(view, { user: session.user, id: editMatch[1], returnHash: back, onDeleted,
      onSaved: (employee) => navigate(back, `Saved ${employee.name}.`) });
  } else if (path === '/import') {
    // A finished import opens the directory where it was left, read again, with the counts.
    renderImport(view, { user: session.user, returnHash: directoryReturnHash(),
      onImported: (counts, fileName) => navigate(directoryReturnHash(),
        `Imported ${fileName}: ${describeCounts(counts, { dryRun: false })}.`) });
  } else if (path === '/account') {
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

/** Where a form returns to: the directory or a person's page it was opened from (that person's, for an edit). */
function returnHash(id) {
  const from = previousHash.replace(/^#/, '').split('?')[0] || '/';
  if (from === '/') return directoryReturnHash();
  const person = from.match(/^\/people\/(\d+)$/);
  if (person && (id === undefined || person[1] === id)) return previousHash;
  return directoryReturnHash();
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
    navigate('#/signin', 'Your session has ended. Sign in again.', { force: true });
  },
}));

// A role that needs a second factor the account has not set up: the server refuses everything
// but the account's own routes until it has one.
setEnrolmentRequiredHandler(() => {
  if (!session.user) return; // still starting: GET /me says so, and the start sends the user there
  setUser({ ...session.user, mfa_enrolment_required: true });
  if (parseRoute().path !== '/account') navigate('#/account', null, { force: true });
});

account.querySelector('[data-sign-out]').addEventListener('click', async () => {
  if (hasUnsavedChanges() && !(await mayLeave())) return;
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
  navigate('#/signin', 'You have signed out.', { force: true });
});

let askingToLeave = false;

/** Asks whether to drop the form's unsaved changes; resolves true if the user agrees (and the guard is gone). */
async function mayLeave() {
  if (askingToLeave) return false;
  askingToLeave = true;
  try {
    const discard = await confirmDialog({ title: 'Discard your changes?', message: 'What you changed in this form has not been saved.',
      confirmLabel: 'Discard changes', cancelLabel: 'Keep editing' });
    if (discard) clearLeaveGuard();
    return discard;
  } finally {
    askingToLeave = false;
  }
}

// A link within the app while a form holds unsaved changes: asked before the address changes,
// so staying leaves no entry behind in the history.
document.addEventListener('click', async (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[href^="#/"]') : null;
  if (!link || link.target || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (!hasUnsavedChanges()) return;
  event.preventDefault();
  if (!(await mayLeave())) return;
  const hash = link.getAttribute('href');
  if (location.hash === hash) render();
  else location.hash = hash;
}, true);

/**
 * Back or Forward (or an address typed) while a form holds unsaved changes: the form's address
 * goes back on top and the user is asked; a yes steps back from it, which lands exactly on the
 * entry the user went to, whichever way they went.
 */
async function leaveForm(event) {
  history.pushState(null, '', new URL(event.oldURL).hash);
  if (await mayLeave()) history.back();
}

window.addEventListener('hashchange', (event) => {
  if (hasUnsavedChanges()) leaveForm(event);
  else render();
});

// The session check goes out first; the directory, where most visits start, is asked for beside
// it, not after it; what the server offers (/openapi.json) comes last.
takeLinkToken();
const start = parseRoute();
const me = api.me();
if (start.path === '/' && !linkToken) preloadDirectory(start.params);
// Whether the server sorts, exports and imports, and which profile fields it takes.
const capabilities = loadCapabilities();
try {
  setUser(await me);
} catch {
  setUser(null);
}
// The directory's controls (its sort, HR's export and import) come from that answer: a signed-in
// first page waits a moment for it, usually there already, so they do not push the page about when it comes.
if (session.user) await Promise.race([capabilities, new Promise((resolve) => { setTimeout(resolve, 1500); })]);
render();
