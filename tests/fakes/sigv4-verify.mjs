// Verifies the SigV4 signature of an incoming request by signing it again with the reference
// signer (@smithy/signature-v4) and comparing, the way an AWS endpoint does.
//
// CLI: node tests/fakes/sigv4-verify.mjs [--service S] [--region R] [--access-key K] [--secret-key S]
//   prints the endpoint; every request sent there is answered with its verdict as JSON.
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';
import { formatAmzDate, parseAmzDate, referenceSign } from '../sigv4/reference-signer.mjs';
import { FakeServer, isMain, runUntilSignal } from './http-server.mjs';

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
  'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token'];

/** Verdict codes, mapped to each service's own errors in aws-errors.mjs. */
export const Code = Object.freeze({
  MissingSignature: 'MissingSignature',
  Malformed: 'AuthorizationMalformed',
  UnknownKey: 'InvalidAccessKeyId',
  BadToken: 'InvalidToken',
  Mismatch: 'SignatureDoesNotMatch',
  Skewed: 'RequestTimeTooSkewed',
  Expired: 'RequestExpired',
  MissingContentSha256: 'MissingContentSHA256',
  ContentSha256Mismatch: 'XAmzContentSHA256Mismatch',
});

/**
 * Turns the fakes' `credentials` option into a lookup: a function (accessKeyId) =>
 * {secretAccessKey, sessionToken?} | undefined as is, or one credential object, or an array.
 */
export function credentialLookup(credentials) {
  if (typeof credentials === 'function') return credentials;
  const byId = new Map([credentials].flat().map((c) => [c.accessKeyId, c]));
  return (accessKeyId) => byId.get(accessKeyId);
}

const fail = (code, message, extra = {}) => ({ ok: false, code, message, ...extra });

function decode(text) {
  try { return decodeURIComponent(text); } catch { return undefined; }
}

/** Splits a raw request target into the wire path and the decoded query pairs. */
export function splitTarget(url) {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const query = [];
  for (const part of at < 0 ? [] : url.slice(at + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const [key, value] = eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))];
    if (key === undefined || value === undefined) return undefined;
    query.push([key, value]);
  }
  return { path, query };
}

function headerPairs(req) {
  const pairs = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return pairs;
}

function parseAuthorizationHeader(value) {
  const m = /^AWS4-HMAC-SHA256 (.*)$/.exec(value);
  if (!m) return undefined;
  const fields = Object.fromEntries(m[1].split(',').map((part) => {
    const eq = part.indexOf('=');
    return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
  }));
  const { Credential: credential, SignedHeaders: signedHeaders, Signature: signature } = fields;
  return credential && signedHeaders && signature ? { credential, signedHeaders, signature } : undefined;
}

