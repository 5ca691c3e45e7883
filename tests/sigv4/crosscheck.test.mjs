import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { generateRequests } from './crosscheck.mjs';
import { signProtocolLine } from './reference-signer.mjs';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const SEED = '20150830';

function crosscheck(...signer) {
  const run = spawnSync(process.execPath, [here('crosscheck.mjs'), ...signer], {
    env: { ...process.env, SEED }, encoding: 'utf8',
  });
  return { status: run.status, out: run.stdout };
}

test('the reference signer agrees with itself through the line protocol', () => {
  const { status, out } = crosscheck(process.execPath, here('reference-signer.mjs'));
  assert.equal(status, 0, out);
  assert.match(out, /^1000 passed, 0 failed$/m);
  assert.match(out, new RegExp(`seed ${SEED}`));
});

for (const flaw of ['normalise-s3-path', 'encode-path-once', 'drop-empty-query-values', 'last-query-value-wins',
  'first-repeated-header-wins', 'ignore-session-token', 'ignore-body']) {
  test(`a signer with the flaw ${flaw} fails the cross-check`, () => {
    const { status, out } = crosscheck(process.execPath, here('flawed-signer.mjs'), flaw);
    assert.equal(status, 1, out);
    assert.match(out, /^\d+ passed, [1-9]\d* failed$/m);
    assert.match(out, /reference canonical request:\n[A-Z]+\n/);
    assert.match(out, /signer canonical request:\n[A-Z]+\n/);
  });
}

test('a signer that dies fails the cross-check', () => {
  const { status, out } = crosscheck(process.execPath, '-e', 'process.exit(3)');
  assert.equal(status, 1, out);
  assert.match(out, /signer exited 3 after 0 of 1000 answers/);
});

test('the generated requests cover every tricky case', () => {
  const requests = generateRequests(Number(SEED), 1000);
  const count = (predicate) => requests.filter(predicate).length;
  const repeated = (names) => new Set(names).size < names.length;
  const covered = {
    dotDotSegment: count((r) => /\/\.\.(\/|$)/.test(r.path)),
    emptySegment: count((r) => r.path.includes('//')),
    unicodePath: count((r) => /%F0/.test(r.path)),
    encodedSpaceInPath: count((r) => r.path.includes('%20')),
    repeatedQueryKey: count((r) => repeated(r.query.map(([k]) => k))),
    emptyQueryKey: count((r) => r.query.some(([k]) => k === '')),
    emptyQueryValue: count((r) => r.query.some(([, v]) => v === '')),
    reservedQueryChar: count((r) => r.query.some(([k, v]) => /[&=+?#/]/.test(k + v))),
    repeatedHeaderMixedCase: count((r) => repeated(r.headers.map(([n]) => n.toLowerCase()))),
    tabInHeaderValue: count((r) => r.headers.some(([, v]) => v.includes('\t'))),
    binaryBody: count((r) => !Buffer.from(Buffer.from(r.body_b64, 'base64').toString('utf8')).equals(Buffer.from(r.body_b64, 'base64'))),
    sessionToken: count((r) => r.session_token !== undefined),
    s3Presigned: count((r) => r.presign_expires !== undefined),
    s3UnsignedPayload: count((r) => r.headers.some(([n, v]) => n === 'x-amz-content-sha256' && v === 'UNSIGNED-PAYLOAD')),
    otherServices: count((r) => r.service !== 's3'),
  };
  for (const [name, n] of Object.entries(covered)) assert.ok(n >= 20, `${name}: only ${n} of 1000`);
});

test('the reference signer gives the published AWS examples', async () => {
  const vanilla = await signProtocolLine({
    method: 'GET', path: '/', query: [], headers: [['Host', 'example.amazonaws.com']], body_b64: '',
    service: 'service', region: 'us-east-1', time: '20150830T123600Z',
    access_key: 'AKIDEXAMPLE', secret_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  });
  assert.equal(vanilla.signature, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  // The S3 developer guide's presigned GET of examplebucket/test.txt.
  const presigned = await signProtocolLine({
    method: 'GET', path: '/test.txt', query: [], headers: [['Host', 'examplebucket.s3.amazonaws.com']], body_b64: '',
    service: 's3', region: 'us-east-1', time: '20130524T000000Z', presign_expires: 86400,
    access_key: 'AKIAIOSFODNN7EXAMPLE', secret_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  assert.equal(presigned.signature, 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
  assert.equal(presigned.signed_headers, 'host');
});
