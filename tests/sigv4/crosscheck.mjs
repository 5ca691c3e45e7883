// Randomized cross-check of a SigV4 signer against the reference signer (@smithy/signature-v4).
//
//   node tests/sigv4/crosscheck.mjs <signer-command...>      e.g. build/release/sigv4_sign_tool
//   SEED=<int> picks the generated requests (the seed is printed); COUNT=<n> (default 1000).
//
// LINE PROTOCOL. The signer command reads one JSON object per line on stdin and writes one JSON
// object per line on stdout, in the same order, then exits 0 at end of input.
//
// Input line:
//   {"method": "PUT",                     HTTP method
//    "path": "/bucket/a%20b/..//c%C3%A9", the path as it goes on the wire: already percent-encoded
//                                         once (RFC 3986: all but A-Z a-z 0-9 - _ . ~ encoded, '/'
//                                         kept), as an SDK sends it; may hold '//', '.' and '..'
//    "query": [["k", "v"], ...],          decoded pairs in wire order; keys may repeat, keys and
//                                         values may be empty; never a key starting "X-Amz-"
//    "headers": [["Host", "..."], ...],   exactly as sent: original case, odd spacing, repeated
//                                         names; always a Host; never Authorization, Date,
//                                         X-Amz-Date or X-Amz-Security-Token
//    "body_b64": "...",                   the body, base64 (may be empty)
//    "service": "s3" | "secretsmanager" | ...,
//    "region": "us-east-1",
//    "time": "YYYYMMDDTHHMMSSZ",          the signing time
//    "access_key": "...", "secret_key": "...",
//    "session_token": "..."               optional
//    "presign_expires": 900}              optional, s3 only: sign as a presigned URL
//
// Output line:
//   {"signature": "<64 hex>", "signed_headers": "a;b;c",
//    "canonical_request": "..."}          optional, printed beside the reference's on a mismatch
//
// What the signer must do (as the AWS SDKs do):
// - Header mode: add x-amz-date (= time), x-amz-security-token (when a session token is given)
//   and, for s3 only, x-amz-content-sha256 = hex SHA-256 of the body; when the input headers
//   already hold x-amz-content-sha256 (s3 only, e.g. UNSIGNED-PAYLOAD), keep it, do not add
//   another, and use its value as the payload hash. Other services hash the body and add no
//   such header.
// - Presigned mode: add to the query X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
//   X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Security-Token (when a session token is given),
//   all signed; given headers stay headers (nothing is hoisted into the query); the payload
//   hash is UNSIGNED-PAYLOAD.
// - Signed headers: every given header (whatever its name) plus the ones added above. Names are
//   lowercased; a repeated name (in any case) is signed once, its values trimmed, inner runs of
//   spaces and tabs collapsed to one space, and joined with ',' in the order sent.
// - Canonical path: s3 signs the wire path exactly as given (no normalisation, no second
//   encoding); every other service removes empty, '.' and '..' segments (keeping a leading and a
//   trailing '/') and percent-encodes the result again, '/' excepted.
// - Canonical query: each key and value RFC 3986-encoded, pairs sorted by encoded key then
//   encoded value, an empty value written as "k=".
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { formatAmzDate, signProtocolLine, uriEncode } from './reference-signer.mjs';

const RESERVED = [...' !"#$%&\'()*+,/:;<=>?@[\\]^`{|}~-._'];

const pick = (values) => fc.constantFrom(...values);
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: pick(RESERVED), maxLength: 6 }),
  fc.string({ unit: pick([...'aZ09', ...RESERVED, 'é', '€', '😀']), maxLength: 8 }),
);

const pathSegment = fc.oneof(
  { weight: 4, arbitrary: text.filter((s) => s !== '') },
  { weight: 1, arbitrary: pick(['', '.', '..', 'a b', 'key+name', 'x=y']) },
);
const wirePath = fc.tuple(fc.array(pathSegment, { maxLength: 5 }), fc.boolean())
  .map(([segments, trailingSlash]) => `/${segments.map(uriEncode).join('/')}${trailingSlash && segments.length ? '/' : ''}`);

const queryKey = fc.oneof(pick(['a', 'A', 'b', 'list-type', 'prefix', '']), text)
  .filter((k) => !k.toLowerCase().startsWith('x-amz-'));
const queryValue = fc.oneof(pick(['', '1', 'a b', 'a+b']), text);
const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 6 });

const mixedCase = (name) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length })
  .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
const spacing = pick(['', ' ', '  ', '\t', ' \t ']);
const headerValue = fc.tuple(spacing, fc.array(fc.tuple(fc.stringMatching(/^[!-~]{0,6}$/), spacing), { maxLength: 4 }))
  .map(([lead, words]) => lead + words.map(([w, s]) => w + s).join(''));
