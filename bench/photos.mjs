// The photo scenarios, against a running hrapp:   node bench/photos.mjs <base-url> <cookie>
// 1. The time to accept a 12-megapixel phone JPEG (4032 x 3024, about 2.4 MB, with EXIF GPS and
//    orientation): POST /employees, one at a time, BENCH_PHOTO_UPLOADS times (20); median and p90.
// 2. The bytes of images one directory page of 50 transfers: 50 profiles with such a photo,
//    then GET /employees?limit=50 and every thumbnail_url it lists (what the web UI loads on an
//    ordinary screen), against the full images (what it loaded before thumbnails).
// Prints one line: "RESULT key=value ...". The photo is drawn by Chromium (drawn-photo.mjs) and
// tagged by exiftool, both installed by scripts/dev/install-deps.sh.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { drawnJpeg } from './drawn-photo.mjs';

const [base, cookie] = process.argv.slice(2);
const uploads = Number(process.env.BENCH_PHOTO_UPLOADS ?? 20);

const dir = mkdtempSync(path.join(tmpdir(), 'hrapp-photo-'));
const file = path.join(dir, 'phone.jpg');
writeFileSync(file, await drawnJpeg(4032, 3024));
execFileSync('exiftool', ['-q', '-overwrite_original', '-n', '-EXIF:Orientation=6', '-EXIF:Make=Phone',
  '-GPS:GPSLatitude=48.8584', '-GPS:GPSLatitudeRef=N', '-GPS:GPSLongitude=2.2945', '-GPS:GPSLongitudeRef=E', file]);
const photo = readFileSync(file);
rmSync(dir, { recursive: true });

async function create(i) {
  const form = new FormData();
  form.set('name', `Photo ${i}`);
  form.set('role', 'Engineer');
  form.set('department', 'Photos');
  form.set('image', new Blob([photo], { type: 'image/jpeg' }), 'phone.jpg');
  const started = performance.now();
  const r = await fetch(`${base}/employees`, { method: 'POST', headers: { cookie }, body: form });
  const ms = performance.now() - started;
  if (r.status !== 201) throw new Error(`upload failed: ${r.status} ${await r.text()}`);
  return ms;
}

const times = [];
for (let i = 0; i < uploads; i++) times.push(await create(i));
for (let i = uploads; i < 50; i++) await create(i);
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];

const list = await fetch(`${base}/employees?department=Photos&limit=50`, { headers: { cookie } });
const page = await list.json();
const bytesOf = async (url) => (await (await fetch(new URL(url, base), { headers: { cookie } })).arrayBuffer()).byteLength;
let thumbnails = 0;
let full = 0;
for (const e of page) {
  thumbnails += await bytesOf(e.thumbnail_url);
  full += await bytesOf(e.image_url);
}
console.log(`RESULT photo_bytes=${photo.length} upload_p50_ms=${at(0.5).toFixed(1)} upload_p90_ms=${at(0.9).toFixed(1)} ` +
  `uploads=${times.length} page_items=${page.length} page_thumbnail_bytes=${thumbnails} page_full_bytes=${full} ` +
  `page_original_bytes=${photo.length * page.length}`);
