// Lighthouse on the web UI's directory, and the bytes it transfers:
//   node bench/lighthouse.mjs <path-to-hrapp>      (make bench-web)
// Starts the app on a fresh data directory, seeds 50 people with camera-like photos (1200×1600
// JPEGs of plasma and sensor noise, which compress like real photos), runs Lighthouse in
// Debian's Chromium with its mobile profile and its desktop one (3 runs each, the median kept),
// measures what the directory transfers on a 3× phone and a 1× laptop and on a reload of each,
// prints the figures and puts them in bench/RESULTS.md under their own heading.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { chromium } from 'playwright-core';

const binary = process.argv[2];
if (!binary) throw new Error('usage: node bench/lighthouse.mjs <path-to-hrapp>');
const repo = path.resolve(import.meta.dirname, '..');
const people = 50;
const runCount = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const run = promisify(execFile);
const work = mkdtempSync(path.join(os.tmpdir(), 'hrapp-lighthouse-'));

function install(command, pkg) {
  if (existsSync(command)) return;
  console.error(`bench-web: installing ${pkg}`);
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', pkg],
    { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Camera-like pictures: a plasma scene with Gaussian sensor noise, as a camera's JPEG (quality 90). */
async function makePhotos(count) {
  install('/usr/bin/convert', 'imagemagick');
  const files = Array.from({ length: count }, (_, i) => path.join(work, `photo-${i}.jpg`));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      await run('/usr/bin/convert', ['-seed', String(i + 1), '-size', '1200x1600', 'plasma:fractal', '-blur', '0x2',
        '-attenuate', '0.5', '+noise', 'Gaussian', '-sampling-factor', '4:2:0', '-quality', '90', files[i]]);
    }
  };
  await Promise.all(Array.from({ length: os.availableParallelism() }, worker));
  return files;
}

/** Starts hrapp on a free port: resolves to `{ url, stop }` once it logs that it listens. */
function startApp() {
  const child = spawn(path.resolve(binary), ['serve', '--port', '0', '--web-dir', path.join(repo, 'web')], {
    env: { ...process.env, DATA_DIR: path.join(work, 'data'), BCRYPT_COST: '4', REGISTRATION: 'open' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stopping = false;
  const stop = () => {
    stopping = true;
    child.kill('SIGTERM');
    return exited;
  };
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      pending += text;
      const port = pending.match(/"msg":"listening".*?"port":(\d+)/)?.[1];
      if (port) resolve({ url: `http://127.0.0.1:${port}`, stop });
    });
    exited.then((code) => {
      const error = new Error(`hrapp exited (${code}); its last lines:\n${pending.split('\n').slice(-20).join('\n')}`);
      reject(error);
      if (stopping) return;
      console.error(error.message);
      process.exitCode = 1;
    });
  });
}

