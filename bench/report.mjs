// Turns the JSON lines of a benchmark run into bench/RESULTS.md, with each target of the
// issues checked against the figures of the same run.   node bench/report.mjs <results.jsonl>
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { execSync } from 'node:child_process';

const rows = readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const get = (engine, scenario) => rows.find((r) => r.engine === engine && r.scenario === scenario) ?? {};
const fmt = (n, digits = 0) => (n === undefined ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const env = (name, fallback) => process.env[name] ?? fallback;

const out = [];
out.push('# Benchmark results', '');
out.push(`Measured by \`make bench\` (bench/run.sh) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0].model.trim()}), Linux ${release()}, ` +
  `wrk with ${env('BENCH_THREADS', 2)} threads and ${env('BENCH_CONNECTIONS', 64)} connections for ${env('BENCH_DURATION', 10)} s, ` +
  `the median of ${env('BENCH_RUNS', 3)} runs per scenario ` +
  '(sign-in: 8 connections for twice as long, with /health probed alongside at 50 requests/s over one connection). The load generator shares the two cores with the server, ' +
  'as the targets assume. hrapp runs with its defaults (one I/O thread, bcrypt cost 12), logging at warn.', '');
out.push(`hrapp ${execSync(`${process.env.HRAPP_BIN ?? 'build/release/hrapp'} version`).toString().trim().split(' ')[1] ?? ''}`.trim(), '');

const ceiling = get('ceiling', 'nginx static 200');
out.push('## Requests', '');
out.push('| engine | scenario | requests/s | p50 ms | p99 ms | errors |', '| --- | --- | ---: | ---: | ---: | ---: |');
out.push(`| – | nginx static 200 (the machine's ceiling) | ${fmt(ceiling.rps)} | ${fmt(ceiling.p50_ms, 2)} | ${fmt(ceiling.p99_ms, 2)} | ${(ceiling.errors ?? 0) + (ceiling.non2xx ?? 0)} |`);
for (const engine of ['sqlite', 'postgres']) {
  for (const scenario of ['GET /health', 'GET /employees/{id}', 'GET /employees (page of 50)', 'POST /login', 'GET /health during logins']) {
    const r = get(engine, scenario);
    out.push(`| ${engine} | ${scenario} | ${fmt(r.rps)} | ${fmt(r.p50_ms, 2)} | ${fmt(r.p99_ms, 2)} | ${(r.errors ?? 0) + (r.non2xx ?? 0)} |`);
  }
}
const pgS = get('postgres', 'pgbench -S');
const pgLookup = get('postgres', 'pgbench employee lookup');
out.push(`| postgres | pgbench -S (PostgreSQL's ceiling) | ${fmt(pgS.tps)} | | | |`);
out.push(`| postgres | pgbench employee primary-key lookup | ${fmt(pgLookup.tps)} | | | |`, '');

out.push('## Targets', '');
out.push('| target | measured | verdict |', '| --- | --- | --- |');
const verdict = (ok) => (ok ? 'met' : '**short**');
for (const engine of ['sqlite', 'postgres']) {
  const health = get(engine, 'GET /health');
  const share = health.rps / ceiling.rps;
  out.push(`| ${engine}: /health ≥ 40% of nginx | ${fmt(share * 100, 1)}% (${fmt(health.rps)} of ${fmt(ceiling.rps)}) | ${verdict(share >= 0.4)} |`);
  const hash = get(engine, 'bcrypt cost 12, one hash');
  const capacity = hash.cores / hash.seconds;
  const login = get(engine, 'POST /login');
  out.push(`| ${engine}: sign-ins ≥ 80% of what the cores can hash (${hash.cores} ÷ ${fmt(hash.seconds, 3)} s = ${fmt(capacity, 1)}/s) | ${fmt(login.rps, 1)}/s = ${fmt((login.rps / capacity) * 100, 1)}% | ${verdict(login.rps >= 0.8 * capacity)} |`);
  const during = get(engine, 'GET /health during logins');
  out.push(`| ${engine}: /health p99 < 10 ms while sign-ins load the CPU | ${fmt(during.p99_ms, 2)} ms | ${verdict(during.p99_ms < 10)} |`);
  const mem = get(engine, 'memory');
  out.push(`| ${engine}: RSS < 30 MiB after the run | ${fmt(mem.rss_after_kib / 1024, 1)} MiB (peak ${fmt(mem.peak_rss_kib / 1024, 1)} MiB) | ${verdict(mem.rss_after_kib < 30 * 1024)} |`);
}
const sqliteGet = get('sqlite', 'GET /employees/{id}');
out.push(`| sqlite: GET /employees/{id} ≥ 15,000 requests/s | ${fmt(sqliteGet.rps)} | ${verdict(sqliteGet.rps >= 15000)} |`);
const pgGet = get('postgres', 'GET /employees/{id}');
out.push(`| postgres: GET /employees/{id} ≥ 60% of pgbench's lookup | ${fmt((pgGet.rps / pgLookup.tps) * 100, 1)}% (${fmt(pgGet.rps)} of ${fmt(pgLookup.tps)}) | ${verdict(pgGet.rps >= 0.6 * pgLookup.tps)} |`, '');
out.push('## Reading the figures', '');
out.push('* **The PostgreSQL target is not met, and why.** `GET /employees/{id}` makes two queries, each a round ' +
  'trip: the session check (sessions live in the database so that a sign-out on one instance holds on all at once) ' +
  'and the row itself; around them, HTTP parsing, JSON and a hop to the blocking pool and back. A CPU breakdown of ' +
  'that scenario (10 s, /proc times) showed the two cores shared by hrapp (about 8.8 CPU-seconds), PostgreSQL ' +
  '(7.3, for two queries per request) and wrk (1.3): the machine is saturated, with PostgreSQL doing twice ' +
  'pgbench\'s work per answer and hrapp as much again. pgbench\'s lookup is one prepared query by a client that does ' +
  'nothing else, so 60% of it would need about one query per request at under a third of the CPU hrapp now ' +
  'spends. The remedies, each a design change rather than tuning: caching sessions in the process (a sign-out ' +
  'would then take up to the cache lifetime to reach the other instances), or pipelining the session check with ' +
  'the handler\'s query in one round trip. A smaller pool helps a little on this machine (4 connections: about ' +
  '10,000 requests/s against 8,300 with the default 10), but the default is sized for RDS across the network, where ' +
  'each round trip waits longer. SQLite runs the same two queries in-process.');
out.push('* Sign-in throughput is bounded by bcrypt at cost 12 on every core; the hashing threads run at a lower scheduling ' +
  'priority, which is why `/health` keeps a low p99 while they saturate the CPU.');
out.push('* RSS is read from /proc after the run (VmRSS) and at its peak (VmHWM).', '');
console.log(out.join('\n'));
