// What the AWS system tests share: the app's settings for the fakes, keys the fakes accept
// for a limited time, the fake bucket's contents as S3 itself reports them, and a database
// reached through a password-protected role, as RDS and its Secrets Manager secret give one.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { signAndSend } from '../../fakes/aws-client.mjs';
import { Database } from '../../system/lib/database.mjs';
import * as postgres from '../../system/lib/postgres.mjs';

export { sleep };

const run = promisify(execFile);

// The app must see only the AWS and database settings a test gives it, never the machine's own.
for (const name of Object.keys(process.env)) {
  if (name.startsWith('AWS_') || ['DATABASE_URL', 'DB_SECRET_ARN', 'S3_BUCKET_NAME'].includes(name)) delete process.env[name];
}

export const REGION = 'us-east-1';
export const BUCKET = 'hrapp-awstest';
export const DEPLOYMENT_ID = 'awstest';

const hex = (bytes) => randomBytes(bytes).toString('hex');

/** Long-term keys, as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY give them. */
export function newKeys() {
  return { accessKeyId: `AKIA${hex(8).toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** Instance-role credentials as instance metadata serves them, expiring at `expiration` (a Date). */
export function newRoleCredentials(expiration) {
  return { AccessKeyId: `ASIA${hex(8).toUpperCase()}`, SecretAccessKey: randomBytes(30).toString('base64'), Token: hex(32), Expiration: expiration };
}

/**
 * The keys a fake accepts, each until its own deadline (AWS refuses expired credentials);
 * pass `lookup` as the fake's `credentials`.
 */
export class KeyRing {
  #keys = new Map();

  /** Accepts long-term `keys` ({accessKeyId, secretAccessKey}) until `validUntil` (ms). */
  add(keys, validUntil = Infinity) {
    this.#keys.set(keys.accessKeyId, { ...keys, validUntil });
    return keys;
  }

  /** Accepts instance-role credentials until `validUntil` (ms), by default their expiration. */
  addRole(role, validUntil = new Date(role.Expiration).getTime()) {
    this.#keys.set(role.AccessKeyId, { secretAccessKey: role.SecretAccessKey, sessionToken: role.Token, validUntil });
    return role;
  }

  lookup = (accessKeyId) => {
    const entry = this.#keys.get(accessKeyId);
    return entry && Date.now() < entry.validUntil ? entry : undefined;
  };
}

/** The app's settings for long-term keys. */
export function keyEnv(keys) {
  return { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
}

/** The app's settings for images in the fake bucket (credentials come separately). */
export function s3Env(s3) {
  return { S3_BUCKET_NAME: BUCKET, AWS_REGION: REGION, AWS_ENDPOINT_URL_S3: s3.endpoint, DEPLOYMENT_ID };
}

/** The app's settings for instance credentials from the metadata fake. */
export function imdsEnv(imds) {
  return { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint };
}

/** The object key the app must use for an image file name. */
export const objectKey = (fileName) => `uploads/${DEPLOYMENT_ID}/${fileName}`;

/** The key an image_url (a presigned S3 URL) points at, or undefined if it points elsewhere. */
export function keyOfUrl(s3, imageUrl) {
  const url = new URL(imageUrl);
  const prefix = `/${BUCKET}/`;
  if (url.origin !== s3.endpoint || !url.pathname.startsWith(prefix)) return undefined;
  return decodeURIComponent(url.pathname.slice(prefix.length));
}

/** An object as S3 answers a signed GetObject with `keys`: {status, body, headers}. */
export function getObject(s3, keys, key) {
  return signAndSend(s3.endpoint, { service: 's3', region: REGION, credentials: keys, path: `/${BUCKET}/${key}` });
}

/** The keys stored under `prefix`, by a signed ListObjectsV2 with `keys`. */
export async function listKeys(s3, keys, prefix = `uploads/${DEPLOYMENT_ID}/`) {
  const answer = await signAndSend(s3.endpoint, {
    service: 's3', region: REGION, credentials: keys, path: `/${BUCKET}`, query: [['list-type', '2'], ['prefix', prefix]],
  });
  if (answer.status !== 200) throw new Error(`ListObjectsV2: ${answer.status} ${answer.body}`);
  return [...answer.body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]).sort();
}

/**
 * The requests the S3 fake recorded from index `from` on, once each has its answer (the app
 * may read the answer a moment before the fake writes down its status).
 */
export async function recordedSince(s3, from = 0) {
  for (let waited = 0; s3.requests.slice(from).some((r) => r.status === undefined); waited += 10) {
    if (waited > 2000) throw new Error('the S3 fake did not finish answering');
    await sleep(10);
  }
  return s3.requests.slice(from);
}

/** The error code in an S3 XML error body. */
export const s3ErrorCode = (body) => /<Code>([^<]+)<\/Code>/.exec(body.toString())?.[1];

/** A database whose URL the app must not be given: it learns where and how from the secret. */
class SecretBackedDatabase extends Database {
  get env() {
    return {};
  }
}

/**
 * The keys of the database secret as the synthesized data stack and its RDS attachment produce
 * it (infra/test/secret-shape.ts, run once by tests/aws/run.sh): a key the stacks add or drop
 * changes the secrets these tests give the app.
 */
function templateSecretKeys() {
  const shape = process.env.HRAPP_SECRET_SHAPE;
  if (!shape) throw new Error('HRAPP_SECRET_SHAPE is not set: run the AWS tests with tests/aws/run.sh');
  return Object.keys(JSON.parse(shape));
}

/**
 * A fresh database owned by a fresh login role with a password, as RDS makes them. Returns
 * {database, role, password, secret(password)}; `secret` is the RDS secret JSON of the role,
 * with exactly the keys of the deployed secret.
 */
export async function createRoleDatabase() {
  const name = await postgres.createDatabase();
  const role = `hrapp_${hex(5)}`;
  const password = hex(16);
  await postgres.execute('postgres', `CREATE ROLE ${role} LOGIN PASSWORD '${password}'; ALTER DATABASE ${name} OWNER TO ${role}`);
  const keys = templateSecretKeys();
  const secret = (pass) => {
    const values = {
      username: role, password: pass, dbname: name, engine: 'postgres', host: '127.0.0.1',
      port: Number(process.env.HRAPP_PG_PORT), dbInstanceIdentifier: `hrapp-${DEPLOYMENT_ID}-db`,
      // Multi-user rotation's: the master's secret, which the rotation reads and the app never does.
      masterarn: `arn:aws:secretsmanager:${REGION}:111122223333:secret:hrapp/${DEPLOYMENT_ID}/db-master-AbCdEf`,
    };
    return Object.fromEntries(keys.map((key) => {
      if (!(key in values)) throw new Error(`the deployed secret has a key '${key}' these tests cannot fill`);
      return [key, values[key]];
    }));
  };
  return { database: new SecretBackedDatabase({ postgresName: name }), role, password, secret };
}

/** Whether `role` can sign in to `dbname` over TCP with `password` (what the app does). */
export async function canConnect(role, password, dbname) {
  try {
    await run(`${process.env.HRAPP_PG_BIN}/psql`, ['-X', '-w', '-h', '127.0.0.1', '-p', process.env.HRAPP_PG_PORT, '-U', role, '-d', dbname, '-c', 'SELECT 1'], {
      env: { ...process.env, PGPASSWORD: password },
    });
    return true;
  } catch (error) {
    if (/password authentication failed/.test(error.stderr)) return false;
    throw error;
  }
}

/** The process ids of the database sessions `role` holds. */
export async function backendsOf(role) {
  const rows = await postgres.queryRows('postgres', `SELECT pid FROM pg_stat_activity WHERE usename = '${role}'`);
  return rows.map((r) => r.pid).sort();
}

/**
 * Ends every database session of `role` (as a failover or an administrator would) and waits
 * until they are gone, so the app's next requests must open new connections.
 */
export async function terminateBackends(role) {
  const ended = await backendsOf(role);
  await postgres.execute('postgres', `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`);
  for (let waited = 0; (await backendsOf(role)).some((pid) => ended.includes(pid)); waited += 50) {
    if (waited > 5000) throw new Error(`the sessions of ${role} did not end`);
    await sleep(50);
  }
  return ended;
}
