// The one place that speaks HTTP to hrapp (docs/api.md). Errors become ApiError; a 401 on a
// signed-in request waits for the user to sign in again and then repeats the request, so the
// page (and whatever was typed into it) stays as it was. A 403 mfa_enrolment_required (a role
// that needs a second factor, not yet set up) is reported to the app, which opens the account
// screen.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `The server answered ${status}.`);
    this.status = status;
    this.code = body?.error ?? 'http_error';
    this.fields = Array.isArray(body?.fields) ? body.fields : [];
  }
}

let renewSession = null;
let enrolmentRequired = null;

/** Registers the function that gets a new session (resolves) or gives up (rejects). */
export function setSessionRenewer(renewer) {
  renewSession = renewer;
}

/** Registers the function called when the server says the account must set up two-factor sign-in first. */
export function setEnrolmentRequiredHandler(handler) {
  enrolmentRequired = handler;
}

/** The response's headers as XMLHttpRequest lists them, one "name: value" a line. */
function parseHeaders(text) {
  const headers = new Headers();
  for (const line of text.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * Sends a form with XMLHttpRequest, which, unlike fetch, reports the upload's progress:
 * `onUploadProgress(sentBytes, totalBytes)`. Resolves to a fetch Response.
 */
function sendForm(method, path, form, onUploadProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.responseType = 'arraybuffer';
    if (onUploadProgress) {
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onUploadProgress(event.loaded, event.total);
      });
    }
    xhr.addEventListener('load', () => {
      const body = xhr.status === 204 || xhr.status === 304 ? null : xhr.response;
      resolve(new Response(body, { status: xhr.status, headers: parseHeaders(xhr.getAllResponseHeaders()) }));
    });
    xhr.addEventListener('error', () => reject(new TypeError('the upload failed')));
    xhr.send(form);
  });
}

/** `body` with `contentType` sends bytes as they are (a file); `json` an object; `form` multipart. */
async function send(method, path, { json, form, body, contentType, onUploadProgress } = {}) {
  try {
    if (form !== undefined) return await sendForm(method, path, form, onUploadProgress);
    const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    } else if (body !== undefined) {
      init.headers['Content-Type'] = contentType;
      init.body = body;
    }
    return await fetch(path, init);
  } catch {
    // A server that refuses an upload early (too large) may close the connection mid-body.
    const message = form
      ? 'The upload did not reach the server. The photo may be too large, or the connection dropped.'
      : body !== undefined
        ? 'The file did not reach the server. It may be too large, or the connection dropped.'
        : 'The server could not be reached. Check the connection and try again.';
    throw new ApiError(0, { error: 'network_error', message });
  }
}

