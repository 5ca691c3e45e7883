// Stands in for a deployed team behind its load balancer in the tests of scripts/verify:
// keeps the API contract of docs/api.md for the calls verify makes, strictly enough that a
// wrong request fails, and serves photos from a presigned-looking URL as S3 would.
// Prints its port on the first line of stdout. FAKE_APP_BREAK=health|login|photo breaks one step.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const broken = process.env.FAKE_APP_BREAK ?? '';
const users = new Map();
const sessions = new Map();
const employees = new Map();
const photos = new Map();
let nextEmployeeId = 1;
let origin = '';

const send = (res, status, body, headers = {}) => {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(payload);
};
const error = (res, status, code, message) => send(res, status, { error: code, message });

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// CRC-32 of PNG chunks (zlib.crc32 needs Node 20.15, newer than Debian 12's Node 18).
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

// A PNG whose every chunk's CRC checks out, as the real app's byte sniffing would accept.
function isValidPng(bytes) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(signature)) return false;
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const typeAndData = bytes.subarray(at + 4, at + 8 + length);
    if (crc32(typeAndData) !== bytes.readUInt32BE(at + 8 + length)) return false;
    if (typeAndData.subarray(0, 4).toString('latin1') === 'IEND') return at + 12 + length === bytes.length;
    at += 12 + length;
  }
  return false;
}

function parseMultipart(body, contentType) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts = {};
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('latin1');
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    if (name) parts[name] = { headers, data: part.subarray(headerEnd + 4) };
    at = next;
  }
  return parts;
}

function sessionUser(req) {
  const token = /(?:^|;\s*)hrapp_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  return token ? sessions.get(token) : undefined;
}

async function handle(req, res) {
  const url = new URL(req.url, origin);
  const path = url.pathname;
  const body = await readBody(req);
  const json = () => (req.headers['content-type'] ?? '').startsWith('application/json')
    ? JSON.parse(body.toString('utf8')) : null;

  if (req.method === 'GET' && path === '/health') {
    return broken === 'health'
      ? send(res, 503, { status: 'unhealthy' })
      : send(res, 200, { status: 'healthy', database: 'connected' });
  }
  if (req.method === 'POST' && path === '/register') {
    const input = json();
    if (!input) return error(res, 415, 'unsupported_media_type', 'send JSON');
    if (!/^[A-Za-z0-9._-]{3,64}$/.test(input.username ?? '') || (input.password ?? '').length < 8) {
      return error(res, 400, 'validation_failed', 'bad username or password');
    }
    if (users.has(input.username.toLowerCase())) return error(res, 400, 'username_taken', 'taken');
    users.set(input.username.toLowerCase(), { id: users.size + 1, ...input });
    return send(res, 201, { id: users.size, username: input.username });
  }
  if (req.method === 'POST' && path === '/login') {
    const input = json();
    const user = input && users.get((input.username ?? '').toLowerCase());
    if (!user || user.password !== input.password || broken === 'login') {
      return error(res, 401, 'unauthorized', 'wrong username or password');
    }
    const token = randomUUID();
    sessions.set(token, user);
    return send(res, 200, { id: user.id, username: user.username }, {
      'Set-Cookie': `hrapp_session=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200`,
    });
  }
  if (req.method === 'GET' && path.startsWith('/presigned/')) {
    if (!url.searchParams.has('X-Amz-Signature')) return error(res, 403, 'forbidden', 'unsigned');
    const photo = photos.get(path.slice('/presigned/'.length));
    if (!photo) return error(res, 404, 'not_found', 'no such key');
    res.writeHead(200, { 'Content-Type': 'image/png' });
    return res.end(broken === 'photo' ? Buffer.from('not the photo') : photo);
  }

  const user = sessionUser(req);
  if (!user) return error(res, 401, 'unauthorized', 'sign in first');
  const employeePath = /^\/employees\/(\d+)$/.exec(path);
  if (req.method === 'POST' && path === '/employees') {
    const parts = parseMultipart(body, req.headers['content-type']);
    if (!parts) return error(res, 415, 'unsupported_media_type', 'send multipart/form-data');
    const missing = ['name', 'role', 'department'].filter((f) => !parts[f]?.data.length);
    if (missing.length) return error(res, 400, 'validation_failed', `missing ${missing.join(', ')}`);
    if (parts.image && !isValidPng(parts.image.data)) {
      return error(res, 400, 'unsupported_image_type', 'JPEG, PNG, GIF or WebP');
    }
    const id = nextEmployeeId++;
    const key = parts.image ? `uploads/team01/${randomUUID()}.png` : null;
    if (key) photos.set(key, parts.image.data);
    const employee = {
      id, name: parts.name.data.toString('utf8'), role: parts.role.data.toString('utf8'),
      department: parts.department.data.toString('utf8'), key, user_id: user.id,
    };
    employees.set(id, employee);
    return send(res, 201, present(employee));
  }
  if (req.method === 'GET' && employeePath) {
    const employee = employees.get(Number(employeePath[1]));
    return employee ? send(res, 200, present(employee)) : error(res, 404, 'not_found', 'no such employee');
  }
  if (req.method === 'DELETE' && employeePath) {
    const employee = employees.get(Number(employeePath[1]));
    if (!employee) return error(res, 404, 'not_found', 'no such employee');
    employees.delete(employee.id);
    photos.delete(employee.key);
    res.writeHead(204);
    return res.end();
  }
  if (req.method === 'POST' && path === '/logout') {
    return send(res, 200, { status: 'signed_out' });
  }
  return error(res, 404, 'not_found', 'no such route');
}

function present({ key, ...employee }) {
  const image_url = key ? `${origin}/presigned/${key}?X-Amz-Expires=900&X-Amz-Signature=0f0f` : null;
  return { ...employee, image_url, created_at: '2026-01-01T00:00:00.000000Z' };
}

const server = http.createServer((req, res) => {
  process.stderr.write(`${req.method} ${req.url}\n`);
  handle(req, res).catch((e) => error(res, 400, 'bad_request', String(e)));
});
server.listen(0, '127.0.0.1', () => {
  origin = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${server.address().port}\n`);
});
