// The fleet rehearsal: a steady mixed load through the load balancer (reads, creations with a
// photo, sign-ins) while instances are replaced, killed, a session is signed out and PostgreSQL
// restarts. Each scenario returns what it saw and the problems it found; `rehearse` runs them
// all and then checks every acknowledged write. Shared by tests/system/fleet.pgtest.mjs (short
// phases, fast health checks) and bench/fleet.mjs (the ALB's own timing, longer phases).
import { randomBytes } from 'node:crypto';
import { Client } from './http.mjs';
import { png } from './images.mjs';
import { startCluster, stopCluster } from './postgres.mjs';
import { Fleet } from './fleet.mjs';
import { sleep } from '../../aws/lib/aws.mjs';

/** One request's outcome: what, when (ms), its status (0: no answer) and a short kind. */
function outcome(op, at, reply, error) {
  if (error) return { op, at, done: Date.now(), status: 0, kind: `${op}: no answer (${error.cause?.code ?? error.message})` };
  // The app's errors are JSON with a code; HAProxy's own are not.
  const source = reply.body?.error ?? 'from the load balancer';
  return { op, at, done: Date.now(), status: reply.status, kind: `${op}: ${reply.status} ${source}` };
}

/**
 * Clients looping through the load balancer until stopped: readers (a page of the list, one
 * employee, /me), creators (POST /employees with a PNG, each name unique) and signers (sign in
 * again, then /me with the new session). Every outcome is kept; every 201 in `acknowledged`.
 */
class Load {
  outcomes = [];
  acknowledged = new Map(); // unique name -> id
  #stopped = false;
  #running = [];
  #sequence = 0;

  static async start(url, { readers = 4, creators = 2, signers = 1, pauseMs = 0 } = {}) {
    const load = new Load();
    load.pauseMs = pauseMs;
    const owner = new Client(url);
    await owner.signUp('fleet');
    const seed = await owner.createEmployee({ name: 'Fleet seed', role: 'Seed', department: 'Fleet' });
    if (seed.status !== 201) throw new Error(`seed: ${seed}`);
    load.seedId = seed.body.id;
    const signedUp = async (prefix) => {
      const client = new Client(url);
      await client.signUp(prefix);
      return client;
    };
    for (let i = 0; i < readers; i++) load.#running.push(load.#loop(await signedUp('reader'), (c) => load.#read(c)));
    for (let i = 0; i < creators; i++) load.#running.push(load.#loop(await signedUp('creator'), (c) => load.#create(c, i)));
    for (let i = 0; i < signers; i++) load.#running.push(load.#loop(await signedUp('signer'), (c) => load.#signIn(c)));
    return load;
  }

