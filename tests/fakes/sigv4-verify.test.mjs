import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { formatAmzDate, parseAmzDate } from '../sigv4/reference-signer.mjs';
import { send, signRequest } from './aws-client.mjs';
import { Code, startVerdictServer } from './sigv4-verify.mjs';

const KEYS = { accessKeyId: 'AKIDVERIFY', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const TEMP = { accessKeyId: 'ASIAVERIFY', secretAccessKey: 'temporary/secret+key', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN==' };

// Each service gets a loopback endpoint that answers the verdict as JSON.
const endpoints = {};
const servers = [];
before(async () => {
  for (const service of ['s3', 'secretsmanager']) {
    const server = await startVerdictServer({ service, region: 'eu-west-2', credentials: [KEYS, TEMP] });
    endpoints[service] = server.endpoint;
    servers.push(server);
  }
});
after(() => Promise.all(servers.map((s) => s.close())));

const spec = (service, extra = {}) => ({
  service, region: 'eu-west-2', credentials: KEYS, method: 'PUT', path: '/hrapp-bucket/uploads/a%20b.png',
  query: [['x-id', 'PutObject'], ['tag', ''], ['tag', 'b c']], headers: [['Content-Type', 'image/png'], ['X-Amz-Meta-Owner', '  ada   lovelace ']],
  body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), ...extra,
});

async function verdictOf(service, wire) {
  const answer = await send(endpoints[service], wire);
  return JSON.parse(answer.body.toString());
}
const signed = (service, extra) => signRequest(endpoints[service], spec(service, extra));

for (const service of ['s3', 'secretsmanager']) {
  describe(`verifying ${service} requests`, () => {
    test('a correctly signed request passes, with long-term and with temporary keys', async () => {
      assert.deepEqual(await verdictOf(service, await signed(service)), { ok: true, accessKeyId: KEYS.accessKeyId });
      assert.deepEqual(await verdictOf(service, await signed(service, { credentials: TEMP })), { ok: true, accessKeyId: TEMP.accessKeyId });
    });

    test('a request signed with the wrong secret is refused', async () => {
      const wire = await signed(service, { credentials: { ...KEYS, secretAccessKey: 'not-the-secret' } });
      const verdict = await verdictOf(service, wire);
      assert.equal(verdict.code, Code.Mismatch);
      assert.match(verdict.canonicalRequest, /^PUT\n/);
    });

    test('an unknown access key is refused', async () => {
      const verdict = await verdictOf(service, await signed(service, { credentials: { ...KEYS, accessKeyId: 'AKIDUNKNOWN' } }));
      assert.equal(verdict.code, Code.UnknownKey);
    });

    test('a missing or wrong session token is refused', async () => {
      const wire = await signed(service, { credentials: TEMP });
      delete wire.headers['x-amz-security-token'];
      assert.equal((await verdictOf(service, wire)).code, Code.BadToken);
      const forged = await signed(service, { credentials: { ...TEMP, sessionToken: 'forged' } });
      assert.equal((await verdictOf(service, forged)).code, Code.BadToken);
    });

    test('a tampered path, query or signed header is refused', async () => {
      const wire = await signed(service);
      const tampered = [
        { ...wire, url: wire.url.replace('a%20b', 'a%20c') },
        { ...wire, url: wire.url.replace('b%20c', 'b%20d') },
        { ...wire, url: `${wire.url}&extra=1` },
        { ...wire, method: 'POST' },
        { ...wire, headers: { ...wire.headers, 'content-type': 'text/html' } },
        { ...wire, headers: { ...wire.headers, 'x-amz-date': formatAmzDate(new Date(parseAmzDate(wire.headers['x-amz-date']).getTime() - 1000)) } },
      ];
      for (const request of tampered) assert.equal((await verdictOf(service, request)).code, Code.Mismatch, request.url);
    });

    test('an unsigned header may be added, as with AWS', async () => {
      const wire = await signed(service);
      assert.equal((await verdictOf(service, { ...wire, headers: { ...wire.headers, 'x-trace': 'abc' } })).ok, true);
    });

    test('a tampered body is refused', async () => {
      const wire = await signed(service);
      const verdict = await verdictOf(service, { ...wire, body: Buffer.from('forged body') });
      assert.equal(verdict.code, service === 's3' ? Code.ContentSha256Mismatch : Code.Mismatch);
    });

    test('a request without a signature is refused', async () => {
      const wire = await signed(service);
      delete wire.headers.authorization;
      assert.equal((await verdictOf(service, wire)).code, Code.MissingSignature);
    });

    test('a request more than 15 minutes off the clock is refused, within it passes', async () => {
      const late = await signed(service, { time: new Date(Date.now() - 16 * 60 * 1000) });
      assert.equal((await verdictOf(service, late)).code, Code.Skewed);
      const early = await signed(service, { time: new Date(Date.now() + 16 * 60 * 1000) });
      assert.equal((await verdictOf(service, early)).code, Code.Skewed);
      const near = await signed(service, { time: new Date(Date.now() - 14 * 60 * 1000) });
      assert.equal((await verdictOf(service, near)).ok, true);
    });

    test('a scope for another region or service is refused', async () => {
      assert.equal((await verdictOf(service, await signed(service, { region: 'us-east-1' }))).code, Code.Malformed);
      assert.equal((await verdictOf(service, await signed(service, { service: 'iam' }))).code, Code.Malformed);
    });
  });
}

describe('S3 rules', () => {
  test('paths are signed as sent: no normalisation, one encoding', async () => {
    const wire = await signed('s3', { path: '/hrapp-bucket/a/..//b%2Fc' });
    assert.equal((await verdictOf('s3', wire)).ok, true);
    assert.equal((await verdictOf('s3', { ...wire, url: wire.url.replace('/a/..//', '/') })).code, Code.Mismatch);
  });

  test('UNSIGNED-PAYLOAD leaves the body unchecked; a missing payload hash is refused', async () => {
    const unsigned = await signed('s3', { headers: [['x-amz-content-sha256', 'UNSIGNED-PAYLOAD']] });
    assert.equal((await verdictOf('s3', { ...unsigned, body: Buffer.from('any body') })).ok, true);
    const wire = await signed('s3');
    delete wire.headers['x-amz-content-sha256'];
    assert.equal((await verdictOf('s3', wire)).code, Code.MissingContentSha256);
  });

  test('a presigned URL passes until it expires, and not when tampered or re-signed wrongly', async () => {
    const get = { method: 'GET', body: Buffer.alloc(0), headers: [], query: [] };
    const fresh = await signed('s3', { ...get, presignExpires: 60 });
    assert.match(fresh.url, /X-Amz-Signature=[0-9a-f]{64}/);
    assert.equal((await verdictOf('s3', fresh)).ok, true);
    const withToken = await signed('s3', { ...get, presignExpires: 60, credentials: TEMP });
    assert.match(withToken.url, /X-Amz-Security-Token=/);
    assert.equal((await verdictOf('s3', withToken)).ok, true);
    const expired = await signed('s3', { ...get, presignExpires: 60, time: new Date(Date.now() - 61 * 1000) });
    assert.equal((await verdictOf('s3', expired)).code, Code.Expired);
    const stretched = { ...fresh, url: fresh.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600') };
    assert.equal((await verdictOf('s3', stretched)).code, Code.Mismatch);
    const wrongKey = await signed('s3', { ...get, presignExpires: 60, credentials: { ...KEYS, secretAccessKey: 'nope' } });
    assert.equal((await verdictOf('s3', wrongKey)).code, Code.Mismatch);
    const unsignedUrl = { ...fresh, url: fresh.url.replace(/&X-Amz-Signature=[0-9a-f]+/, '') };
    assert.equal((await verdictOf('s3', unsignedUrl)).code, Code.Malformed);
  });
});

test('other services sign the normalised path, encoded twice', async () => {
  const wire = await signed('secretsmanager', { path: '/a/./b/../c%20d/' });
  assert.equal((await verdictOf('secretsmanager', wire)).ok, true);
  // The same canonical path, so the same signature holds for the normalised form.
  assert.equal((await verdictOf('secretsmanager', { ...wire, url: wire.url.replace('/a/./b/../c%20d/', '/a/c%20d/') })).ok, true);
  assert.equal((await verdictOf('secretsmanager', { ...wire, url: wire.url.replace('/a/./b/../c%20d/', '/a/c%2520d/') })).code, Code.Mismatch);
});
