// The EC2 instance metadata service for tests, IMDSv2 only (as our instances are configured):
// session tokens, the instance role's credentials and the identity document.
//
// CLI: node tests/fakes/imds.mjs [--role NAME] [--region R]
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { FakeServer, isMain, runUntilSignal } from './http-server.mjs';

const TOKEN_PATH = '/latest/api/token';
const CREDENTIALS_PATH = '/latest/meta-data/iam/security-credentials/';
const IDENTITY_PATH = '/latest/dynamic/instance-identity/document';
const MAX_TOKEN_TTL = 21600;
const CREDENTIAL_LIFETIME_MS = 6 * 3600 * 1000;

const isoSeconds = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');


/**
 * Starts the fake. credentials: {AccessKeyId, SecretAccessKey, Token, Expiration?} (Expiration
 * a Date or ISO string, default six hours on); `now` is the clock tokens age by. Returns
 * {endpoint, port, calls, setCredentials(c), setFault(fault, count?), expireTokens(), close()};
 * `calls` lists {method, path, status} per request; the faults are 'down' and 'slow' (each
 * answer SLOW_MS late).
 */
/** How late the 'slow' fault answers. */
export const SLOW_MS = 4000;

export async function startImds({ role = 'hrapp-instance-role', credentials, region = 'us-east-1', now = () => new Date() }) {
  const tokens = new Map(); // token -> expiry (ms)
  const calls = [];
  let current;
  const setCredentials = ({ AccessKeyId, SecretAccessKey, Token, Expiration }) => {
    const expiration = Expiration === undefined ? new Date(now().getTime() + CREDENTIAL_LIFETIME_MS) : new Date(Expiration);
    current = {
      Code: 'Success', LastUpdated: isoSeconds(now()), Type: 'AWS-HMAC',
      AccessKeyId, SecretAccessKey, Token, Expiration: isoSeconds(expiration),
    };
  };
  setCredentials(credentials);
  const identity = {
    accountId: '123456789012', architecture: 'x86_64', availabilityZone: `${region}a`, imageId: 'ami-0123456789abcdef0',
    instanceId: `i-${randomBytes(9).toString('hex').slice(0, 17)}`, instanceType: 't3.small', pendingTime: isoSeconds(now()),
    privateIp: '10.0.1.23', region, version: '2017-09-30',
  };

  function route(req) {
    const path = req.url.split('?')[0];
    // IMDS refuses anything that came through a proxy, so a misconfigured forwarder cannot
    // hand out the instance's credentials.
    if (req.headers['x-forwarded-for'] !== undefined) return [403, 'Forbidden'];
    if (path === TOKEN_PATH) {
      if (req.method !== 'PUT') return [405, 'Method Not Allowed'];
      const ttlHeader = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
      const ttl = /^\d+$/.test(ttlHeader ?? '') ? Number(ttlHeader) : NaN;
      if (!(ttl >= 1 && ttl <= MAX_TOKEN_TTL)) return [400, 'Bad Request'];
      const token = randomBytes(42).toString('base64');
      tokens.set(token, now().getTime() + ttl * 1000);
      return [200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) }];
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return [405, 'Method Not Allowed'];
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (!(tokens.get(token) > now().getTime())) return [401, 'Unauthorized'];
    if (path === CREDENTIALS_PATH || path === CREDENTIALS_PATH.slice(0, -1)) return [200, role];
    if (path === CREDENTIALS_PATH + role) return [200, JSON.stringify(current, null, 2)];
    if (path === IDENTITY_PATH) return [200, JSON.stringify(identity, null, 2)];
    return [404, 'Not Found'];
  }

  const server = new FakeServer(async (req, res, body, faults) => {
    // 'slow': metadata answers, but only after SLOW_MS (a throttled or overloaded service).
    if (faults.current === 'slow') {
      faults.take();
      await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    }
    const [status, text, headers = {}] = route(req);
    calls.push({ method: req.method, path: req.url, status });
    res.writeHead(status, { 'content-type': 'text/plain', server: 'EC2ws', ...headers });
    res.end(req.method === 'HEAD' ? undefined : text);
  });
  await server.listen();

  return {
    endpoint: server.endpoint,
    port: server.port,
    calls,
    setCredentials,
    /** Invalidates every token issued so far: the next request with one gets 401. */
    expireTokens: () => tokens.clear(),
    async setFault(fault, count) {
      if (fault !== null && fault !== 'down' && fault !== 'slow') throw new Error(`unknown IMDS fault ${fault}`);
      await server.setFault(fault, count);
    },
    close: () => server.close(),
  };
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: { role: { type: 'string', default: 'hrapp-instance-role' }, region: { type: 'string', default: 'us-east-1' } },
  });
  await runUntilSignal(
    () => startImds({
      role: values.role, region: values.region,
      credentials: { AccessKeyId: 'ASIAIMDSEXAMPLE', SecretAccessKey: randomBytes(30).toString('base64'), Token: randomUUID() },
    }),
    (imds) => ({ endpoint: imds.endpoint, port: imds.port, role: values.role, region: values.region }),
  );
}
