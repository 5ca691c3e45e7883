// The reference SigV4 signer: AWS's own JS signer (@smithy/signature-v4) behind the line
// protocol that tests/sigv4/crosscheck.mjs documents. The AWS stand-ins in tests/fakes/ verify
// incoming requests with the same function, so the signer under test, the cross-check and the
// fakes all agree on one definition of a correct signature.
//
// CLI: node tests/sigv4/reference-signer.mjs < requests.jsonl > signatures.jsonl
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

const Sha256 = Hash.bind(null, 'sha256');

/** RFC 3986 percent-encoding of everything but unreserved characters, as the SDKs encode. */
export function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `YYYYMMDDTHHMMSSZ` <-> Date. */
export function parseAmzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
export function formatAmzDate(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

// The signer keeps the canonical request to itself; this subclass remembers it so that a
// mismatch can be shown side by side with the other signer's.
class RecordingSigner extends SignatureV4 {
  createCanonicalRequest(request, canonicalHeaders, payloadHash) {
    this.canonicalRequest = super.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    return this.canonicalRequest;
  }
}

// SigV4 joins repeated headers with ',' after trimming each value and collapsing its runs of
// spaces and tabs; the smithy signer keeps one value per name, so repeats are joined here.
function headerObject(pairs) {
  const values = new Map();
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const clean = String(value).replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
    values.set(key, values.has(key) ? `${values.get(key)},${clean}` : clean);
  }
  return Object.fromEntries(values);
}

function queryObject(pairs) {
  const query = Object.create(null);
  for (const [key, value] of pairs) {
    if (!(key in query)) query[key] = value;
    else if (Array.isArray(query[key])) query[key].push(value);
    else query[key] = [query[key], value];
  }
  return query;
}

function queryPairs(query) {
  return Object.entries(query).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => [key, v]));
}

/**
 * Signs one request the way the SDKs do.
 * request: {method, path (as on the wire), query: [[k, v]...] decoded, headers: [[name, value]...],
 *   body: Buffer}; options: {service, region, time: Date, credentials: {accessKeyId,
 *   secretAccessKey, sessionToken?}, presignExpires?}.
 * Every given header is signed, plus x-amz-date, x-amz-security-token (when there is a session
 * token) and, for s3, x-amz-content-sha256 (the body's SHA-256 unless the header is given).
 * Presigned (s3 only): the payload is UNSIGNED-PAYLOAD, the X-Amz-* parameters go in the query.
 * Returns {signature, signedHeaders, canonicalRequest, signed: {method, path, query: pairs,
 * headers: object, body}} where `signed` is what to send.
 */
export async function referenceSign(request, { service, region, time, credentials, presignExpires }) {
  const isS3 = service === 's3';
  const signer = new RecordingSigner({
    service, region, credentials, sha256: Sha256,
    uriEscapePath: !isS3, // S3 signs the path as sent; every other service normalises and encodes it again
    applyChecksum: isS3,
  });
  const headers = headerObject(request.headers);
  const given = new Set(Object.keys(headers));
  const unsigned = new HttpRequest({
    method: request.method, protocol: 'https:', hostname: headers.host ?? '', path: request.path,
    query: queryObject(request.query), headers, body: new Uint8Array(request.body ?? []),
  });

  if (presignExpires === undefined) {
    const signed = await signer.sign(unsigned, { signingDate: time, signableHeaders: given });
    const auth = /SignedHeaders=([^,]*), Signature=([0-9a-f]{64})$/.exec(signed.headers.authorization);
    return {
      signature: auth[2], signedHeaders: auth[1], canonicalRequest: signer.canonicalRequest,
      signed: { method: signed.method, path: signed.path, query: queryPairs(signed.query), headers: signed.headers, body: request.body },
    };
  }
  if (!isS3) throw new Error(`presigned requests are for s3 only, not ${service}`);
  // The signer reads the payload hash from this header; it is neither signed nor sent.
  unsigned.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await signer.presign(unsigned, {
    signingDate: time, expiresIn: presignExpires, signableHeaders: given,
    unsignableHeaders: new Set(['x-amz-content-sha256']),
    unhoistableHeaders: new Set([...given, 'x-amz-content-sha256']),
  });
  delete signed.headers['x-amz-content-sha256'];
  return {
    signature: signed.query['X-Amz-Signature'], signedHeaders: signed.query['X-Amz-SignedHeaders'],
    canonicalRequest: signer.canonicalRequest,
    signed: { method: signed.method, path: signed.path, query: queryPairs(signed.query), headers: signed.headers, body: request.body },
  };
}

/** One line of the cross-check protocol in, one out (see tests/sigv4/crosscheck.mjs). */
export async function signProtocolLine(input) {
  const time = parseAmzDate(input.time);
  if (!time) throw new Error(`bad time ${JSON.stringify(input.time)}`);
  const { signature, signedHeaders, canonicalRequest } = await referenceSign(
    { method: input.method, path: input.path, query: input.query, headers: input.headers, body: Buffer.from(input.body_b64, 'base64') },
    {
      service: input.service, region: input.region, time, presignExpires: input.presign_expires,
      credentials: { accessKeyId: input.access_key, secretAccessKey: input.secret_key, sessionToken: input.session_token },
    },
  );
  return { signature, signed_headers: signedHeaders, canonical_request: canonicalRequest };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    process.stdout.write(`${JSON.stringify(await signProtocolLine(JSON.parse(line)))}\n`);
  }
}