async function seed(base, photos) {
  const credentials = { username: 'lighthouse.user', password: 'lighthouse-password-1' };
  const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await fetch(`${base}/register`, json(credentials));
  const login = await fetch(`${base}/login`, json(credentials));
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const departments = ['Engineering', 'Finance', 'People', 'Sales', 'Support'];
  for (const [i, file] of photos.entries()) {
    const form = new FormData();
    form.set('name', `Person ${String(i + 1).padStart(2, '0')}`);
    form.set('role', i % 3 ? 'Engineer' : 'Manager');
    form.set('department', departments[i % departments.length]);
    form.set('image', new Blob([readFileSync(file)], { type: 'image/jpeg' }), `photo-${i}.jpg`);
    const created = await fetch(`${base}/employees`, { method: 'POST', headers: { cookie }, body: form });
    if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`);
  }
  return cookie;
}

/** One Lighthouse run of the directory, signed in, with the given configuration (mobile by default). */
async function runLighthouse(url, cookie, config) {
  const chrome = await chromeLauncher.launch({ chromePath: chromiumPath, chromeFlags: chromiumFlags,
    userDataDir: mkdtempSync(path.join(work, 'chromium-')) });
  try {
    const { lhr } = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error',
      onlyCategories: ['performance'], extraHeaders: { Cookie: cookie } }, config);
    const audit = (id) => lhr.audits[id];
    return {
      score: Math.round(lhr.categories.performance.score * 100),
      metrics: Object.fromEntries(['first-contentful-paint', 'largest-contentful-paint', 'speed-index', 'total-blocking-time',
        'cumulative-layout-shift'].map((id) => [id, audit(id).displayValue])),
      bytes: audit('total-byte-weight').numericValue,
      responsiveImages: audit('uses-responsive-images'),
      cachePolicy: audit('uses-long-cache-ttl'),
    };
  } finally {
    await chrome.kill();
  }
}

/**
 * The run of median performance among LIGHTHOUSE_RUNS (3): one run's score moves by several
 * points with what else the machine is doing.
 */
async function medianRun(url, cookie, config) {
  const runs = [];
  for (let i = 0; i < runCount; i++) runs.push(await runLighthouse(url, cookie, config));
  runs.sort((a, b) => a.score - b.score);
  return { ...runs[Math.floor(runs.length / 2)], scores: runs.map((run) => run.score) };
}

/** Bytes on the wire for the directory's first load, then for a reload, on one screen. */
async function transfer(browser, url, cookie, screen) {
  const context = await browser.newContext({ viewport: { width: screen.width, height: screen.height },
    deviceScaleFactor: screen.deviceScaleFactor, isMobile: screen.isMobile, hasTouch: screen.isMobile });
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (event) => { bytes += event.encodedDataLength; requests += 1; });
  const load = async (navigate) => {
    bytes = 0;
    requests = 0;
    await navigate();
    await page.locator('.card').first().waitFor();
    // Lazy photos start as the layout settles: wait until the network has been idle a while.
    await page.waitForLoadState('networkidle');
    return { bytes, requests };
  };
  const first = await load(() => page.goto(url));
  const reload = await load(() => page.reload());
  await context.close();
  return { first, reload };
}

const metricNames = {
  'first-contentful-paint': 'First contentful paint', 'largest-contentful-paint': 'Largest contentful paint',
  'speed-index': 'Speed index', 'total-blocking-time': 'Total blocking time', 'cumulative-layout-shift': 'Cumulative layout shift',
};
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function auditLine(audit) {
  const savings = audit.details?.overallSavingsBytes;
  const found = findings(audit);
  return found === 0 ? 'passed, no findings'
    : `${found} finding${found === 1 ? '' : 's'}${savings ? `, ${kb(savings)} to save` : ''} (${audit.displayValue ?? ''})`;
}

const findings = (audit) => audit.details?.items?.length ?? 0;

function targets({ mobile, phone, laptop }) {
  return [
    { target: 'mobile Performance ≥ 95', measured: String(mobile.score), met: mobile.score >= 95 },
    { target: 'no "properly size images" finding (mobile)', measured: auditLine(mobile.responsiveImages), met: findings(mobile.responsiveImages) === 0 },
    { target: 'no "efficient cache policy" finding (mobile)', measured: auditLine(mobile.cachePolicy), met: findings(mobile.cachePolicy) === 0 },
    { target: 'a 3× phone transfers ≤ 1.5 MB', measured: kb(phone.first.bytes), met: phone.first.bytes <= 1.5e6 },
    { target: 'a 1× laptop transfers ≤ 400 KB', measured: kb(laptop.first.bytes), met: laptop.first.bytes <= 400e3 },
    { target: 'a reload transfers < 20 KB', measured: `${kb(phone.reload.bytes)} (phone), ${kb(laptop.reload.bytes)} (laptop)`,
      met: Math.max(phone.reload.bytes, laptop.reload.bytes) < 20e3 },
  ];
}

function report({ mobile, desktop, phone, laptop, version }) {
  const lines = [
    '## Web UI: Lighthouse and transfer',
    '',
    `\`make bench-web\` (bench/lighthouse.mjs), ${new Date().toISOString().slice(0, 10)}, ${version}, Lighthouse 12 in Debian's`,
    `Chromium on this machine: the directory's first page (12 cards) of ${people} people with camera-like 1200×1600 photos,`,
    `on SQLite and local storage, signed in. Each profile's figures are from its run of median score among ${runCount}`,
    `(mobile ${mobile.scores.join(', ')}; desktop ${desktop.scores.join(', ')}).`,
    '',
    '| | mobile profile (412×823, 1.75×, slow 4G simulated) | desktop profile |',
    '| --- | --- | --- |',
    `| Performance | ${mobile.score} | ${desktop.score} |`,
    ...Object.keys(mobile.metrics).map((id) => `| ${metricNames[id]} | ${mobile.metrics[id]} | ${desktop.metrics[id]} |`),
    `| Properly size images | ${auditLine(mobile.responsiveImages)} | ${auditLine(desktop.responsiveImages)} |`,
    `| Efficient cache policy | ${auditLine(mobile.cachePolicy)} | ${auditLine(desktop.cachePolicy)} |`,
    `| Transfer (Lighthouse's total byte weight) | ${kb(mobile.bytes)} | ${kb(desktop.bytes)} |`,
    '',
    '| screen | first load | reload |',
    '| --- | --- | --- |',
    `| 3× phone, 390×844 | ${kb(phone.first.bytes)} in ${phone.first.requests} requests | ${kb(phone.reload.bytes)} in ${phone.reload.requests} requests |`,
    `| 1× laptop, 1366×768 | ${kb(laptop.first.bytes)} in ${laptop.first.requests} requests | ${kb(laptop.reload.bytes)} in ${laptop.reload.requests} requests |`,
    '',
    'Transfer is the bytes on the wire (headers and bodies, as Chromium counts them) until the network is idle; a',
    'reload is the same page reloaded in the same browser, its cache warm.',
    '',
    '| target (issue 23) | measured | verdict |',
    '| --- | --- | --- |',
    ...targets({ mobile, phone, laptop }).map(({ target, measured, met }) => `| ${target} | ${measured} | ${met ? 'met' : 'not met'} |`),
  ];
  return lines.join('\n');
}

