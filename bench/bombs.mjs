// Decode memory under photo bombs, against a running hrapp:
//   node bench/bombs.mjs <base-url> <app-pid>
// For each kind (6300 x 6300 canvases just under the pixel limit: PNG, GIF screen, animated
// WebP, JPEG; and a real 4000 x 4000 PNG, 64 MB of canvas), 16 uploads at once from 4 accounts
// while another account reads one profile 50 times a second. Prints one line per kind,
// "RESULT kind=<kind> key=value ..." (how many were accepted, refused, busy; the reads' p99),
// and a last one with the app's peak RSS.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { bombs, nearLimitBombs } from '../tests/system/lib/images.mjs';

const [base, pid] = process.argv.slice(2);
const password = 'bench-password-1';

async function account(name) {
  const body = JSON.stringify({ username: name, password });
  const headers = { 'content-type': 'application/json' };
  await fetch(`${base}/register`, { method: 'POST', headers, body });
  const reply = await fetch(`${base}/login`, { method: 'POST', headers, body });
  return reply.headers.getSetCookie()[0].split(';')[0];
}

function upload(cookie, bytes) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ name: 'Bomb', role: 'R', department: 'Bombs' })) form.append(k, v);
  form.append('image', new Blob([bytes]), 'photo');
  return fetch(`${base}/employees`, { method: 'POST', headers: { cookie }, body: form }).then(async (r) => (await r.arrayBuffer(), r.status));
}

const gradientPng = execFileSync('convert', ['-size', '4000x4000', 'gradient:#7aa6d8-#d8a47a', 'png:-'], { maxBuffer: 64 << 20 });
const kinds = {
  'png-6300x6300': nearLimitBombs.png(),
  'gif-6300x6300-screen': nearLimitBombs.gif(),
  'webp-6300x6300-animation': nearLimitBombs.webp(),
  'jpeg-6300x6300': bombs.jpeg(6300, 6300),
  'png-4000x4000-real': gradientPng,
};

const uploaders = await Promise.all([1, 2, 3, 4].map((n) => account(`bench.bombs.${n}.${process.pid}`)));
const reader = await account(`bench.reader.${process.pid}`);
const profile = await (await fetch(`${base}/employees`, { method: 'POST', headers: { cookie: reader }, body: (() => {
  const f = new FormData();
  for (const [k, v] of Object.entries({ name: 'Reader', role: 'R', department: 'Reading' })) f.append(k, v);
  return f;
})() })).json();

const rssKib = (key) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${key}:\\s+(\\d+)`))[1]);
for (const [kind, bytes] of Object.entries(kinds)) {
  const latencies = [];
  let readErrors = 0;
  let reading = true;
  const reads = (async () => {
    while (reading) {
      const start = process.hrtime.bigint();
      const r = await fetch(`${base}/employees/${profile.id}`, { headers: { cookie: reader } });
      await r.arrayBuffer();
      if (r.status !== 200) readErrors++;
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => upload(uploaders[i % 4], bytes)));
  reading = false;
  await reads;
  latencies.sort((a, b) => a - b);
  const count = (test) => statuses.filter(test).length;
  const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))];
  console.log(`RESULT kind=${kind} accepted=${count((s) => s === 201)} refused_4xx=${count((s) => s >= 400 && s < 500)} ` +
    `busy_503=${count((s) => s === 503)} read_p99_ms=${p99.toFixed(1)} reads=${latencies.length} read_errors=${readErrors} ` +
    `rss_kib=${rssKib('VmRSS')}`);
}
console.log(`RESULT kind=all peak_rss_kib=${rssKib('VmHWM')}`);
