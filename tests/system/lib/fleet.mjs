// A load-balanced fleet on one machine, built like the CDK app's: hrapp instances on one
// PostgreSQL database reached through a Secrets Manager secret (the fake), images in S3 (the
// verifying fake), and HAProxy in front set up like the ALB and its target group: health checks
// on /health, the same thresholds and time-outs, targets registered and deregistered at run time
// through HAProxy's runtime API. Needs the throwaway cluster of tests/with-postgres.sh.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startS3 } from '../../fakes/s3.mjs';
import { startSecretsManager } from '../../fakes/secretsmanager.mjs';
import { BUCKET, KeyRing, REGION, createRoleDatabase, keyEnv, newKeys, s3Env, sleep } from '../../aws/lib/aws.mjs';
import { freePort, startApp, tempDir } from './app.mjs';
import { Client } from './http.mjs';
import { execute } from './postgres.mjs';

/**
 * The target group of infra/lib/stacks/compute-stack.ts (health check every 30 s, 5 s time-out,
 * healthy after 2, unhealthy after 3) and the ALB's defaults (60 s idle time-out, 10 s to
 * connect to a target). A test may shorten the interval only. The deregistration delay (30 s)
 * is not waited for: see Fleet.replace.
 */
export const albTiming = {
  checkIntervalMs: 30000, checkTimeoutMs: 5000, healthyThreshold: 2, unhealthyThreshold: 3,
  idleTimeoutMs: 60000, connectTimeoutMs: 10000,
};

