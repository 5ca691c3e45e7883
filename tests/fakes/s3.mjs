// S3 for tests: s3rver (real S3 REST semantics, but no signature checks) behind a proxy that
// verifies every request's SigV4 signature first and records what the client sent.
//
// CLI: node tests/fakes/s3.mjs [--bucket B] [--access-key K] [--secret-key S] [--region R]
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';
import { S3_FAULTS, sendS3Error, sendS3VerdictError } from './aws-errors.mjs';
import { FakeServer, isMain, runUntilSignal } from './http-server.mjs';
import { credentialLookup, splitTarget, verifySigV4 } from './sigv4-verify.mjs';

function forward(req, body, port, res) {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.rawHeaders }, (answer) => {
      res.writeHead(answer.statusCode, answer.rawHeaders);
      answer.pipe(res);
      answer.on('end', resolve);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/**
 * Starts s3rver with `bucket` in a temp directory and the verifying proxy in front of it.
 * credentials: {accessKeyId, secretAccessKey, sessionToken?}, an array of them, or a lookup
 * function (accessKeyId) => {secretAccessKey, sessionToken?} | undefined.
 * Returns {endpoint, port, requests, setFault(fault, count?), close()}: `requests` lists
 * {method, path, query, headers, verdict, status} per request; faults: 'down', 'AccessDenied',
 * 'NoSuchBucket', 'SlowDown', 'InternalError', or null.
 */
export async function startS3({ credentials, bucket, region = 'us-east-1' }) {
  const lookup = credentialLookup(credentials);
  const directory = await mkdtemp(join(tmpdir(), 'hrapp-s3-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false, configureBuckets: [{ name: bucket }] });
  const { port: s3rverPort } = await s3rver.run();
  // s3rver refuses access key ids it does not know (it checks nothing else of a V4 signature),
  // so each verified key is registered with it; its registry is global to the process and the
  // proxy is what guards the keys, so they stay registered.
  const registered = new Set();
  const requests = [];

  const proxy = new FakeServer(async (req, res, body, faults) => {
    const { path, query } = splitTarget(req.url) ?? { path: req.url, query: [] };
    const entry = { method: req.method, path, query, headers: req.headers };
    requests.push(entry);
    const verdict = await verifySigV4(req, body, { service: 's3', region, lookup });
    entry.verdict = verdict;
    if (!verdict.ok) {
      sendS3VerdictError(req, res, verdict);
    } else {
      const fault = faults.take();
      if (fault) {
        entry.fault = fault;
        sendS3Error(req, res, fault);
      } else {
        if (!registered.has(verdict.accessKeyId)) {
          AWSAccount.DUMMY_ACCOUNT.createKeyPair(verdict.accessKeyId, lookup(verdict.accessKeyId).secretAccessKey);
          registered.add(verdict.accessKeyId);
        }
        await forward(req, body, s3rverPort, res);
      }
    }
    entry.status = res.statusCode;
  });
  await proxy.listen();

  return {
    endpoint: proxy.endpoint,
    port: proxy.port,
    requests,
    async setFault(fault, count) {
      if (fault !== null && fault !== 'down' && !S3_FAULTS.includes(fault)) throw new Error(`unknown S3 fault ${fault}`);
      await proxy.setFault(fault, count);
    },
    async close() {
      await proxy.close();
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      bucket: { type: 'string', default: 'hrapp-local' },
      'access-key': { type: 'string', default: 'AKIDEXAMPLE' },
      'secret-key': { type: 'string', default: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      region: { type: 'string', default: 'us-east-1' },
    },
  });
  await runUntilSignal(
    () => startS3({ bucket: values.bucket, region: values.region, credentials: { accessKeyId: values['access-key'], secretAccessKey: values['secret-key'] } }),
    (s3) => ({ endpoint: s3.endpoint, port: s3.port, bucket: values.bucket, region: values.region }),
  );
}
