// What each role may do, as the UI needs to know it to show or hide controls. The server decides
// (a refusal is a 403 the views show); this only spares people buttons that would be refused.

export const roles = ['member', 'hr', 'admin'];

const roleNames = { member: 'Member', hr: 'HR', admin: 'Administrator' };

/** The role as people read it: "Administrator" for admin. */
export function roleName(role) {
  return roleNames[role] ?? String(role ?? '');
}

/** Admins manage accounts, invitations and read the audit log. */
export function isAdmin(user) {
  return user?.role === 'admin';
}

/** HR and admins change and delete any profile; members the ones they added. */
export function canChangeProfile(user, employee) {
  if (!user) return false;
  return user.role === 'hr' || user.role === 'admin' || employee.user_id === user.id;
}

/** HR and admins export the directory as CSV and import profiles from a CSV file. */
export function canExchangeCsv(user) {
  return user?.role === 'hr' || user?.role === 'admin';
}