function sameHex(a, b) {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks `req` (an http.IncomingMessage whose body was read into `body`) against SigV4, in
 * header (Authorization) or presigned-query (X-Amz-Signature) form.
 * options: {service, region, lookup: (accessKeyId) => {secretAccessKey, sessionToken?} |
 * undefined, now?: () => Date}. Returns {ok: true, accessKeyId} or {ok: false, code, message,
 * canonicalRequest?}.
 */
export async function verifySigV4(req, body, { service, region, lookup, now = () => new Date() }) {
  const target = splitTarget(req.url);
  if (!target) return fail(Code.Malformed, 'the query holds a malformed percent-encoding');
  const headers = headerPairs(req);
  const header = (name) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const param = (name) => target.query.find(([k]) => k === name)?.[1];
  const authorization = header('authorization');
  const presigned = param('X-Amz-Signature') !== undefined || param('X-Amz-Algorithm') !== undefined;
  const isS3 = service === 's3';

  let auth;
  if (authorization !== undefined && presigned) return fail(Code.Malformed, 'only one auth mechanism allowed');
  if (authorization !== undefined) {
    auth = parseAuthorizationHeader(authorization);
    if (!auth) return fail(Code.Malformed, `malformed Authorization header: ${authorization}`);
    auth.amzDate = header('x-amz-date');
    auth.token = header('x-amz-security-token');
  } else if (presigned) {
    if (!isS3) return fail(Code.Malformed, `presigned requests are for s3 only, not ${service}`);
    if (param('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return fail(Code.Malformed, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    auth = {
      credential: param('X-Amz-Credential'), signedHeaders: param('X-Amz-SignedHeaders'), signature: param('X-Amz-Signature'),
      amzDate: param('X-Amz-Date'), token: param('X-Amz-Security-Token'), expires: param('X-Amz-Expires'),
    };
    if (!auth.credential || !auth.signedHeaders || !auth.signature || !auth.expires) {
      return fail(Code.Malformed, `presigned requests need all of ${PRESIGN_PARAMS.slice(0, 6).join(', ')}`);
    }
  } else {
    return fail(Code.MissingSignature, 'the request carries no signature');
  }

  const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator, ...rest] = auth.credential.split('/');
  const time = parseAmzDate(auth.amzDate);
  if (!time) return fail(Code.Malformed, `x-amz-date must be YYYYMMDDTHHMMSSZ, not ${JSON.stringify(auth.amzDate)}`);
  if (rest.length || terminator !== 'aws4_request' || scopeDate !== auth.amzDate.slice(0, 8)) {
    return fail(Code.Malformed, `malformed credential scope: ${auth.credential}`);
  }
  if (scopeRegion !== region) return fail(Code.Malformed, `the region '${scopeRegion}' is wrong; expecting '${region}'`);
  if (scopeService !== service) return fail(Code.Malformed, `the service '${scopeService}' is wrong; expecting '${service}'`);

  const credentials = lookup(accessKeyId);
  if (!credentials) return fail(Code.UnknownKey, `the access key id ${accessKeyId} does not exist in our records`);
  if ((auth.token ?? undefined) !== (credentials.sessionToken ?? undefined)) {
    return fail(Code.BadToken, auth.token === undefined ? 'the session token is missing' : 'the session token is invalid');
  }

  const clock = now();
  let presignExpires;
  if (presigned) {
    presignExpires = Number(auth.expires);
    if (!Number.isInteger(presignExpires) || presignExpires < 1 || presignExpires > MAX_PRESIGN_SECONDS) {
      return fail(Code.Malformed, `X-Amz-Expires must be 1 to ${MAX_PRESIGN_SECONDS} seconds, not ${auth.expires}`);
    }
    if (clock > time.getTime() + presignExpires * 1000) return fail(Code.Expired, 'request has expired');
    if (time - clock > MAX_SKEW_MS) return fail(Code.Skewed, 'request is not valid yet');
  } else if (Math.abs(clock - time) > MAX_SKEW_MS) {
    return fail(Code.Skewed, `the difference between the request time ${auth.amzDate} and the current time ${formatAmzDate(clock)} is too large`);
  }

  const contentSha256 = header('x-amz-content-sha256');
  if (!presigned && isS3 && contentSha256 === undefined) return fail(Code.MissingContentSha256, 'missing required header for this request: x-amz-content-sha256');
  if (!presigned && contentSha256 !== undefined && !(isS3 && contentSha256 === 'UNSIGNED-PAYLOAD')) {
    const actual = createHash('sha256').update(body).digest('hex');
    if (contentSha256 !== actual) {
      return fail(Code.ContentSha256Mismatch, `the x-amz-content-sha256 you specified (${contentSha256}) did not match what we received (${actual})`);
    }
  }

  const signedNames = auth.signedHeaders.split(';');
  if (!signedNames.includes('host')) return fail(Code.Malformed, 'the host header must be signed');
  for (const name of signedNames) {
    if (header(name) === undefined) return fail(Code.Mismatch, `the signed header ${name} is not in the request`);
  }

  // The signer adds x-amz-date and the session token itself, from the time and credentials.
  const generated = new Set(['x-amz-date', 'x-amz-security-token']);
  const reference = await referenceSign({
    method: req.method, path: target.path, body,
    query: target.query.filter(([k]) => !(presigned && PRESIGN_PARAMS.includes(k))),
    headers: headers.filter(([n]) => signedNames.includes(n.toLowerCase()) && !generated.has(n.toLowerCase())),
  }, { service, region, time, presignExpires, credentials: { accessKeyId, ...credentials } });

  if (reference.signedHeaders !== auth.signedHeaders || !sameHex(reference.signature, auth.signature)) {
    return fail(Code.Mismatch, 'the request signature we calculated does not match the signature you provided',
      { canonicalRequest: reference.canonicalRequest });
  }
  return { ok: true, accessKeyId };
}

/** A loopback server that answers every request with its verdict as JSON (200). */
export function startVerdictServer({ service, region, credentials }) {
  const lookup = credentialLookup(credentials);
  return new FakeServer(async (req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(await verifySigV4(req, body, { service, region, lookup })));
  }).listen();
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      service: { type: 'string', default: 's3' },
      region: { type: 'string', default: 'us-east-1' },
      'access-key': { type: 'string', default: 'AKIDEXAMPLE' },
      'secret-key': { type: 'string', default: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    },
  });
  await runUntilSignal(
    () => startVerdictServer({ ...values, credentials: { accessKeyId: values['access-key'], secretAccessKey: values['secret-key'] } }),
    (server) => ({ endpoint: server.endpoint, port: server.port, service: values.service, region: values.region }),
  );
}
