// Administration, for the admin role: the tabs between its screens, and the accounts screen
// (role, disabled, two-factor, last sign-in; sign an account out, reset its second factor, make
// a one-time password-reset link).
import { api } from '../api.js';
import { h, announce, confirmDialog, copyField, focusHeading, formatDateTime, timeElement } from '../dom.js';
import { roles, roleName } from '../roles.js';

const adminScreens = [
  { hash: '#/admin/accounts', label: 'Accounts' },
  { hash: '#/admin/invitations', label: 'Invitations' },
  { hash: '#/admin/audit', label: 'Audit log' },
];

/** The administration's heading and tabs, with the current screen marked. */
export function adminHeader(current, title) {
  return h('div', { class: 'admin-head' },
    h('h1', { id: 'admin-heading' }, title),
    h('nav', { class: 'admin-tabs', 'aria-label': 'Administration' },
      h('ul', {}, adminScreens.map(({ hash, label }) =>
        h('li', {}, h('a', { href: hash, class: 'admin-tab', 'aria-current': hash === current ? 'page' : null }, label))))));
}

/** A page for someone whose role does not reach the administration. */
export function renderNotAdmin(main) {
  document.title = 'Administration · HR Directory';
  main.replaceChildren(h('section', { class: 'panel' },
    h('h1', {}, 'Administration'),
    h('p', {}, 'Only administrators can manage accounts, invitations and the audit log.'),
    h('p', {}, h('a', { href: '#/' }, 'Back to the directory'))));
  focusHeading(main);
}

const pageSize = 50;

/**
 * Renders the accounts screen into `main`. `me` is the signed-in admin; `onOwnRoleChanged(role)`
 * is called when they gave their own account another role.
 */
