// Seeds a running hrapp for the benchmark: one user, N employees (some with a photo), and
// prints the session cookie for wrk.   node bench/seed.mjs <base-url> <count>
const [base, countText] = process.argv.slice(2);
const count = Number(countText ?? 1000);
const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const credentials = { username: 'bench.user', password: 'bench-password-1' };
await fetch(`${base}/register`, json(credentials));
const login = await fetch(`${base}/login`, json(credentials));
if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
const cookie = login.headers.get('set-cookie').split(';')[0];
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const departments = ['Engineering', 'Finance', 'People', 'Sales', 'Support'];
let next = 0;
async function worker() {
  for (let i = next++; i < count; i = next++) {
    const form = new FormData();
    form.set('name', `Employee ${i}`);
    form.set('role', i % 3 ? 'Engineer' : 'Manager');
    form.set('department', departments[i % departments.length]);
    if (i % 10 === 0) form.set('image', new Blob([png], { type: 'image/png' }), 'p.png');
    const r = await fetch(`${base}/employees`, { method: 'POST', headers: { cookie }, body: form });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${await r.text()}`);
  }
}
await Promise.all(Array.from({ length: 16 }, worker));
console.log(cookie);