  async #send(op, request, expected) {
    const at = Date.now();
    let result;
    try {
      const reply = await request();
      result = outcome(op, at, reply);
      result.ok = reply.status === expected;
      result.reply = reply;
    } catch (error) {
      result = { ...outcome(op, at, undefined, error), ok: false };
    }
    this.outcomes.push(result);
    return result;
  }

  async #loop(client, step) {
    while (!this.#stopped) {
      const ok = await step(client);
      // A failed request is not retried at once (nor at all: a retried creation could double).
      if (!ok) await sleep(50);
      else if (this.pauseMs) await sleep(this.pauseMs);
    }
  }

  async #read(client) {
    const n = this.#sequence++ % 3;
    if (n === 0) return (await this.#send('read', () => client.get('/employees?limit=20'), 200)).ok;
    if (n === 1) return (await this.#send('read', () => client.get(`/employees/${this.seedId}`), 200)).ok;
    return (await this.#send('read', () => client.get('/me'), 200)).ok;
  }

  async #create(client, index) {
    const name = `Fleet ${index}-${this.#sequence++}-${randomBytes(3).toString('hex')}`;
    const image = { bytes: png({ seed: this.#sequence }), filename: 'photo.png', type: 'image/png' };
    const result = await this.#send('create', () => client.createEmployee({ name, role: 'Rehearsal', department: 'Fleet', image }), 201);
    if (result.ok) this.acknowledged.set(name, result.reply.body.id);
    return result.ok;
  }

  async #signIn(client) {
    const { username, password } = client.user;
    if (!(await this.#send('sign-in', () => client.login(username, password), 200)).ok) return false;
    return (await this.#send('read', () => client.get('/me'), 200)).ok;
  }

  /** The outcomes of requests sent from `from` until `to` (ms). */
  between(from, to = Infinity) {
    return this.outcomes.filter((o) => o.at >= from && o.at < to);
  }

  async stop() {
    this.#stopped = true;
    await Promise.all(this.#running);
  }
}

/** Failures by kind: {"create: 502 from the load balancer": 2, …}. */
function byKind(outcomes) {
  const kinds = {};
  for (const o of outcomes) if (!o.ok) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
  return kinds;
}

function summary(name, outcomes, problems, extra = {}) {
  return { name, requests: outcomes.length, failures: outcomes.filter((o) => !o.ok).length, byKind: byKind(outcomes), problems, ...extra };
}

/** Rolling replacement of every instance, with the database password rotated meanwhile. */
async function rollingWithRotation(fleet, load, { phaseMs }) {
  const from = Date.now();
  const problems = [];
  await sleep(phaseMs);
  await fleet.beginRotation(randomBytes(16).toString('hex'));
  const old = [...fleet.instances];
  for (const [i, app] of old.entries()) {
    const [code] = await fleet.replace(app);
    if (code !== 0) problems.push(`${app.name} exited with ${code} after SIGTERM`);
    // Promoted half-way: instances start both before (they must try AWSPENDING) and after.
    if (i === Math.floor(old.length / 2)) fleet.finishRotation();
    await sleep(phaseMs);
  }
  const outcomes = load.between(from);
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length) problems.push(`${failed.length} requests failed during the rolling replacement`);
  return summary('rolling replacement + secret rotation', outcomes, problems, { replaced: old.length });
}

/** SIGKILL of one instance: only requests in flight at that moment may fail. */
async function killOne(fleet, load, { phaseMs }) {
  const from = Date.now();
  await sleep(phaseMs);
  const victim = fleet.instances[0];
  const killedAt = Date.now();
  await victim.stop('SIGKILL');
  // In flight on it: sent before the process was gone, unanswered when the signal was sent.
  const goneAt = Date.now();
  await fleet.kill(victim);
  await sleep(phaseMs);
  const outcomes = load.between(from);
  const problems = outcomes
    .filter((o) => !o.ok && !(o.at <= goneAt && o.done >= killedAt))
    .map((o) => `not in flight at the kill: ${o.kind} (sent ${o.at - killedAt} ms after it)`);
  const inFlight = outcomes.filter((o) => !o.ok).length;
  return summary(`SIGKILL of one instance`, outcomes, problems, { note: `${inFlight} failed, all in flight at the kill` });
}

/** A sign-out through one instance is refused on every other one at once. */
async function signOutEverywhere(fleet) {
  const problems = [];
  const user = new Client(fleet.url);
  await user.signUp('signout');
  const direct = fleet.instances.map((app) => {
    const client = app.client();
    client.token = user.token;
    return client;
  });
  const before = await Promise.all(direct.map((c) => c.get('/me')));
  if (before.some((r) => r.status !== 200)) problems.push(`the session is not valid on every instance: ${before.join(' | ')}`);
  const out = await direct[0].post('/logout');
  if (out.status !== 200) problems.push(`sign-out: ${out}`);
  const after = await Promise.all([...direct.slice(1), user].map((c) => c.get('/me')));
  for (const [i, reply] of after.entries()) {
    const where = i < direct.length - 1 ? fleet.instances[i + 1].name : 'the load balancer';
    if (reply.status !== 401) problems.push(`right after the sign-out on ${fleet.instances[0].name}, ${where} answered ${reply}`);
  }
  return summary('sign-out on one instance, refused on the others', [], problems, { requests: 2 + before.length + after.length });
}

/** PostgreSQL stopped and started under load: errors only while down, then full recovery. */
async function restartPostgres(fleet, load, { phaseMs, downMs }) {
  const problems = [];
  const pids = fleet.instances.map((app) => app.child.pid);
  const from = Date.now();
  await sleep(phaseMs);
  const downAt = Date.now();
  await stopCluster();
  try {
    await sleep(downMs);
  } finally {
    await startCluster();
  }
  const upAt = Date.now();
  // Recovered: when the last failure ended, once a second has passed with requests and none failed.
  const recoveryLimitMs = fleet.timing.checkIntervalMs * fleet.timing.healthyThreshold + 10000;
  const deadline = upAt + recoveryLimitMs;
  let recoveredAt;
  while (Date.now() < deadline) {
    await sleep(200);
    const lastFailure = Math.max(upAt, ...load.between(upAt).filter((o) => !o.ok).map((o) => o.done));
    if (Date.now() - lastFailure > 1000 && load.outcomes.some((o) => o.ok && o.at > lastFailure)) {
      recoveredAt = lastFailure;
      break;
    }
  }
  await sleep(phaseMs);
  const outcomes = load.between(from);
  if (recoveredAt === undefined) problems.push(`requests still failed ${recoveryLimitMs} ms after PostgreSQL was back`);
  for (const o of outcomes.filter((x) => !x.ok && (x.done < downAt || (recoveredAt !== undefined && x.at > recoveredAt))))
    problems.push(`failed outside the outage: ${o.kind}, sent ${o.at - upAt} ms after PostgreSQL was back`);
  if (fleet.instances.some((app, i) => app.child.exitCode !== null || app.child.pid !== pids[i])) problems.push('an instance restarted or ended');
  return summary('PostgreSQL restarted under load', outcomes, problems, {
    note: `down ${upAt - downAt} ms; no failure from ${recoveredAt === undefined ? '–' : recoveredAt - upAt} ms after it was back`,
  });
}

/** Every creation answered 201 is there with its photo, and no creation is stored twice. */
async function checkWrites(fleet, load) {
  const problems = [];
  const reader = new Client(fleet.url);
  await reader.signUp('auditor');
  let lost = 0;
  let withoutPhoto = 0;
  for (const [name, id] of load.acknowledged) {
    const reply = await reader.get(`/employees/${id}`);
    if (reply.status !== 200 || reply.body.name !== name) {
      lost++;
      problems.push(`created ${name} (${id}) but now: ${reply}`);
      continue;
    }
    const photo = reply.body.image_url ? await fetch(reply.body.image_url) : undefined;
    if (!photo || photo.status !== 200 || !(photo.headers.get('content-type') ?? '').startsWith('image/')) {
      withoutPhoto++;
      problems.push(`${name} (${id}): photo ${reply.body.image_url} answered ${photo?.status}`);
    }
  }
  const doubled = await fleet.db.database.rows("SELECT name, count(*) AS n FROM employees WHERE department = 'Fleet' GROUP BY name HAVING count(*) > 1");
  for (const row of doubled) problems.push(`stored ${row.n} times: ${row.name}`);
  return { acknowledged: load.acknowledged.size, lost, duplicated: doubled.length, withoutPhoto, problems };
}

/**
 * Runs the whole rehearsal on a fresh fleet and returns {scenarios, writes, problems}.
 * options: timing (see albTiming), phaseMs (load before and after each event), downMs (the
 * database outage), load (clients per kind, pauseMs between a client's requests), env (more
 * settings for the instances), log(line).
 */
export async function rehearse({ timing, env, phaseMs = 2000, downMs = 3000, load: loadOptions = {}, log = () => {} } = {}) {
  const fleet = await Fleet.start({ timing, env });
  const scenarios = [];
  let load;
  let writes;
  let codes;
  try {
    load = await Load.start(fleet.url, loadOptions);
    for (const scenario of [rollingWithRotation, killOne, signOutEverywhere, restartPostgres]) {
      log(`fleet: ${scenario.name}`);
      scenarios.push(await scenario(fleet, load, { phaseMs, downMs }));
    }
  } finally {
    await load?.stop();
    writes = load && (await checkWrites(fleet, load));
    codes = await fleet.stop();
  }
  const problems = [...scenarios.flatMap((s) => s.problems.map((p) => `${s.name}: ${p}`)), ...(writes?.problems ?? [])];
  if (codes.some((c) => c !== 0)) problems.push(`instances ended with ${codes.join(', ')} after SIGTERM`);
  return { scenarios, writes, problems, requests: load.outcomes.length };
}

/** The printout of a rehearsal: requests, failures by kind, and the write check. */
export function printout({ scenarios, writes, problems, requests }) {
  const lines = [];
  for (const s of scenarios) {
    lines.push(`${s.name}: ${s.requests} requests, ${s.failures} failed${s.note ? ` (${s.note})` : ''}`);
    for (const [kind, n] of Object.entries(s.byKind)) lines.push(`    ${n} × ${kind}`);
  }
  lines.push(`all: ${requests} requests under load`);
  lines.push(`writes: ${writes.acknowledged} answered 201; ${writes.lost} lost, ${writes.duplicated} duplicated, ${writes.withoutPhoto} without their photo`);
  lines.push(problems.length ? `PROBLEMS (${problems.length}):` : 'problems: none');
  for (const p of problems.slice(0, 20)) lines.push(`    ${p}`);
  return lines.join('\n');
}