/** HAProxy in front of the fleet: `url` for clients, `command` for its runtime API. */
class LoadBalancer {
  static async start(dir, timing) {
    const port = await freePort();
    const socket = path.join(dir, 'haproxy.sock');
    const config = path.join(dir, 'haproxy.cfg');
    writeFileSync(config, `global
  stats socket ${socket} mode 600 level admin
defaults
  mode http
  timeout connect ${timing.connectTimeoutMs}ms
  timeout client ${timing.idleTimeoutMs}ms
  timeout server ${timing.idleTimeoutMs}ms
  timeout http-keep-alive ${timing.idleTimeoutMs}ms
  timeout check ${timing.checkTimeoutMs}ms
  # A refused connection never reached an instance: try another (the ALB's targets are on
  # other hosts; a refusal here stands for a target the ALB has not yet found unhealthy).
  retries 3
  option redispatch 1
frontend web
  bind 127.0.0.1:${port}
  default_backend fleet
backend fleet
  balance roundrobin
  option httpchk GET /health
  http-check expect status 200
`);
    const child = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    const lb = new LoadBalancer(child, port, socket, timing);
    for (let waited = 0; ; waited += 50) {
      if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${stderr}`);
      try {
        await lb.command('show info');
        return lb;
      } catch {
        if (waited > 10000) throw new Error(`haproxy did not start: ${stderr}`);
        await sleep(50);
      }
    }
  }

  constructor(child, port, socket, timing) {
    this.child = child;
    this.port = port;
    this.socket = socket;
    this.timing = timing;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** One runtime-API command; resolves with HAProxy's answer. */
  command(line) {
    return new Promise((resolve, reject) => {
      const connection = net.connect(this.socket);
      let answer = '';
      connection.setEncoding('utf8').on('data', (text) => (answer += text));
      connection.on('end', () => resolve(answer));
      connection.on('error', reject);
      connection.end(`${line}\n`);
    });
  }

  /** The health status of target `name` ("UP", "DOWN", "MAINT", …) in HAProxy's statistics. */
  async status(name) {
    const [header, ...lines] = (await this.command('show stat')).trim().split('\n');
    const columns = header.replace(/^# /, '').split(',');
    for (const line of lines) {
      const row = Object.fromEntries(line.split(',').map((value, i) => [columns[i], value]));
      if (row.pxname === 'fleet' && row.svname === name) return row.status;
    }
    return undefined;
  }

  async #expectEmpty(line) {
    const answer = (await this.command(line)).trim();
    if (answer !== '' && !answer.startsWith('New server registered')) throw new Error(`haproxy: ${line}: ${answer}`);
  }

  /** Registers a target and waits until HAProxy's own health checks find it healthy. */
  async register(name, port) {
    const t = this.timing;
    await this.#expectEmpty(`add server fleet/${name} 127.0.0.1:${port} check inter ${t.checkIntervalMs} rise ${t.healthyThreshold} fall ${t.unhealthyThreshold}`);
    await this.#expectEmpty(`enable health fleet/${name}`);
    await this.#expectEmpty(`enable server fleet/${name}`);
    const deadline = Date.now() + t.checkIntervalMs * (t.healthyThreshold + 2) + 15000;
    while ((await this.status(name)) !== 'UP') {
      if (Date.now() > deadline) throw new Error(`target ${name} did not turn healthy: ${await this.status(name)}`);
      await sleep(100);
    }
  }

  /** Sends `name` no new request (the ALB's "draining"). */
  drain(name) {
    return this.#expectEmpty(`set server fleet/${name} state drain`);
  }

  /** Takes `name` out of the group for good. */
  remove(name) {
    return this.#expectEmpty(`set server fleet/${name} state maint`);
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/**
 * The fleet: `size` instances behind the load balancer, all on one database whose password is
 * in a Secrets Manager secret, images in one S3 bucket. `instances` lists the registered ones.
 */
export class Fleet {
  static async start({ size = 3, timing = albTiming, env: settings = {} } = {}) {
    const fleet = new Fleet(timing);
    try {
      const keyring = new KeyRing();
      const keys = keyring.add(newKeys());
      fleet.sm = await startSecretsManager({ credentials: keyring.lookup, region: REGION });
      fleet.s3 = await startS3({ credentials: keyring.lookup, bucket: BUCKET });
      fleet.db = await createRoleDatabase();
      fleet.secretName = `hrapp/fleet/${fleet.db.role}`;
      const arn = fleet.sm.setSecret(fleet.secretName, { current: fleet.db.secret(fleet.db.password) });
      fleet.env = {
        DB_SECRET_ARN: arn, AWS_ENDPOINT_URL_SECRETS_MANAGER: fleet.sm.endpoint, ...s3Env(fleet.s3), ...keyEnv(keys),
        LOG_LEVEL: 'warn', ...settings,
      };
      fleet.lb = await LoadBalancer.start(tempDir('hrapp-lb-'), timing);
      for (let i = 0; i < size; i++) await fleet.launch();
      return fleet;
    } catch (error) {
      await fleet.stop();
      throw error;
    }
  }

  constructor(timing) {
    this.timing = timing;
    this.instances = [];
    this.launched = 0;
  }

  get url() {
    return this.lb.url;
  }

  /** Starts a new instance, waits for its /health, registers it, and waits until it is in service. */
  async launch() {
    const name = `app${++this.launched}`;
    const app = await startApp({ database: this.db.database, env: this.env, port: await freePort() });
    app.name = name;
    this.instances.push(app); // from here on, stop() ends it
    const health = () => new Client(app.url).get('/health').catch((error) => {
      if (error instanceof TypeError) return { status: 0 }; // fetch's TypeError: not listening yet
      throw error;
    });
    for (let waited = 0; (await health()).status !== 200; waited += 100) {
      if (waited > 30000) throw new Error(`${name} did not turn healthy; stderr: ${app.stderr}`);
      await sleep(100);
    }
    await this.lb.register(name, app.port);
    return app;
  }

  /**
   * Replaces `app` as a rolling update does: the new instance first; then the old one is
   * deregistered and, as soon as the load balancer routes nothing new to it, sent SIGTERM.
   * Stricter than the ALB, which waits up to the deregistration delay for requests in flight:
   * here the instance's own drain must finish them. Returns [exit code, the new instance].
   */
  async replace(app) {
    const fresh = await this.launch();
    await this.lb.drain(app.name);
    const code = await app.stop('SIGTERM');
    await this.lb.remove(app.name);
    this.instances = this.instances.filter((a) => a !== app);
    return [code, fresh];
  }

  /** SIGKILLs `app` and, as the Auto Scaling group does, puts a new instance in its place. */
  async kill(app) {
    await app.stop('SIGKILL');
    const fresh = await this.launch();
    await this.lb.remove(app.name);
    this.instances = this.instances.filter((a) => a !== app);
    return fresh;
  }

  /** Puts `password` on the database role and in the secret as AWSPENDING (rotation's first steps). */
  async beginRotation(password) {
    await execute('postgres', `ALTER ROLE ${this.db.role} PASSWORD '${password}'`);
    this.sm.setSecret(this.secretName, { current: this.db.secret(this.db.password), pending: this.db.secret(password) });
    this.pendingPassword = password;
  }

  /** Promotes the pending password to AWSCURRENT (rotation's last step). */
  finishRotation() {
    this.sm.setSecret(this.secretName, { current: this.db.secret(this.pendingPassword) });
    this.db.password = this.pendingPassword;
  }

  /** Stops every instance (SIGTERM) and what the fleet started; returns the instances' exit codes. */
  async stop() {
    const codes = [];
    for (const app of this.instances) codes.push(await app.stop());
    await this.lb?.stop();
    await this.s3?.close();
    await this.sm?.close();
    return codes;
  }
}
