// A small HTTP client over Node's fetch with a cookie jar, the app's sign-up and sign-in
// steps, and multipart bodies with real files.
import { randomBytes } from 'node:crypto';
import { assertConformsIfFromApp } from './contract.mjs';

export const sessionCookie = 'hrapp_session';

/** A username no other test uses, from the allowed set. */
export function uniqueUsername(prefix = 'user') {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export const defaultPassword = 'correct horse battery staple';

/**
 * A multipart body. `fields` maps names to strings, or to `{ bytes, filename, type }` for a file.
 */
export function multipart(fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value.bytes], { type: value.type ?? 'application/octet-stream' }), value.filename ?? 'photo');
  }
  return form;
}

export class Reply {
  constructor(response, bytes) {
    this.status = response.status;
    this.headers = response.headers;
    this.setCookies = response.headers.getSetCookie();
    this.bytes = bytes;
    this.text = bytes.toString('utf8');
    this.body = (response.headers.get('content-type') ?? '').startsWith('application/json') && this.text ? JSON.parse(this.text) : undefined;
  }

  /** A one-line summary for assertion messages. */
  toString() {
    return `${this.status} ${this.text.slice(0, 300)}`;
  }
}

export class Client {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.cookies = new Map();
    this.user = undefined;
  }

  /** The current session token, if signed in. */
  get token() {
    return this.cookies.get(sessionCookie);
  }

  set token(value) {
    if (value === undefined) this.cookies.delete(sessionCookie);
    else this.cookies.set(sessionCookie, value);
  }

  /**
   * Sends one request. `json` sends a JSON body, `form` a multipart body (see `multipart`),
   * `body` raw bytes with whatever `headers` say.
   */
  async request(method, path, { json, form, body, headers = {} } = {}) {
    const sent = { ...headers };
    if (this.cookies.size && !Object.keys(sent).some((h) => h.toLowerCase() === 'cookie'))
      sent.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let payload = body;
    if (json !== undefined) {
      payload = JSON.stringify(json);
      sent['content-type'] ??= 'application/json';
    } else if (form !== undefined) {
      payload = form instanceof FormData ? form : multipart(form);
    }
    const response = await fetch(this.baseUrl + path, { method, headers: sent, body: payload, redirect: 'manual' });
    const reply = new Reply(response, Buffer.from(await response.arrayBuffer()));
    assertConformsIfFromApp({ method, target: path, status: reply.status, headers: reply.headers, body: reply.bytes });
    for (const cookie of reply.setCookies) {
      const [pair] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /;\s*max-age=0\b/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return reply;
  }

  get(path, options) {
    return this.request('GET', path, options);
  }

  post(path, options) {
    return this.request('POST', path, options);
  }

  register(username, password) {
    return this.post('/register', { json: { username, password } });
  }

  login(username, password) {
    return this.post('/login', { json: { username, password } });
  }

  /** Registers a fresh user and signs in; fails loudly if either step does not succeed. */
  async signUp(prefix = 'user', password = defaultPassword) {
    const username = uniqueUsername(prefix);
    const registered = await this.register(username, password);
    if (registered.status !== 201) throw new Error(`register ${username}: ${registered}`);
    const signedIn = await this.login(username, password);
    if (signedIn.status !== 200 || !this.token) throw new Error(`login ${username}: ${signedIn}`);
    this.user = { id: registered.body.id, username, password };
    return this.user;
  }

  /** POST /employees with the given fields and optional image `{ bytes, filename, type }`. */
  createEmployee({ name, role, department, image, ...extra }) {
    return this.post('/employees', { form: { name, role, department, image, ...extra } });
  }
}