export function renderAccounts(main, { me, onOwnRoleChanged }) {
  document.title = 'Accounts · Administration · HR Directory';
  const status = h('p', { class: 'admin-status', role: 'status', tabindex: '-1' });
  const linkSlot = h('div', { class: 'issued', hidden: true, tabindex: '-1', 'aria-labelledby': 'reset-link-heading', role: 'region' });
  const body = h('tbody');
  const table = h('table', { class: 'admin-table accounts-table', 'aria-labelledby': 'admin-heading' },
    h('thead', {}, h('tr', {},
      ['Username', 'Role', 'Disabled', 'Two-factor', 'Last sign-in', 'Actions'].map((name) => h('th', { scope: 'col' }, name)))),
    body);
  const previous = h('button', { type: 'button', class: 'button' }, 'Previous');
  const next = h('button', { type: 'button', class: 'button' }, 'Next');
  const pageLabel = h('span', { class: 'page-label' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of accounts', hidden: true }, previous, pageLabel, next);
  let page = 1;

  main.replaceChildren(h('section', { class: 'admin' },
    adminHeader('#/admin/accounts', 'Accounts'),
    h('p', { class: 'hint' }, 'Accounts are disabled, never deleted, so the profiles they added stay. A disabled account is signed out at once.'),
    status, linkSlot,
    h('div', { class: 'table-scroll' }, table),
    pager));

  function say(message) {
    status.textContent = message;
    announce(message);
  }

  async function load() {
    body.setAttribute('aria-busy', 'true');
    try {
      const { users, total } = await api.listUsers({ limit: pageSize, offset: (page - 1) * pageSize });
      const pages = Math.max(1, Math.ceil(total / pageSize));
      body.replaceChildren(...users.map((user) => row(user)));
      pager.hidden = pages <= 1;
      pageLabel.textContent = `Page ${page} of ${pages}`;
      previous.disabled = page <= 1;
      next.disabled = page >= pages;
    } catch (error) {
      say(`The accounts could not be loaded. ${error.message}`);
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  /** Runs a change of `user`; on success the row shows what the server answered. */
  async function change(user, action, done) {
    try {
      const result = await action();
      say(done(result));
      return result;
    } catch (error) {
      say(`${user.username}: ${error.message}`);
      status.focus();
      return null;
    }
  }

  function row(user) {
    const tr = h('tr', { 'data-user-id': user.id, 'data-username': user.username, class: user.disabled ? 'is-disabled' : null });
    const roleSelect = h('select', { id: `user-${user.id}-role`, 'aria-label': `Role of ${user.username}` },
      roles.map((role) => h('option', { value: role, selected: role === user.role }, roleName(role))));
    roleSelect.addEventListener('change', async () => {
      const updated = await change(user, () => api.updateUser(user.id, { role: roleSelect.value }),
        (result) => `${result.username} is now ${roleName(result.role)}.`);
      if (!updated) roleSelect.value = user.role;
      else if (updated.id === me.id && updated.role !== me.role) onOwnRoleChanged(updated.role);
      else tr.replaceWith(row(updated));
    });
    const disabled = h('input', { type: 'checkbox', id: `user-${user.id}-disabled`, checked: user.disabled });
    disabled.addEventListener('change', async () => {
      const wanted = disabled.checked;
      if (wanted && !(await confirmDialog({ title: `Disable ${user.username}?`,
        message: 'The account is signed out everywhere at once and cannot sign in until it is enabled again. The profiles it added stay.',
        confirmLabel: 'Disable' }))) {
        disabled.checked = false;
        disabled.focus();
        return;
      }
      const updated = await change(user, () => api.updateUser(user.id, { disabled: wanted }),
        (result) => `${result.username} is ${result.disabled ? 'disabled' : 'enabled'}.`);
      if (updated) {
        const fresh = row(updated);
        tr.replaceWith(fresh);
        fresh.querySelector('input[type="checkbox"]').focus();
      } else {
        disabled.checked = !wanted;
      }
    });

    const revoke = h('button', { type: 'button', class: 'button button-small', 'aria-label': `Sign out ${user.username} everywhere` }, 'Sign out');
    revoke.addEventListener('click', () => change(user, () => api.revokeUserSessions(user.id),
      (result) => `${user.username} is signed out everywhere (${sessions(result?.sessions)}).`));
    const resetMfa = user.mfa_enabled
      ? h('button', { type: 'button', class: 'button button-small button-danger-quiet', 'aria-label': `Reset two-factor sign-in of ${user.username}` }, 'Reset two-factor')
      : null;
    resetMfa?.addEventListener('click', async () => {
      if (!(await confirmDialog({ title: `Reset two-factor sign-in of ${user.username}?`,
        message: 'Their second factor and recovery codes are removed: they sign in with the password alone until they set it up again.',
        confirmLabel: 'Reset' }))) return;
      const updated = await change(user, () => api.resetUserMfa(user.id), () => `Two-factor sign-in of ${user.username} is reset.`);
      if (updated) tr.replaceWith(row(updated));
    });
    const resetLink = h('button', { type: 'button', class: 'button button-small', 'aria-label': `Password-reset link for ${user.username}` }, 'Reset link');
    resetLink.addEventListener('click', async () => {
      const link = await change(user, () => api.passwordResetLink(user.id), () => `A password-reset link for ${user.username} is ready.`);
      if (link) showResetLink(user, link);
    });

    tr.append(
      h('th', { scope: 'row', 'data-label': 'Username' }, user.username, user.id === me.id ? h('span', { class: 'you' }, ' (you)') : null),
      h('td', { 'data-label': 'Role' }, roleSelect),
      h('td', { 'data-label': 'Disabled' }, h('span', { class: 'checkbox' }, disabled,
        h('label', { for: disabled.id }, h('span', { class: 'visually-hidden' }, `${user.username} `), 'Disabled'))),
      h('td', { 'data-label': 'Two-factor', 'data-mfa': user.mfa_enabled ? 'on' : 'off' }, user.mfa_enabled ? 'On' : 'Off'),
      h('td', { 'data-label': 'Last sign-in' }, timeElement(user.last_sign_in_at, 'Never')),
      h('td', { 'data-label': 'Actions' }, h('div', { class: 'row-actions' }, revoke, resetMfa, resetLink)));
    return tr;
  }

  function showResetLink(user, link) {
    linkSlot.replaceChildren(
      h('h2', { id: 'reset-link-heading' }, `Password-reset link for ${user.username}`),
      copyField({ id: 'reset-link', label: 'Reset link', value: new URL(link.url, location.origin).href,
        hint: `Give it to ${user.username} yourself; it is shown only now. It works once, until ${formatDateTime(link.expires_at)}. An earlier link for this account no longer works.` }),
      h('button', { type: 'button', class: 'button', onclick: () => { linkSlot.hidden = true; linkSlot.replaceChildren(); } }, 'Done'));
    linkSlot.hidden = false;
    linkSlot.querySelector('input').focus();
  }

  previous.addEventListener('click', async () => {
    page -= 1;
    await load();
    if (previous.disabled) next.focus();
  });
  next.addEventListener('click', async () => {
    page += 1;
    await load();
    if (next.disabled) previous.focus();
  });

  focusHeading(main);
  load();
}

function sessions(count) {
  if (typeof count !== 'number') return 'its sessions ended';
  return count === 1 ? '1 session ended' : `${count} sessions ended`;
}