const extraHeader = fc.tuple(
  pick(['content-type', 'x-amz-meta-owner', 'x-amz-server-side-encryption', 'x-custom', 'accept', 'user-agent', 'content-md5']).chain(mixedCase),
  headerValue,
);
const host = fc.tuple(pick(['host', 'Host', 'HOST']), pick(['example.amazonaws.com', 'hrapp-lab.s3.us-east-1.amazonaws.com', '127.0.0.1:34567', 'localhost']));

const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

const requestArbitrary = fc.record({
  method: pick(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']),
  path: wirePath,
  query,
  host,
  extraHeaders: fc.array(extraHeader, { maxLength: 5 }),
  unsignedPayloadHeader: fc.boolean(),
  body,
  service: pick(['s3', 's3', 's3', 'secretsmanager', 'iam', 'execute-api']),
  region: pick(['us-east-1', 'eu-west-2', 'ap-southeast-1']),
  time: fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2037, 0, 1) / 1000 }).map((s) => formatAmzDate(new Date(s * 1000))),
  access_key: fc.stringMatching(/^AKIA[A-Z0-9]{16}$/),
  secret_key: fc.stringMatching(/^[A-Za-z0-9/+]{40}$/),
  withSessionToken: fc.boolean(),
  session_token: fc.stringMatching(/^[A-Za-z0-9/+=]{20,120}$/),
  presigned: fc.boolean(),
  presign_expires: fc.integer({ min: 1, max: 604800 }),
}).map((r) => {
  const isS3 = r.service === 's3';
  const presigned = isS3 && r.presigned;
  const headers = [r.host, ...r.extraHeaders];
  if (isS3 && !presigned && r.unsignedPayloadHeader) headers.push(['x-amz-content-sha256', 'UNSIGNED-PAYLOAD']);
  const input = {
    method: r.method, path: r.path, query: r.query, headers, body_b64: r.body.toString('base64'),
    service: r.service, region: r.region, time: r.time, access_key: r.access_key, secret_key: r.secret_key,
  };
  if (r.withSessionToken) input.session_token = r.session_token;
  if (presigned) input.presign_expires = r.presign_expires;
  return input;
});

/** The requests for a seed, deterministic. */
export function generateRequests(seed, count) {
  return fc.sample(requestArbitrary, { seed, numRuns: count });
}

function runSigner(command, inputs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '') }));
    child.stdin.on('error', () => {}); // a signer that dies early is reported by its exit code
    child.stdin.end(inputs.map((i) => `${JSON.stringify(i)}\n`).join(''));
  });
}

function describe(input) {
  if (input.service !== 's3') return 'other';
  return input.presign_expires !== undefined ? 's3 presigned' : 's3 header';
}

async function main(command) {
  if (command.length === 0) {
    console.error('usage: node tests/sigv4/crosscheck.mjs <signer-command...>');
    return 2;
  }
  const seed = process.env.SEED !== undefined ? Number(process.env.SEED) : Date.now() % 2 ** 31;
  const count = Number(process.env.COUNT ?? 1000);
  console.log(`crosscheck: seed ${seed} (SEED=${seed} to repeat), ${count} requests, signer: ${command.join(' ')}`);
  const inputs = generateRequests(seed, count);
  const { code, lines } = await runSigner(command, inputs);
  if (code !== 0 || lines.length !== inputs.length) {
    console.log(`signer exited ${code} after ${lines.length} of ${inputs.length} answers`);
    console.log(`0 passed, ${inputs.length} failed`);
    return 1;
  }
  const failures = [];
  const kinds = {};
  for (const [i, input] of inputs.entries()) {
    const expected = await signProtocolLine(input);
    let actual;
    try { actual = JSON.parse(lines[i]); } catch { actual = { unparsable: lines[i] }; }
    kinds[describe(input)] = (kinds[describe(input)] ?? 0) + 1;
    if (actual.signature !== expected.signature || actual.signed_headers !== expected.signed_headers) {
      failures.push({ index: i, input, expected, actual });
    }
  }
  for (const { index, input, expected, actual } of failures.slice(0, 3)) {
    console.log(`\n--- request #${index} differs (${describe(input)})`);
    console.log(`input:     ${JSON.stringify(input)}`);
    console.log(`reference: ${expected.signature} ${expected.signed_headers}`);
    console.log(`signer:    ${actual.signature} ${actual.signed_headers}${actual.unparsable !== undefined ? ` (unparsable line: ${actual.unparsable})` : ''}`);
    console.log(`reference canonical request:\n${expected.canonical_request}`);
    if (actual.canonical_request) console.log(`signer canonical request:\n${actual.canonical_request}`);
  }
  console.log(`\nby kind: ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  console.log(`${inputs.length - failures.length} passed, ${failures.length} failed`);
  return failures.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
