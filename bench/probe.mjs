// Probes a URL at a fixed rate over one keep-alive connection and prints wrk-like figures:
//   node bench/probe.mjs <url> <seconds> <requests-per-second>
// Used for /health while sign-ins load the CPU: a load balancer's health check is a trickle,
// not a flood, and a flood would itself take the CPU the sign-ins need.
import http from 'node:http';

const [url, seconds, rate] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const latencies = [];
let errors = 0;
const get = () => new Promise((resolve) => {
  const start = process.hrtime.bigint();
  http.get(url, { agent }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode !== 200) errors++;
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      resolve();
    });
  }).on('error', () => { errors++; resolve(); });
});
const end = Date.now() + seconds * 1000;
const interval = 1000 / rate;
for (let next = Date.now(); next < end; next += interval) {
  await get();
  const wait = next + interval - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(`RESULT rps=${(latencies.length / seconds).toFixed(0)} p50_ms=${pct(50).toFixed(3)} p99_ms=${pct(99).toFixed(3)} errors=${errors} non2xx=0`);