/** Puts `section` in bench/RESULTS.md in place of its previous run, before the fleet rehearsal. */
function writeResults(section) {
  const file = path.join(repo, 'bench', 'RESULTS.md');
  const heading = section.split('\n')[0];
  let text = readFileSync(file, 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + heading.length + 2);
    text = text.slice(0, start) + (next >= 0 ? text.slice(next) : '\n');
  }
  const fleet = text.indexOf('\n## Fleet rehearsal\n');
  const at = fleet >= 0 ? fleet : text.trimEnd().length;
  writeFileSync(file, `${text.slice(0, at).trimEnd()}\n\n${section}\n${fleet >= 0 ? `\n${text.slice(fleet + 1)}` : ''}`);
}

let app;
try {
  const photos = await makePhotos(people);
  const sizes = photos.map((file) => readFileSync(file).length);
  console.error(`bench-web: ${people} photos, ${kb(Math.min(...sizes))} to ${kb(Math.max(...sizes))}`);
  app = await startApp();
  const cookie = await seed(app.url, photos);
  const url = `${app.url}/`;
  const mobile = await medianRun(url, cookie);
  const desktop = await medianRun(url, cookie, desktopConfig);
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags.slice(1) });
  const phone = await transfer(browser, url, cookie, { width: 390, height: 844, deviceScaleFactor: 3, isMobile: true });
  const laptop = await transfer(browser, url, cookie, { width: 1366, height: 768, deviceScaleFactor: 1, isMobile: false });
  await browser.close();
  const version = execFileSync(path.resolve(binary), ['version'], { encoding: 'utf8' }).trim();
  const section = report({ mobile, desktop, phone, laptop, version });
  console.log(section);
  for (const [label, run] of [['mobile', mobile], ['desktop', desktop]]) {
    for (const audit of [run.responsiveImages, run.cachePolicy]) {
      for (const item of audit.details?.items ?? []) console.error(`bench-web: ${label} ${audit.id}: ${item.url} ${kb(item.wastedBytes ?? item.totalBytes ?? 0)}`);
    }
  }
  writeResults(section);
  console.error('bench-web: wrote bench/RESULTS.md');
} finally {
  await app?.stop();
  rmSync(work, { recursive: true, force: true });
}
