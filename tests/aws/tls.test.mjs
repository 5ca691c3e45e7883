// The AWS client's TLS: peer verification against the system CA store (here a test CA given
// through OpenSSL's SSL_CERT_FILE), SNI, and host-name checks. A TLS front is put before the
// S3 fake; the app must store an image through it only when it trusts the certificate and the
// certificate names the host it dialled.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startS3 } from '../fakes/s3.mjs';
import { startApp, tempDir } from '../system/lib/app.mjs';
import { assertError } from '../system/lib/assertions.mjs';
import { png } from '../system/lib/images.mjs';
import { BUCKET, DEPLOYMENT_ID, KeyRing, keyEnv, newKeys, REGION } from './lib/aws.mjs';

const dir = tempDir('hrapp-tls-');
const file = (name) => path.join(dir, name);
const openssl = (...args) => execFileSync('openssl', args, { stdio: 'ignore' });

/** A test CA, and a server certificate it signs for DNS:localhost only. */
function makeCertificates() {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=hrapp test CA',
    '-keyout', file('ca.key'), '-out', file('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file('server.key'), '-out', file('server.csr'));
  writeFileSync(file('san.ext'), 'subjectAltName=DNS:localhost\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-days', '1', '-extfile', file('san.ext'), '-out', file('server.pem'));
}

const keyring = new KeyRing();
const keys = keyring.add(newKeys());
let s3;
let front;
const servernames = [];

before(async () => {
  makeCertificates();
  s3 = await startS3({ credentials: keyring.lookup, bucket: BUCKET });
  const target = new URL(s3.endpoint);
  // Terminates TLS and passes each request on to the verifying S3 proxy unchanged.
  front = https.createServer({ key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) }, (req, res) => {
    servernames.push(req.socket.servername);
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await new Promise((resolve) => front?.close(resolve));
  await s3?.close();
});

/** Starts the app against the TLS front at `host`, creates a profile with a photo, stops. */
async function createThroughFront({ host, trustTestCa }) {
  const env = {
    ...keyEnv(keys), S3_BUCKET_NAME: BUCKET, AWS_REGION: REGION, DEPLOYMENT_ID,
    AWS_ENDPOINT_URL_S3: `https://${host}:${front.address().port}`,
    ...(trustTestCa ? { SSL_CERT_FILE: file('ca.pem') } : { SSL_CERT_FILE: file('no-such-ca.pem') }),
  };
  const app = await startApp({ env });
  try {
    const client = app.client();
    await client.signUp('tls');
    const reply = await client.createEmployee({ name: 'Tls Case', role: 'Tester', department: 'QA', image: { bytes: png({ seed: 7 }) } });
    return { reply, logs: app.logs };
  } finally {
    assert.equal(await app.stop(), 0);
  }
}

test('a certificate from a trusted CA for the dialled host: the image is stored, with SNI', async () => {
  const before = servernames.length;
  const { reply } = await createThroughFront({ host: 'localhost', trustTestCa: true });
  assert.equal(reply.status, 201, `${reply}`);
  assert.ok(servernames.length > before, 'requests came through TLS');
  assert.ok(servernames.slice(before).every((name) => name === 'localhost'), `SNI: ${servernames.slice(before)}`);
});

test('a certificate the system does not trust is refused: 503, nothing sent', async () => {
  const before = servernames.length;
  const { reply, logs } = await createThroughFront({ host: 'localhost', trustTestCa: false });
  assertError(reply, 503, 'unavailable');
  assert.equal(servernames.length, before, 'no HTTP request crossed the refused handshake');
  assert.ok(logs.some((l) => /certificate verify failed/.test(l.error ?? '')), 'the log says why');
});

test('a trusted certificate for another host name is refused', async () => {
  const before = servernames.length;
  const { reply } = await createThroughFront({ host: '127.0.0.1', trustTestCa: true });
  assertError(reply, 503, 'unavailable');
  assert.equal(servernames.length, before, 'no HTTP request crossed the refused handshake');
});