async function request(method, path, { json, form, bytes, contentType, onUploadProgress, renewOn401 = true } = {}) {
  for (;;) {
    const response = await send(method, path, { json, form, body: bytes, contentType, onUploadProgress });
    if (response.status === 401 && renewOn401 && renewSession) {
      await renewSession();
      continue;
    }
    const isJson = (response.headers.get('Content-Type') || '').startsWith('application/json');
    const body = response.status === 204 || !isJson ? null : await response.json();
    if (!response.ok) {
      const error = new ApiError(response.status, body);
      if (error.code === 'mfa_enrolment_required') enrolmentRequired?.(error);
      throw error;
    }
    return { body, headers: response.headers };
  }
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const api = {
  /** The signed-in user, or null when there is no session. */
  async me() {
    try {
      return (await request('GET', '/me', { renewOn401: false })).body;
    } catch (error) {
      if (error.status === 401) return null;
      throw error;
    }
  },
  /** `invitation` is the token of an invitation or first-administrator link, if there is one. */
  async register(username, password, invitation) {
    const json = { username, password };
    if (invitation) json.invitation = invitation;
    return (await request('POST', '/register', { json, renewOn401: false })).body;
  },
  /** `code` is a one-time code or a recovery code, sent only when the account asked for one (401 mfa_required). */
  async login(username, password, code) {
    const json = { username, password };
    if (code) json.code = code;
    return (await request('POST', '/login', { json, renewOn401: false })).body;
  },
  async logout() {
    await request('POST', '/logout', { renewOn401: false });
  },
  /**
   * One page of employees and the total that match: { employees, total, capped, links }.
   * `capped` is true when there are more than `total` (X-Total-Count-Capped); `links` is
   * { next, prev }, each the cursor of the Link header's page ('' for one without a cursor, such
   * as the first page) or null when it names no such page; `links` is null when the server sent
   * no Link header. `sort`, `manager_id` and `cursor` go only to a server that
   * takes them (capabilities.js); a `cursor` is sent instead of `offset`. `renewOn401: false`
   * gives up on a 401 as it is.
   */
  async listEmployees({ q, department, sort, manager_id: managerId, limit, offset, cursor }, { renewOn401 = true } = {}) {
    const params = { q, department, sort, manager_id: managerId, limit, ...(cursor ? { cursor } : { offset }) };
    const { body, headers } = await request('GET', `/employees${query(params)}`, { renewOn401 });
    const total = Number.parseInt(headers.get('X-Total-Count') ?? '', 10);
    const link = headers.get('Link');
    return {
      employees: body,
      total: Number.isNaN(total) ? body.length : total,
      capped: (headers.get('X-Total-Count-Capped') ?? '').trim().toLowerCase() === 'true',
      links: link === null ? null : { next: pageCursor(link, 'next'), prev: pageCursor(link, 'prev') },
    };
  },
  /**
   * The address of the directory's CSV export (GET /employees.csv) with these filters and
   * order: every match, no paging. A link to it downloads the file with the session's cookie.
   */
  employeesCsvUrl({ q, department, sort }) {
    return `/employees.csv${query({ q, department, sort })}`;
  },
  /**
   * Sends a CSV file to POST /employees/import (`dryRun`: only checked, nothing written).
   * Resolves to { dry_run, created, updated, unchanged }; a file with bad rows rejects with an
   * ApiError whose code is import_invalid and whose `fields` name each problem's line and field.
   */
  async importEmployees(file, { dryRun = false } = {}) {
    const path = `/employees/import${dryRun ? '?dry_run=true' : ''}`;
    return (await request('POST', path, { bytes: file, contentType: 'text/csv' })).body;
  },
  async getEmployee(id) {
    return (await request('GET', `/employees/${encodeURIComponent(id)}`)).body;
  },
  /** `onUploadProgress(sentBytes, totalBytes)` follows the form's upload. */
  async createEmployee(form, { onUploadProgress } = {}) {
    return (await request('POST', '/employees', { form, onUploadProgress })).body;
  },
  async replaceEmployee(id, form, { onUploadProgress } = {}) {
    return (await request('PUT', `/employees/${encodeURIComponent(id)}`, { form, onUploadProgress })).body;
  },
  async deleteEmployee(id) {
    await request('DELETE', `/employees/${encodeURIComponent(id)}`);
  },
  async departments() {
    return (await request('GET', '/departments')).body;
  },
  async changePassword(currentPassword, newPassword) {
    return (await request('POST', '/me/password', { json: { current_password: currentPassword, new_password: newPassword } })).body;
  },
  /** Ends every session of the account, this one included. */
  async signOutEverywhere() {
    return (await request('POST', '/me/sessions/revoke', { renewOn401: false })).body;
  },
  /** Starts two-factor enrolment: { secret, otpauth_uri, qr_svg }. */
  async startMfa() {
    return (await request('POST', '/me/mfa')).body;
  },
  /** Turns two-factor sign-in on with a first code: { recovery_codes }. */
  async confirmMfa(code) {
    return (await request('POST', '/me/mfa/confirm', { json: { code } })).body;
  },
  async disableMfa(password) {
    return (await request('POST', '/me/mfa/disable', { json: { password } })).body;
  },
  /** Sets a new password with the token of a password-reset link (no session needed). */
  async resetPassword(token, newPassword) {
    return (await request('POST', '/password-reset', { json: { token, new_password: newPassword }, renewOn401: false })).body;
  },

  // Administration (role admin).
  /** One page of accounts, sorted by username, and how many there are. */
  async listUsers({ limit, offset } = {}) {
    const { body, headers } = await request('GET', `/users${query({ limit, offset })}`);
    const total = Number.parseInt(headers.get('X-Total-Count') ?? '', 10);
    return { users: body, total: Number.isNaN(total) ? body.length : total };
  },
  /** `changes`: { role } and/or { disabled }. */
  async updateUser(id, changes) {
    return (await request('PATCH', `/users/${encodeURIComponent(id)}`, { json: changes })).body;
  },
  async revokeUserSessions(id) {
    return (await request('POST', `/users/${encodeURIComponent(id)}/sessions/revoke`)).body;
  },
  async resetUserMfa(id) {
    return (await request('DELETE', `/users/${encodeURIComponent(id)}/mfa`)).body;
  },
  /** A one-time password-reset link: { token, url, expires_at }. */
  async passwordResetLink(id) {
    return (await request('POST', `/users/${encodeURIComponent(id)}/password-reset`)).body;
  },
  /** { id, token, url, role, expires_at }: the token and URL are shown this once. */
  async createInvitation({ role, expiresInDays }) {
    return (await request('POST', '/invitations', { json: { role, expires_in_days: expiresInDays } })).body;
  },
  async listInvitations() {
    return (await request('GET', '/invitations')).body;
  },
  async revokeInvitation(id) {
    await request('DELETE', `/invitations/${encodeURIComponent(id)}`);
  },
  /**
   * A page of the audit log, newest first: { entries, before }, where `before` asks for the
   * next (older) page, from the Link header's rel="next", or is null on the last page.
   */
  async audit({ actor, target, before, limit }) {
    const { body, headers } = await request('GET', `/audit${query({ actor, target, before, limit })}`);
    return { entries: body, before: linkParameter(headers.get('Link'), 'next', 'before') };
  },
};

/** The URL a Link header gives for `relation` ("next"), or null. */
function linkUrl(link, relation) {
  for (const [, url, parameters] of (link ?? '').matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = parameters.match(/;\s*rel\s*=\s*"?([^";,]*)"?/i);
    if (rel && rel[1].trim().split(/\s+/).includes(relation)) return new URL(url, location.origin);
  }
  return null;
}

/** The parameter `name` of the URL a Link header gives for `relation`, or null. */
function linkParameter(link, relation, name) {
  return linkUrl(link, relation)?.searchParams.get(name) || null;
}

/** The `cursor` of the Link header's `relation` page: '' when its URL has none, null when there is no such page. */
function pageCursor(link, relation) {
  const url = linkUrl(link, relation);
  return url ? (url.searchParams.get('cursor') ?? '') : null;
}
