// Secrets Manager for tests: GetSecretValue over the AWS JSON 1.1 protocol, every request's
// SigV4 signature verified (service "secretsmanager"), versions staged AWSCURRENT, AWSPENDING
// and AWSPREVIOUS as rotation leaves them.
//
// CLI: node tests/fakes/secretsmanager.mjs [--secret-id NAME --secret VALUE] [--access-key K]
//      [--secret-key S] [--region R]
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sendJsonError, sendJsonVerdictError } from './aws-errors.mjs';
import { FakeServer, isMain, runUntilSignal } from './http-server.mjs';
import { credentialLookup, verifySigV4 } from './sigv4-verify.mjs';

const ACCOUNT_ID = '123456789012';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NOT_FOUND = "Secrets Manager can't find the specified secret.";
/** The exceptions a fake can be told to answer with, and their HTTP status. */
const FAULT_STATUS = { AccessDeniedException: 400, ThrottlingException: 400, InternalServiceError: 500, ResourceNotFoundException: 400 };
const FAULT_MESSAGES = {
  AccessDeniedException: 'User is not authorized to perform: secretsmanager:GetSecretValue',
  ThrottlingException: 'Rate exceeded',
  InternalServiceError: 'An error occurred on the server side.',
  ResourceNotFoundException: NOT_FOUND,
};

// Like the service, six random letters and digits after the name.
const arnSuffix = () => [...randomBytes(6)].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
const asString = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
const newVersion = (value) => ({ id: randomUUID(), value: asString(value), created: Date.now() / 1000 });

/**
 * Starts the fake. credentials: as credentialLookup takes them (object, array or function).
 * Returns {endpoint, port, calls, setSecret(secretId, {current, pending}), setFault(fault,
 * count?), close()}. `calls[SecretId][VersionStage]` counts the signed GetSecretValue calls as
 * asked (by name or ARN; the stage defaults to AWSCURRENT).
 */
export async function startSecretsManager({ credentials, region = 'us-east-1' }) {
  const lookup = credentialLookup(credentials);
  const secrets = new Map(); // name -> {arn, stages: {AWSCURRENT, AWSPENDING?, AWSPREVIOUS?}}
  const calls = {};

  const find = (secretId) => secrets.get(secretId) ?? [...secrets.values()].find((s) => s.arn === secretId);

  function getSecretValue(res, { SecretId: secretId, VersionStage: stage, VersionId: versionId }) {
    if (typeof secretId !== 'string' || secretId === '') {
      sendJsonError(res, 'InvalidParameterException', 'You must provide a SecretId.');
      return;
    }
    const askedStage = stage ?? (versionId ? undefined : 'AWSCURRENT');
    const asked = askedStage ?? versionId;
    calls[secretId] ??= {};
    calls[secretId][asked] = (calls[secretId][asked] ?? 0) + 1;
    const secret = find(secretId);
    if (!secret) {
      sendJsonError(res, 'ResourceNotFoundException', NOT_FOUND);
      return;
    }
    const version = askedStage ? secret.stages[askedStage] : Object.values(secret.stages).find((v) => v.id === versionId);
    if (!version || (versionId && version.id !== versionId)) {
      sendJsonError(res, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${askedStage ? `staging label: ${askedStage}` : `VersionId: ${versionId}`}`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify({
      ARN: secret.arn, Name: secret.name, SecretString: version.value, VersionId: version.id,
      VersionStages: Object.keys(secret.stages).filter((s) => secret.stages[s] === version),
      CreatedDate: version.created,
    }));
  }

  const server = new FakeServer(async (req, res, body, faults) => {
    if (req.method !== 'POST' || req.url !== '/') {
      sendJsonError(res, 'UnknownOperationException', `${req.method} ${req.url} is not an operation of this service`, 404);
      return;
    }
    const verdict = await verifySigV4(req, body, { service: 'secretsmanager', region, lookup });
    if (!verdict.ok) {
      sendJsonVerdictError(res, verdict);
      return;
    }
    const fault = faults.take();
    if (fault) {
      sendJsonError(res, fault, FAULT_MESSAGES[fault], FAULT_STATUS[fault]);
      return;
    }
    if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      sendJsonError(res, 'UnknownOperationException', `unknown operation ${req.headers['x-amz-target']}`);
      return;
    }
    if (!/^application\/x-amz-json-1\.1\b/.test(req.headers['content-type'] ?? '')) {
      sendJsonError(res, 'SerializationException', 'Content-Type must be application/x-amz-json-1.1');
      return;
    }
    let input;
    try { input = JSON.parse(body.toString('utf8')); } catch { input = undefined; }
    if (typeof input !== 'object' || input === null) {
      sendJsonError(res, 'SerializationException', 'the body is not a JSON object');
      return;
    }
    getSecretValue(res, input);
  });
  await server.listen();

  return {
    endpoint: server.endpoint,
    port: server.port,
    calls,
    /**
     * Sets a secret's AWSCURRENT and, optionally, AWSPENDING value (a string, or an object
     * stored as JSON). A new current value that equals the pending one promotes that version,
     * as rotation does; the replaced current version becomes AWSPREVIOUS. Returns the ARN.
     */
    setSecret(secretId, { current, pending }) {
      const known = find(secretId);
      if (!known && secretId.startsWith('arn:')) throw new Error(`no secret has the ARN ${secretId}`);
      const secret = known ?? { name: secretId, stages: {}, arn: `arn:aws:secretsmanager:${region}:${ACCOUNT_ID}:secret:${secretId}-${arnSuffix()}` };
      secrets.set(secret.name, secret);
      const old = secret.stages;
      const stages = { ...old };
      delete stages.AWSPENDING;
      if (current !== undefined && old.AWSCURRENT?.value !== asString(current)) {
        stages.AWSCURRENT = old.AWSPENDING?.value === asString(current) ? old.AWSPENDING : newVersion(current);
        if (old.AWSCURRENT) stages.AWSPREVIOUS = old.AWSCURRENT;
      }
      if (pending !== undefined) stages.AWSPENDING = newVersion(pending);
      secret.stages = stages;
      return secret.arn;
    },
    async setFault(fault, count) {
      if (fault !== null && fault !== 'down' && !(fault in FAULT_STATUS)) throw new Error(`unknown Secrets Manager fault ${fault}`);
      await server.setFault(fault, count);
    },
    close: () => server.close(),
  };
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      'secret-id': { type: 'string', default: 'hrapp/local/db' },
      secret: { type: 'string', default: '{"username":"hrapp","password":"hrapp"}' },
      'access-key': { type: 'string', default: 'AKIDEXAMPLE' },
      'secret-key': { type: 'string', default: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      region: { type: 'string', default: 'us-east-1' },
    },
  });
  let arn;
  await runUntilSignal(async () => {
    const sm = await startSecretsManager({ region: values.region, credentials: { accessKeyId: values['access-key'], secretAccessKey: values['secret-key'] } });
    arn = sm.setSecret(values['secret-id'], { current: values.secret });
    return sm;
  }, (sm) => ({ endpoint: sm.endpoint, port: sm.port, region: values.region, arn }));
}
