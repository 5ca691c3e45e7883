// A minimal signed AWS client for tests: signs with the reference signer, sends over plain HTTP,
// and lets a test tamper with the signed request in between.
import { request as httpRequest } from 'node:http';
import { referenceSign, uriEncode } from '../sigv4/reference-signer.mjs';

/**
 * Signs a request for `endpoint` (http://host:port). Returns {method, url, headers, body}, the
 * request as it goes on the wire, ready for send(); `url` is the path and encoded query.
 * spec: {method?, path? (wire form, default '/'), query? (decoded pairs), headers? (pairs),
 * body?, service, region?, credentials, time?, presignExpires?}
 */
export async function signRequest(endpoint, { method = 'GET', path = '/', query = [], headers = [], body = Buffer.alloc(0),
  service, region = 'us-east-1', credentials, time = new Date(), presignExpires }) {
  const { host } = new URL(endpoint);
  const { signed } = await referenceSign(
    { method, path, query, headers: [['host', host], ...headers], body: Buffer.from(body) },
    { service, region, time, credentials, presignExpires },
  );
  const search = signed.query.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join('&');
  return { method, url: search ? `${path}?${search}` : path, headers: { ...signed.headers }, body: Buffer.from(body) };
}

/**
 * Sends a request built by signRequest (or any {method, url, headers, body}) on a connection of
 * its own, so a test sees exactly what the server does to it; resolves {status, headers, body}.
 */
export function send(endpoint, { method, url, headers, body }) {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path: url, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** signRequest, then send. */
export async function signAndSend(endpoint, spec) {
  return send(endpoint, await signRequest(endpoint, spec));
}
