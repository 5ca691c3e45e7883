// A deliberately wrong signer, one classic SigV4 mistake at a time, speaking the cross-check's
// line protocol: tests/sigv4/crosscheck.test.mjs proves the generated requests catch each one.
//   node tests/sigv4/flawed-signer.mjs <flaw>
import { createInterface } from 'node:readline';
import { signProtocolLine } from './reference-signer.mjs';

function normalisedPath(path) {
  const segments = [];
  for (const segment of path.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

function keepOnePerName(pairs, nameOf, keepFirst) {
  const kept = new Map();
  for (const pair of pairs) if (!keepFirst || !kept.has(nameOf(pair[0]))) kept.set(nameOf(pair[0]), pair);
  return [...kept.values()];
}

const FLAWS = {
  // S3 paths are signed as sent; normalising them breaks keys holding '//' or '..'.
  'normalise-s3-path': (r) => (r.service === 's3' ? { ...r, path: normalisedPath(r.path) } : r),
  // Other services sign the path encoded twice.
  'encode-path-once': (r) => (r.service !== 's3' ? { ...r, path: decodeURIComponent(r.path) } : r),
  'drop-empty-query-values': (r) => ({ ...r, query: r.query.filter(([, v]) => v !== '') }),
  'last-query-value-wins': (r) => ({ ...r, query: keepOnePerName(r.query, (k) => k, false) }),
  'first-repeated-header-wins': (r) => ({ ...r, headers: keepOnePerName(r.headers, (n) => n.toLowerCase(), true) }),
  'ignore-session-token': ({ session_token: _, ...r }) => r,
  'ignore-body': (r) => ({ ...r, body_b64: '' }),
};

const flaw = FLAWS[process.argv[2]];
if (!flaw) {
  console.error(`usage: node tests/sigv4/flawed-signer.mjs <${Object.keys(FLAWS).join('|')}>`);
  process.exit(2);
}
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() !== '') process.stdout.write(`${JSON.stringify(await signProtocolLine(flaw(JSON.parse(line))))}\n`);
}
