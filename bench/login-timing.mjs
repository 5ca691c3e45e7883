// Compares the time of a failed sign-in for a known user (wrong password) and an unknown one,
// which must cost the same bcrypt verification so that timing does not reveal who has an
// account. Prints the median of each and their ratio:   node bench/login-timing.mjs <base-url> <pairs>
const [base, pairsText] = process.argv.slice(2);
const pairs = Number(pairsText ?? 10);
// Each pair from its own address (through the trusted proxy), so no address limit comes into play.
const post = (path, body, address = '192.0.2.1') => fetch(`${base}${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify(body),
});
const run = `${process.pid}-${Date.now().toString(36)}`;
// One known account per pair, each failing once, so no per-account delay comes into play.
const known = [];
for (let i = 0; i < pairs; i++) {
  const username = `timing.${run}.${i}`;
  const reply = await post('/register', { username, password: 'timing-password-1' });
  if (reply.status !== 201) throw new Error(`register failed: ${reply.status}`);
  known.push(username);
}
const timed = async (username, address) => {
  const started = process.hrtime.bigint();
  const reply = await post('/login', { username, password: 'not the password' }, address);
  await reply.arrayBuffer();
  if (reply.status !== 401) throw new Error(`expected 401, got ${reply.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
};
// Alternate the two kinds so that load from elsewhere falls on both alike.
const times = { known: [], unknown: [] };
for (let i = 0; i < pairs; i++) {
  times.known.push(await timed(known[i], `192.0.2.${i + 10}`));
  times.unknown.push(await timed(`ghost.${run}.${i}`, `192.0.2.${i + 10}`));
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [k, u] = [median(times.known), median(times.unknown)];
console.log(`RESULT wrong_password_ms=${k.toFixed(1)} unknown_user_ms=${u.toFixed(1)} ratio=${(u / k).toFixed(3)} pairs=${pairs}`);
