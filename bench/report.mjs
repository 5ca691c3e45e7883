// Turns the JSON lines of a benchmark run into bench/RESULTS.md, with each target of the
// issues checked against the figures of the same run, the change from the previous run, and
// bench/reading.md (what the figures mean).   node bench/report.mjs <results.jsonl> [previous.jsonl]
import { existsSync, readFileSync } from 'node:fs';
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
  '(sign-in: 8 clients with a connection each, for twice as long, with /health probed alongside at 50 requests/s over one connection). The load generator shares the two cores with the server, ' +
  'as the targets assume. hrapp runs with its defaults (one I/O thread per core, bcrypt cost 12), logging at warn.', '');
out.push(`hrapp ${execSync(`${process.env.HRAPP_BIN ?? 'build/release/hrapp'} version`).toString().trim().split(' ')[1] ?? ''}`.trim(), '');

const ceiling = get('ceiling', 'nginx static 200');
// The previous run's figures (bench/results.jsonl as committed), to show what moved.
const previous = process.argv[3] && existsSync(process.argv[3])
  ? readFileSync(process.argv[3], 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
const before = (engine, scenario) => previous.find((r) => r.engine === engine && r.scenario === scenario) ?? {};
const change = (now, then) => (now === undefined || then === undefined ? '' : `${now >= then ? '+' : '−'}${fmt(Math.abs((now / then - 1) * 100), 1)}%`);
out.push('## Requests', '');
out.push('Where the CPU goes is read from /proc over all runs of a scenario, per request: hrapp\'s CPU time, the ' +
  'PostgreSQL backends\' CPU time, hrapp\'s context switches (voluntary and not, all threads), and the CPU time of ' +
  'the load generator (wrk, or pgbench\'s client), which shares the same two cores.', '');
out.push('| engine | scenario | requests/s | vs previous | p50 ms | p99 ms | errors | hrapp µs/req | PostgreSQL µs/req | switches/req | load generator µs/req |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
out.push(`| – | nginx static 200 (the machine's ceiling) | ${fmt(ceiling.rps)} | ${change(ceiling.rps, before('ceiling', 'nginx static 200').rps)} | ${fmt(ceiling.p50_ms, 2)} | ${fmt(ceiling.p99_ms, 2)} | ${(ceiling.errors ?? 0) + (ceiling.non2xx ?? 0)} | | | | ${fmt(ceiling.wrk_cpu_us)} |`);
for (const engine of ['sqlite', 'postgres']) {
  for (const scenario of ['GET /health', 'GET /employees/{id}', 'GET /employees (page of 50)', 'POST /login', 'GET /health during logins',
    'sign-in flood (one client, wrong passwords)', 'GET /health during a sign-in flood']) {
    const r = get(engine, scenario);
    out.push(`| ${engine} | ${scenario} | ${fmt(r.rps)} | ${change(r.rps, before(engine, scenario).rps)} | ${fmt(r.p50_ms, 2)} | ${fmt(r.p99_ms, 2)} | ${(r.errors ?? 0) + (r.non2xx ?? 0)} | ` +
      `${fmt(r.app_cpu_us)} | ${engine === 'postgres' ? fmt(r.db_cpu_us) : ''} | ${fmt(r.switches, 2)} | ${fmt(r.wrk_cpu_us)} |`);
  }
}
// pgbench's clients are in each row since 2026-12-05 (runs before had 8 only): a run is compared
// with a previous one of as many clients only, and a ceiling measured with several is the highest.
const clientsOf = (r) => r.clients ?? 8;
const pgRuns = (scenario) => rows.filter((r) => r.engine === 'postgres' && r.scenario === scenario);
const highest = (scenario) => pgRuns(scenario).reduce((best, r) => (best.tps === undefined || r.tps > best.tps ? r : best), {});
const pgLookup = highest('pgbench employee lookup');
const pgPage = highest('pgbench employee page');
for (const [name, scenario] of [["pgbench -S (PostgreSQL's ceiling)", 'pgbench -S'], ['pgbench employee primary-key lookup', 'pgbench employee lookup'],
  ['pgbench employee page of 50 with its total', 'pgbench employee page']]) {
  for (const r of pgRuns(scenario).length ? pgRuns(scenario) : [{}]) {
    const then = previous.find((p) => p.tps !== undefined && p.scenario === r.scenario && clientsOf(p) === clientsOf(r));
    out.push(`| postgres | ${name}, ${clientsOf(r)} clients | ${fmt(r.tps)} | ${change(r.tps, then?.tps)} | | | | | ${fmt(r.db_cpu_us)} | | ${fmt(r.client_cpu_us)} |`);
  }
}
out.push('');

// 100,000 profiles and a crowd of connections (bench/scale.sh), each engine on a server of its own.
const scaleReads = [
  ['scale: GET /employees (first page of 50)', 'the first page of GET /employees (sort by name, 50)'],
  ['scale: a page 90,000 deep, by cursor', 'a page 90,000 deep, by cursor'],
  [/^scale: a search of two words/, 'a search of two words'],
  ['scale: the crafted search (q of 100 characters)', "the crafted search, q = 'a' × 99 + 'b'"],
  ['scale: the crafted searches beside the /health probe', 'the same, beside the /health probe'],
  ['scale: GET /health during 8 crafted searches', '/health at 50/s during 8 crafted searches'],
];
const find = (engine, scenario) => (typeof scenario === 'string' ? get(engine, scenario)
  : rows.find((r) => r.engine === engine && scenario.test(r.scenario)) ?? {});
if (rows.some((r) => r.scenario.startsWith('scale: '))) {
  out.push('## Scale: 100,000 profiles and a crowd', '');
  out.push(`bench/scale.sh, on a server of its own per engine: ${fmt(get('sqlite', "scale: start deriving the profiles' columns").loaded ?? 100000)} ` +
    'profiles (bench/scale-data.mjs: names of many languages and scripts, 20 departments) loaded by SQL without their ' +
    'sort keys and search column, then the start that derives them; reads with wrk, 2 threads and ' +
    `${fmt(find('sqlite', scaleReads[0][0]).connections ?? 8)} connections (the median of ${env('BENCH_RUNS', 3)} runs); ` +
    '/health probed over one connection while wrk keeps 8 crafted searches going; then the crowd (bench/crowd.mjs).', '');
  out.push('| engine | scenario | requests/s | p50 ms | p99 ms | errors | hrapp µs/req | PostgreSQL µs/req | load generator µs/req |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const engine of ['sqlite', 'postgres']) {
    for (const [scenario, label] of scaleReads) {
      const r = find(engine, scenario);
      const matches = /\((\d+) matches\)/.exec(r.scenario ?? '');
      out.push(`| ${engine} | ${label}${matches ? ` (${fmt(matches[1])} matches)` : ''} | ${fmt(r.rps)} | ${fmt(r.p50_ms, 2)} | ${fmt(r.p99_ms, 2)} | ` +
        `${r.rps === undefined ? '–' : (r.errors ?? 0) + (r.non2xx ?? 0)} | ${fmt(r.app_cpu_us)} | ${engine === 'postgres' ? fmt(r.db_cpu_us) : ''} | ${fmt(r.wrk_cpu_us)} |`);
    }
  }
  out.push('');
  out.push('| engine | start deriving the columns of the profiles loaded by SQL | start with nothing to derive | peak RSS while deriving | X-Total-Count of the whole directory |',
    '| --- | ---: | ---: | ---: | --- |');
  for (const engine of ['sqlite', 'postgres']) {
    const derive = get(engine, "scale: start deriving the profiles' columns");
    const nothing = get(engine, 'scale: start with nothing to derive');
    const total = get(engine, 'scale: X-Total-Count');
    out.push(`| ${engine} | ${fmt(derive.seconds, 1)} s (${fmt(derive.profiles)} profiles) | ${fmt(nothing.seconds, 1)} s | ` +
      `${fmt(derive.peak_rss_kib / 1024, 1)} MiB | ${total.total ?? '–'}${total.capped ? ', X-Total-Count-Capped: true' : ''} |`);
  }
  out.push('');
  out.push('| engine | crowd (one address) | another client (127.0.0.2): /health | its sign-ins |', '| --- | --- | --- | --- |');
  for (const engine of ['sqlite', 'postgres']) {
    const c = get(engine, 'crowd: another client beside 2,000 idle connections and 500 silent bodies');
    out.push(`| ${engine} | asked ${fmt(c.crowd_asked)} connections, held ${fmt(c.crowd_held_median)} (median of a sample a second), ` +
      `${fmt(c.crowd_refused_503)} refused 503; hrapp used ${fmt(c.hrapp_cores, 2)} cores | ${fmt(c.health_ok)} of ${fmt(c.health)} answered 200, p50 ${fmt(c.health_p50_ms, 1)} ms, ` +
      `p99 ${fmt(c.health_p99_ms, 1)} ms | ${fmt(c.signin_ok)} of ${fmt(c.signin)} signed in, p50 ${fmt(c.signin_p50_ms, 0)} ms, ` +
      `slowest ${fmt(c.signin_max_ms, 0)} ms |`);
  }
  out.push('');
  // The machine is shared: the 1-minute load average as each part began.
  out.push('Load average (1 minute) as each part began: ' + ['sqlite', 'postgres'].map((engine) =>
    `${engine}: the start ${fmt(get(engine, "scale: start deriving the profiles' columns").loadavg, 2)}, ` +
    `the reads ${fmt(get(engine, 'scale: load average before the reads').loadavg, 2)}, ` +
    `the crowd ${fmt(get(engine, 'crowd: load average before').loadavg, 2)}`).join('; ') + '.', '');
}

const photos = get('sqlite', 'photos');
out.push('## Photos', '');
out.push(`A ${fmt(photos.photo_bytes / 1e6, 1)} MB phone JPEG of 4032 x 3024 (12 megapixels, drawn by Chromium, with EXIF GPS and orientation ` +
  'added by exiftool), uploaded one at a time; then one directory page of 50 such profiles (bench/photos.mjs).', '');
out.push('| scenario | figure |', '| --- | ---: |');
out.push(`| accept the photo (POST /employees: decode, orient, two variants, store), median of ${fmt(photos.uploads)} | ${fmt(photos.upload_p50_ms, 1)} ms |`);
out.push(`| the same, 90th percentile | ${fmt(photos.upload_p90_ms, 1)} ms |`);
out.push(`| one page of ${fmt(photos.page_items)}: the thumbnails the directory loads | ${fmt(photos.page_thumbnail_bytes)} bytes |`);
out.push(`| the same page's 1600 px images | ${fmt(photos.page_full_bytes)} bytes |`);
out.push(`| the same page's uploads, as they were stored and served before re-encoding | ${fmt(photos.page_original_bytes)} bytes |`, '');

out.push('## Targets', '');
out.push('| target | measured | verdict |', '| --- | --- | --- |');
const verdict = (ok) => (ok ? 'met' : '**short**');
for (const engine of ['sqlite', 'postgres']) {
  const health = get(engine, 'GET /health');
  const share = health.rps / ceiling.rps;
  out.push(`| ${engine}: /health ≥ 40% of nginx | ${fmt(share * 100, 1)}% (${fmt(health.rps)} of ${fmt(ceiling.rps)}) | ${verdict(share >= 0.4)} |`);
  const hash = get(engine, 'bcrypt cost 12, one hash');
  const capacity = hash.cores / hash.seconds;
  // Only sign-ins answered 200 count: a refusal (429) costs no hashing.
  const login = get(engine, 'POST /login');
  const signedIn = (login.rps * (login.requests - (login.non2xx ?? 0) - (login.errors ?? 0))) / login.requests;
  out.push(`| ${engine}: sign-ins ≥ 80% of what the cores can hash (${hash.cores} ÷ ${fmt(hash.seconds, 3)} s = ${fmt(capacity, 1)}/s) | ${fmt(signedIn, 1)}/s answered 200 = ${fmt((signedIn / capacity) * 100, 1)}% (${fmt(login.non2xx)} refused) | ${verdict(signedIn >= 0.8 * capacity)} |`);
  const during = get(engine, 'GET /health during logins');
  out.push(`| ${engine}: /health p99 < 10 ms while sign-ins load the CPU | ${fmt(during.p99_ms, 2)} ms | ${verdict(during.p99_ms < 10)} |`);
  const floodHealth = get(engine, 'GET /health during a sign-in flood');
  out.push(`| ${engine}: /health p99 < 10 ms while one client floods sign-ins | ${fmt(floodHealth.p99_ms, 2)} ms | ${verdict(floodHealth.p99_ms < 10)} |`);
  const other = get(engine, 'another client signing in during a sign-in flood');
  out.push(`| ${engine}: another client's sign-ins all succeed within 2 s during the flood | ${fmt(other.signins)} sign-ins, ${fmt(other.failed)} failed, p50 ${fmt(other.p50_ms, 1)} ms, slowest ${fmt(other.max_ms, 1)} ms | ${verdict(other.failed === 0 && other.max_ms < 2000)} |`);
  const timing = get(engine, 'failed sign-in timing');
  out.push(`| ${engine}: a failed sign-in for an unknown user takes 0.8–1.25× a wrong password's (median of ${timing.pairs ?? '–'}) | ${fmt(timing.unknown_user_ms, 1)} ms vs ${fmt(timing.wrong_password_ms, 1)} ms = ${fmt(timing.ratio, 2)}× | ${verdict(timing.ratio >= 0.8 && timing.ratio <= 1.25)} |`);
  const mem = get(engine, 'memory');
  out.push(`| ${engine}: RSS < 30 MiB after the run | ${fmt(mem.rss_after_kib / 1024, 1)} MiB (peak ${fmt(mem.peak_rss_kib / 1024, 1)} MiB) | ${verdict(mem.rss_after_kib < 30 * 1024)} |`);
  const hostile = get(engine, '200 hostile connections');
  out.push(`| ${engine}: RSS < 64 MiB under 200 anonymous connections sending oversized chunk extensions, trailers and bodies | peak ${fmt(hostile.peak_rss_kib / 1024, 1)} MiB, ${fmt(hostile.rss_after_kib / 1024, 1)} MiB after (${fmt(hostile.sent_mib)} MiB sent, ${fmt(hostile.refusals)} refusals) | ${verdict(hostile.peak_rss_kib < 64 * 1024)} |`);
}
const sqliteGet = get('sqlite', 'GET /employees/{id}');
out.push(`| sqlite: GET /employees/{id} ≥ 30% of nginx | ${fmt((sqliteGet.rps / ceiling.rps) * 100, 1)}% (${fmt(sqliteGet.rps)} of ${fmt(ceiling.rps)}) | ${verdict(sqliteGet.rps >= 0.3 * ceiling.rps)} |`);
const pgGet = get('postgres', 'GET /employees/{id}');
out.push(`| postgres: GET /employees/{id} ≥ 60% of pgbench's lookup (the higher of ${pgRuns('pgbench employee lookup').map(clientsOf).join(' and ')} clients: ${clientsOf(pgLookup)}) | ${fmt((pgGet.rps / pgLookup.tps) * 100, 1)}% (${fmt(pgGet.rps)} of ${fmt(pgLookup.tps)}) | ${verdict(pgGet.rps >= 0.6 * pgLookup.tps)} |`);
const pgList = get('postgres', 'GET /employees (page of 50)');
out.push(`| photos: a 12-megapixel phone JPEG accepted in < 300 ms (median) | ${fmt(photos.upload_p50_ms, 1)} ms | ${verdict(photos.upload_p50_ms < 300)} |`);
out.push(`| photos: one directory page of 50 transfers < 1.5 MB of images | ${fmt(photos.page_thumbnail_bytes / 1e6, 2)} MB | ${verdict(photos.page_thumbnail_bytes < 1.5e6)} |`);
out.push(`| postgres: GET /employees (page of 50) ≥ 50% of pgbench's page (${clientsOf(pgPage)} clients) | ${fmt((pgList.rps / pgPage.tps) * 100, 1)}% (${fmt(pgList.rps)} of ${fmt(pgPage.tps)}) | ${verdict(pgList.rps >= 0.5 * pgPage.tps)} |`);
if (rows.some((r) => r.scenario.startsWith('scale: '))) {
  const under = (r, ms) => (r.p99_ms === undefined ? 'not measured' : verdict(r.p99_ms < ms && (r.errors ?? 0) + (r.non2xx ?? 0) === 0));
  for (const engine of ['sqlite', 'postgres']) {
    for (const [scenario, label, ms] of [[scaleReads[0][0], 'the first page', 20], [scaleReads[1][0], 'a page 90,000 deep by cursor', 20],
      [scaleReads[2][0], 'a search of two words', 20], [scaleReads[3][0], 'the crafted search (100 characters)', 50],
      [scaleReads[5][0], '/health while 8 crafted searches run', 10]]) {
      const r = find(engine, scenario);
      out.push(`| ${engine}, 100,000 profiles: ${label} p99 < ${ms} ms | ${fmt(r.p99_ms, 2)} ms (${fmt(r.rps)}/s) | ${under(r, ms)} |`);
    }
    const total = get(engine, 'scale: X-Total-Count');
    out.push(`| ${engine}, 100,000 profiles: X-Total-Count capped at 10,000 with X-Total-Count-Capped: true | ${total.total ?? '–'}, ` +
      `${total.capped ? 'capped' : 'no cap header'} | ${total.total === undefined ? 'not measured' : verdict(total.total === 10000 && total.capped === true)} |`);
    const c = get(engine, 'crowd: another client beside 2,000 idle connections and 500 silent bodies');
    out.push(`| ${engine}: beside one client's 2,000 idle connections and 500 silent bodies, another client's /health and sign-ins all succeed | ` +
      `/health ${fmt(c.health_ok)} of ${fmt(c.health)} (p99 ${fmt(c.health_p99_ms, 1)} ms), sign-ins ${fmt(c.signin_ok)} of ${fmt(c.signin)} ` +
      `(p99 ${fmt(c.signin_p99_ms, 0)} ms) | ${c.health === undefined ? 'not measured' : verdict(c.health_failed === 0 && c.signin_failed === 0)} |`);
  }
}
out.push('');
// What the figures mean, and the profiles behind a missed target, are written by hand.
out.push(readFileSync(new URL('./reading.md', import.meta.url), 'utf8').trim(), '');
console.log(out.join('\n'));
