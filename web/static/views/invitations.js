// Invitations, for the admin role: make one (its role and how long it lasts; its link is shown
// once), and the list of those made, with whether each is waiting, used, expired or revoked.
import { api } from '../api.js';
import { h, announce, field, formAlert, clearErrors, showErrors, focusHeading, whileBusy, copyField, formatDateTime, timeElement, confirmDialog } from '../dom.js';
import { roles, roleName } from '../roles.js';
import { adminHeader } from './admin.js';

/** Where the invitation stands, as people read it. */
function standing(invitation) {
  if (invitation.used_at) return `Used by ${invitation.used_by?.username ?? 'a removed account'}`;
  if (invitation.revoked) return 'Revoked';
  if (Date.parse(invitation.expires_at) <= Date.now()) return 'Expired';
  return 'Waiting';
}

/** Renders the invitations screen into `main`. */
export function renderInvitations(main) {
  document.title = 'Invitations · Administration · HR Directory';
  const status = h('p', { class: 'admin-status', role: 'status', tabindex: '-1' });
  const issued = h('div', { class: 'issued', hidden: true, tabindex: '-1', role: 'region', 'aria-labelledby': 'issued-heading' });
  const body = h('tbody');
  const empty = h('p', { class: 'hint', hidden: true }, 'No invitations yet.');

  const roleSelect = h('select', { id: 'invite-role', name: 'role' },
    roles.map((role) => h('option', { value: role, selected: role === 'member' }, roleName(role))));
  const form = h('form', { class: 'invite-form', novalidate: true, 'aria-labelledby': 'invite-heading' },
    formAlert(),
    h('div', { class: 'invite-fields' },
      h('div', { class: 'field' },
        h('label', { for: roleSelect.id }, 'Role'),
        roleSelect,
        h('p', { class: 'field-error', 'data-error-for': 'role', hidden: true })),
      field({ idPrefix: 'invite', name: 'expires_in_days', label: 'Expires after (days)', type: 'number', min: 1, max: 30,
        value: 7, inputmode: 'numeric', hint: '1 to 30 days.', required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Create invitation')));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const days = Number.parseInt(form.elements.expires_in_days.value, 10);
    try {
      const invitation = await whileBusy(form, () => api.createInvitation({ role: roleSelect.value, expiresInDays: Number.isNaN(days) ? undefined : days }));
      showIssued(invitation);
      await load();
    } catch (error) {
      showErrors(form, error);
    }
  });

  const table = h('table', { class: 'admin-table invitations-table', 'aria-labelledby': 'invitations-heading' },
    h('thead', {}, h('tr', {}, ['Role', 'Status', 'Made by', 'Made', 'Expires', 'Actions'].map((name) => h('th', { scope: 'col' }, name)))),
    body);

  main.replaceChildren(h('section', { class: 'admin' },
    adminHeader('#/admin/invitations', 'Invitations'),
    h('section', { class: 'panel admin-panel', 'aria-labelledby': 'invite-heading' },
      h('h2', { id: 'invite-heading' }, 'Invite someone'),
      h('p', { class: 'hint' }, 'The link lets one person create an account with the role chosen here. Send it to them yourself: it is shown only once.'),
      form, issued),
    h('h2', { id: 'invitations-heading' }, 'Invitations made'),
    status, empty,
    h('div', { class: 'table-scroll' }, table)));

  function showIssued(invitation) {
    issued.replaceChildren(
      h('h3', { id: 'issued-heading' }, `Invitation for a new ${roleName(invitation.role)}`),
      copyField({ id: 'invitation-link', label: 'Invitation link', value: new URL(invitation.url, location.origin).href,
        hint: `Works once, until ${formatDateTime(invitation.expires_at)}. It is not shown again.` }));
    issued.hidden = false;
    announce('The invitation link is ready to copy.');
    issued.querySelector('input').focus();
  }

  async function revoke(invitation) {
    if (!(await confirmDialog({ title: 'Revoke this invitation?', message: 'Its link stops working at once.', confirmLabel: 'Revoke' }))) return;
    try {
      await api.revokeInvitation(invitation.id);
      status.textContent = 'The invitation is revoked.';
      await load();
    } catch (error) {
      status.textContent = `The invitation could not be revoked. ${error.message}`;
    }
    status.focus();
  }

  async function load() {
    body.setAttribute('aria-busy', 'true');
    try {
      const invitations = await api.listInvitations();
      empty.hidden = invitations.length > 0;
      body.replaceChildren(...invitations.map((invitation) => {
        const state = standing(invitation);
        return h('tr', { 'data-invitation-id': invitation.id },
          h('td', { 'data-label': 'Role' }, roleName(invitation.role)),
          h('td', { 'data-label': 'Status', 'data-status': state.split(' ')[0].toLowerCase() }, state),
          h('td', { 'data-label': 'Made by' }, invitation.created_by?.username ?? 'Command line'),
          h('td', { 'data-label': 'Made' }, timeElement(invitation.created_at)),
          h('td', { 'data-label': 'Expires' }, timeElement(invitation.expires_at)),
          h('td', { 'data-label': 'Actions' }, state === 'Waiting'
            ? h('button', { type: 'button', class: 'button button-small button-danger-quiet',
              'aria-label': `Revoke the ${roleName(invitation.role)} invitation made ${formatDateTime(invitation.created_at)}`,
              onclick: () => revoke(invitation) }, 'Revoke')
            : '—'));
      }));
    } catch (error) {
      status.textContent = `The invitations could not be loaded. ${error.message}`;
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  focusHeading(main);
  load();
}
