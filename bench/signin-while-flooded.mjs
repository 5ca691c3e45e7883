// Another client (198.51.100.7, as the trusted proxy says) signs in with the right password
// once a second while the flood runs, and reports how long each sign-in took:
//   node bench/signin-while-flooded.mjs <base-url> <seconds>
const [base, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);
const credentials = { username: 'bench.other', password: 'bench-password-2' };
const post = (path) => fetch(`${base}${path}`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
  body: JSON.stringify(credentials),
});
const registered = await post('/register');
if (registered.status !== 201 && registered.status !== 400) throw new Error(`register: ${registered.status}`);
const times = [];
let failures = 0;
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  const started = process.hrtime.bigint();
  const reply = await post('/login');
  await reply.arrayBuffer();
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (reply.status !== 200) failures++;
  const wait = 1000 - times.at(-1);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
console.log(`RESULT signins=${times.length} failed=${failures} p50_ms=${pct(50).toFixed(1)} max_ms=${times.at(-1).toFixed(1)}`);
