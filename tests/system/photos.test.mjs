// What is stored of an uploaded photo: decoded and re-encoded, so no metadata survives
// (checked by exiftool), EXIF orientation applied, at most 1600 px with a thumbnail of at most
// 256 px beside it; image bombs and damaged files refused with a 4xx, leaving nothing behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertError } from './lib/assertions.mjs';
import { runHrapp, startApp, tempDir, testEnv } from './lib/app.mjs';
import { bombs, gif, imageSize, mediumOf, nearLimitBombs, png, smallOf, storedSizesOf, thumbnailOf } from './lib/images.mjs';

let app;
let client;
before(async () => {
  app = await startApp();
  client = app.client();
  await client.signUp('photos');
});
after(async () => {
  assert.equal(await app.stop(), 0);
});

const stored = (key) => readFileSync(path.join(app.dataDir, key));
const imagesDir = () => path.join(app.dataDir, 'uploads', testEnv.DEPLOYMENT_ID);
const storedImages = () => (existsSync(imagesDir()) ? readdirSync(imagesDir()).sort() : []);

async function upload(bytes, name = 'photo') {
  const reply = await client.createEmployee({ name, role: 'R', department: 'Photos', image: { bytes, filename: 'x' } });
  assert.equal(reply.status, 201, `${reply}`);
  const [row] = await app.database.rows(`SELECT image_s3_key FROM employees WHERE id = ${reply.body.id}`);
  return { employee: reply.body, key: row.image_s3_key };
}

/** exiftool's view of a file: every tag, with its group, as one JSON object. */
function exif(bytes) {
  const file = path.join(tempDir('exif-'), 'image');
  writeFileSync(file, bytes);
  return JSON.parse(execFileSync('exiftool', ['-json', '-a', '-G1', '-n', file], { encoding: 'utf8' }))[0];
}

/** A phone photo as a phone writes it: a JPEG of 60 x 30 stored pixels, turned by EXIF, with GPS. */
async function phonePhoto() {
  const { key } = await upload(png({ width: 60, height: 30, seed: 5 }), 'source');
  const file = path.join(tempDir('phone-'), 'phone.jpg');
  writeFileSync(file, stored(key));
  execFileSync('exiftool', ['-q', '-overwrite_original', '-n',
    '-EXIF:Orientation=6', '-EXIF:Make=Phone', '-EXIF:Model=Phone 15',
    '-GPS:GPSLatitude=48.8584', '-GPS:GPSLatitudeRef=N', '-GPS:GPSLongitude=2.2945', '-GPS:GPSLongitudeRef=E',
    '-XMP-dc:Creator=Someone', '-IPTC:Keywords=home', '-File:Comment=taken at home', file]);
  return readFileSync(file);
}

