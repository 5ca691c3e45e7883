// One client crowds the server while another uses it:   node bench/crowd.mjs <port> <seconds>
// The crowd (peer 127.0.0.1) opens BENCH_CROWD_IDLE (2,000) connections that send nothing and
// BENCH_CROWD_BODIES (500) that send a request header and then none of its body: POST /login
// declaring the JSON limit (64 KiB) with Content-Length, or chunked, by turns. It keeps them:
// a connection the server closes is opened again 0.5 to 1.5 s later. Meanwhile another client, on
// another address (peer 127.0.0.2: Linux routes all of 127.0.0.0/8 to loopback), asks /health
// 20 times a second and signs in once a second, each on a new connection, as a load balancer's
// check and a browser arriving would. Prints one line: "RESULT key=value ...", the other
// client's successes, failures and latencies, and what the crowd held.
import http from 'node:http';
import net from 'node:net';

const [port, seconds] = process.argv.slice(2).map(Number);
const idle = Number(process.env.BENCH_CROWD_IDLE ?? 2000);
const bodies = Number(process.env.BENCH_CROWD_BODIES ?? 500);
const crowdAddress = '127.0.0.1';
const otherAddress = '127.0.0.2';
const reopenMs = 1000;

// The crowd. One socket in five (while bodies remain) is a silent body, so both kinds are
// asked for from the start, whichever the server admits first.
const bodyHead = (i) => 'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
  (i % 2 ? 'Transfer-Encoding: chunked\r\n' : 'Content-Length: 65536\r\n') + '\r\n';
const crowd = { attempts: 0, refused: 0, closed: 0, open: new Set(), stopping: false };
function hold(kind, i) {
  if (crowd.stopping) return;
  crowd.attempts++;
  const socket = net.connect({ host: '127.0.0.1', port, localAddress: crowdAddress });
  socket.setNoDelay(true);
  socket.on('connect', () => {
    crowd.open.add(socket);
    if (kind === 'body') socket.write(bodyHead(i));
  });
  socket.on('data', (data) => {
    if (/^HTTP\/1\.1 503/.test(data.toString('latin1'))) crowd.refused++;
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    crowd.open.delete(socket);
    crowd.closed++;
    // A second later on average, spread so that the crowd's sockets do not come back in step.
    if (!crowd.stopping) setTimeout(() => hold(kind, i), reopenMs * (0.5 + Math.random()));
  });
}
let bodiesLeft = bodies;
for (let i = 0; i < idle + bodies; i++) {
  const body = bodiesLeft > 0 && (i % 5 === 0 || idle + bodies - i <= bodiesLeft);
  if (body) bodiesLeft--;
  hold(body ? 'body' : 'idle', i);
}
// What the crowd holds, once a second: sockets connected and not closed (the server's accepted
// ones, and those in its accept queue).
const held = [];
const sampler = setInterval(() => held.push(crowd.open.size), 1000);
await new Promise((r) => setTimeout(r, 3000)); // let the crowd gather

// The other client.
function request(method, path, body) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request({
      host: '127.0.0.1', port, localAddress: otherAddress, method, path, agent: false, timeout: 10000,
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, error: error.code ?? error.message, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    req.end(body);
  });
}
const credentials = JSON.stringify({ username: 'bench.crowd.other', password: 'bench-password-3' });
const registered = await request('POST', '/register', credentials); // 400: registered by an earlier run
if (registered.status !== 201 && registered.status !== 400) throw new Error(`register from ${otherAddress}: ${registered.status} ${registered.error ?? ''}`);

const results = { health: [], signin: [] };
const failures = { health: {}, signin: {} };
async function every(kind, intervalMs, send) {
  const end = Date.now() + seconds * 1000;
  const pending = [];
  for (let next = Date.now(); next < end; next += intervalMs) {
    pending.push(send().then((r) => {
      results[kind].push(r.ms);
      if (r.status !== 200) failures[kind][r.status || r.error] = (failures[kind][r.status || r.error] ?? 0) + 1;
    }));
    const wait = next + intervalMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(pending);
}
await Promise.all([
  every('health', 50, () => request('GET', '/health')),
  every('signin', 1000, () => request('POST', '/login', credentials)),
]);
clearInterval(sampler);
crowd.stopping = true;
for (const socket of crowd.open) socket.destroy();

const stats = (kind) => {
  const times = results[kind].sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  const failed = Object.values(failures[kind]).reduce((a, b) => a + b, 0);
  const why = Object.entries(failures[kind]).map(([k, n]) => `${n}x${k}`).join(',') || 'none';
  return `${kind}=${times.length} ${kind}_ok=${times.length - failed} ${kind}_failed=${failed} ${kind}_why="${why}" ` +
    `${kind}_p50_ms=${pct(50).toFixed(2)} ${kind}_p99_ms=${pct(99).toFixed(2)} ${kind}_max_ms=${times.at(-1).toFixed(2)}`;
};
held.sort((a, b) => a - b);
console.log(`RESULT ${stats('health')} ${stats('signin')} crowd_asked=${idle + bodies} crowd_held_median=${held[Math.floor(held.length / 2)]} ` +
  `crowd_held_max=${held.at(-1)} crowd_connects=${crowd.attempts} crowd_refused_503=${crowd.refused} crowd_closed=${crowd.closed}`);
