// The one place that speaks HTTP to hrapp (docs/api.md). Errors become ApiError; a 401 on a
// signed-in request waits for the user to sign in again and then repeats the request, so the
// page (and whatever was typed into it) stays as it was.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `The server answered ${status}.`);
    this.status = status;
    this.code = body?.error ?? 'http_error';
    this.fields = Array.isArray(body?.fields) ? body.fields : [];
  }
}

let renewSession = null;

/** Registers the function that gets a new session (resolves) or gives up (rejects). */
export function setSessionRenewer(renewer) {
  renewSession = renewer;
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

async function send(method, path, { json, form, onUploadProgress } = {}) {
  try {
    if (form !== undefined) return await sendForm(method, path, form, onUploadProgress);
    const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    }
    return await fetch(path, init);
  } catch {
    // A server that refuses an upload early (too large) may close the connection mid-body.
    const message = form
      ? 'The upload did not reach the server. The photo may be too large, or the connection dropped.'
      : 'The server could not be reached. Check the connection and try again.';
    throw new ApiError(0, { error: 'network_error', message });
  }
}

async function request(method, path, { json, form, onUploadProgress, renewOn401 = true } = {}) {
  for (;;) {
    const response = await send(method, path, { json, form, onUploadProgress });
    if (response.status === 401 && renewOn401 && renewSession) {
      await renewSession();
      continue;
    }
    const isJson = (response.headers.get('Content-Type') || '').startsWith('application/json');
    const body = response.status === 204 || !isJson ? null : await response.json();
    if (!response.ok) throw new ApiError(response.status, body);
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
  async register(username, password) {
    return (await request('POST', '/register', { json: { username, password }, renewOn401: false })).body;
  },
  async login(username, password) {
    return (await request('POST', '/login', { json: { username, password }, renewOn401: false })).body;
  },
  async logout() {
    await request('POST', '/logout', { renewOn401: false });
  },
  /** One page of employees and the total that match. `renewOn401: false` gives up on a 401 as it is. */
  async listEmployees({ q, department, limit, offset }, { renewOn401 = true } = {}) {
    const { body, headers } = await request('GET', `/employees${query({ q, department, limit, offset })}`, { renewOn401 });
    const total = Number.parseInt(headers.get('X-Total-Count') ?? '', 10);
    return { employees: body, total: Number.isNaN(total) ? body.length : total };
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
};