describe('metadata and orientation', () => {
  test('a phone JPEG with GPS, XMP, IPTC and a comment is stored with none of them, upright', async () => {
    const photo = await phonePhoto();
    const before = exif(photo);
    assert.equal(before['GPS:GPSLatitude'], 48.8584, 'the upload carries a location');
    assert.equal(before['IFD0:Orientation'], 6);
    assert.ok(before['XMP-dc:Creator'] && before['IPTC:Keywords'] && before['File:Comment'], JSON.stringify(before));

    const { key } = await upload(photo);
    for (const variant of storedSizesOf(key)) {
      const tags = exif(stored(variant));
      const leaked = Object.keys(tags).filter((t) => /^(GPS|IFD0|ExifIFD|IFD1|XMP|IPTC|Photoshop|MakerNotes)/.test(t) || t === 'File:Comment');
      assert.deepEqual(leaked, [], `${variant} carries no metadata`);
      assert.equal(tags['File:FileType'], 'JPEG');
    }
    assert.deepEqual(imageSize(stored(key)), { width: 30, height: 60 }, 'turned a quarter as the EXIF said');
  });

  test('a large picture is stored at most 1600 px, its smaller sizes at most 640, 384 and 256 px, each listed', async () => {
    const { key, employee } = await upload(png({ width: 2400, height: 600, seed: 9 }));
    assert.deepEqual(imageSize(stored(key)), { width: 1600, height: 400 });
    assert.deepEqual(imageSize(stored(mediumOf(key))), { width: 640, height: 160 });
    assert.deepEqual(imageSize(stored(smallOf(key))), { width: 384, height: 96 });
    assert.deepEqual(imageSize(stored(thumbnailOf(key))), { width: 256, height: 64 });
    assert.deepEqual(employee.image_variants, [
      { width: 256, url: thumbnailOf(employee.image_url) },
      { width: 384, url: smallOf(employee.image_url) },
      { width: 640, url: mediumOf(employee.image_url) },
      { width: 1600, url: employee.image_url },
    ]);
    for (const { url } of employee.image_variants) {
      const size = await client.get(url);
      assert.equal(size.status, 200);
      assert.equal(size.headers.get('content-type'), 'image/jpeg');
    }
  });

  test('hrapp resize-photos makes the 640 px size a photo stored before it lacks, and leaves the others', async () => {
    const { key } = await upload(png({ width: 1000, height: 500, seed: 12 }));
    const { key: complete } = await upload(png({ width: 300, height: 300, seed: 13 }));
    const medium = path.join(app.dataDir, mediumOf(key));
    const untouched = readFileSync(path.join(app.dataDir, mediumOf(complete)));
    unlinkSync(medium);  // as a photo stored before the size existed
    const result = await runHrapp(['resize-photos', '--data-dir', app.dataDir], { ...testEnv, ...app.database.env });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(imageSize(readFileSync(medium)), { width: 640, height: 320 });
    assert.deepEqual(readFileSync(path.join(app.dataDir, mediumOf(complete))), untouched, 'a photo with every size is left alone');
    assert.match(result.stdout, /"msg":"photo sizes made","made":1\b/);
  });

  test('a photo is cached for a year under a name that never changes its bytes, and revalidates without a body', async () => {
    const { employee } = await upload(png({ width: 50, height: 40, seed: 4 }));
    const first = await client.get(employee.thumbnail_url);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[0-9a-f-]{36}\.thumb\.jpg"$/);
    const again = await client.get(employee.thumbnail_url, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(again.bytes.length, 0, 'no body');
    const other = await client.get(employee.thumbnail_url, { headers: { 'if-none-match': '"something-else"' } });
    assert.equal(other.status, 200);
  });

  test('a picture with transparency stays transparent, as WebP', async () => {
    const { key } = await upload(png({ width: 300, height: 20, alpha: true }));
    assert.match(key, /\.webp$/);
    assert.match(exif(stored(key))['File:FileType'], /WEBP/);
    assert.deepEqual(imageSize(stored(thumbnailOf(key))), { width: 256, height: 17 });
  });
});

describe('image bombs and damaged files', () => {
  for (const [kind, bomb, status, code] of [
    ['png', nearLimitBombs.png, 413, 'image_too_large'],
    ['gif', nearLimitBombs.gif, 400, 'invalid_image'],
    ['webp', nearLimitBombs.webp, 400, 'invalid_image'],
  ]) {
    test(`a ${kind} of 6300 x 6300, under the pixel limit, is refused by what its canvas would cost`, async () => {
      const before = storedImages();
      const reply = await client.createEmployee({ name: 'Near', role: 'R', department: 'Bombs', image: { bytes: bomb(), filename: 'x' } });
      assertError(reply, status, code);
      assert.match(reply.body.message, kind === 'png' ? /MiB/ : /canvas is larger than its first frame/);
      assert.deepEqual(storedImages(), before, 'nothing stored');
    });
  }

  for (const [kind, bomb] of Object.entries(bombs)) {
    test(`a ${kind} declaring a huge canvas is refused before decoding, leaving nothing`, async () => {
      const before = storedImages();
      const reply = await client.createEmployee({ name: 'Bomb', role: 'R', department: 'Bombs', image: { bytes: bomb(), filename: 'x' } });
      const body = assertError(reply, 413, 'image_too_large', ['image']);
      assert.match(body.message, /pixels; at most 40000000 pixels are accepted/);
      assert.deepEqual(storedImages(), before);
      assert.equal(await app.database.value("SELECT count(*) AS n FROM employees WHERE department = 'Bombs'"), 0);
    });
  }

  test('damaged files are a 400 naming the image, leaving nothing', async () => {
    const whole = png({ width: 64, height: 64 });
    const damaged = [whole.subarray(0, whole.length - 40), Buffer.concat([gif.subarray(0, 13), Buffer.from([0x3b])])];
    for (const bytes of damaged) {
      const before = storedImages();
      const reply = await client.createEmployee({ name: 'Damaged', role: 'R', department: 'D', image: { bytes, filename: 'x' } });
      const body = assertError(reply, 400, 'invalid_image', ['image']);
      assert.match(body.message, /could not be read as (PNG|GIF)/);
      assert.deepEqual(storedImages(), before);
    }
  });

  test('IMAGE_MAX_MEGAPIXELS sets the largest canvas decoded', async () => {
    const small = await startApp({ env: { IMAGE_MAX_MEGAPIXELS: '1' } });
    try {
      const other = small.client();
      await other.signUp('megapixels');
      const refused = await other.createEmployee({ name: 'A', role: 'R', department: 'D', image: { bytes: png({ width: 1001, height: 1000 }), filename: 'x' } });
      assertError(refused, 413, 'image_too_large', ['image']);
      const accepted = await other.createEmployee({ name: 'A', role: 'R', department: 'D', image: { bytes: png({ width: 1000, height: 1000 }), filename: 'x' } });
      assert.equal(accepted.status, 201, `${accepted}`);
    } finally {
      assert.equal(await small.stop(), 0);
    }
  });
});
